"""Per-person calibration and a per-class bias on top of the blend, measured (issue 20; the
figures in docs/accuracy.md, "Calibration on top of the blend").

    python -m moodplayer.dev.blend_study DIR [DIR ...] [--seeds 5] [--cache FOLDER]

Every picture is read once by the shipped blend (the app's analyzer, its detector and crops),
keeping each net's probabilities and features apart; each way of calibrating then works
from the same K = 1 picture per label and person (the draws of ``eval --per-person``, seed 0
first) and is scored on the same remaining pictures. The bias part chooses a log-space bias
for angry and disgust on one set and scores it on the other. A research tool: the product
uses ``core.calibration`` and ``vision.engines`` as they ship.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.core.calibration.blend import pack
from moodplayer.core.calibration.model import fit
from moodplayer.core.emotions import EMOTIONS
from moodplayer.dev.metrics import score
from moodplayer.dev.per_person import NO_GROUP, WAYS, Read, per_person


@dataclass(frozen=True)
class Parts:
    """One face as each net read it (the blend's two halves)."""

    p_fer: np.ndarray
    f_fer: np.ndarray
    p_fa: np.ndarray
    f_fa: np.ndarray


def read_parts(root: str, cache: Path | None = None) -> dict[str, np.ndarray]:
    """labels, groups, found, and per net its probabilities and features (zeros: no face)."""
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    import cv2

    from moodplayer.dev.evaluate import Progress
    from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig
    from moodplayer.vision.datasets import load_dataset
    from moodplayer.vision.engines import BlendEngine

    data = load_dataset(root, None)
    analyzer = Analyzer.create(AnalyzerConfig(engine="blend"))
    engine = analyzer.engine
    if not isinstance(engine, BlendEngine):
        raise SystemExit(f"the blend is not available here ({engine.notice}): run 'make setup'")
    analyzer.keep_raw = True
    seen: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for name, net in (("fer", engine.fer), ("fa", engine.faceapi)):
        def spy(face, flip, with_features, _read=net.read, _name=name):
            seen[_name] = _read(face, flip, with_features)
            return seen[_name]
        net.read = spy  # type: ignore[method-assign]  # a spy on this one instance: the study keeps each net's reading
    rows: dict[str, list] = {k: [] for k in ("label", "group", "found", "p_fer", "f_fer", "p_fa", "f_fa")}
    progress = Progress(len(data.samples))
    for i, sample in enumerate(data.samples):
        image = cv2.imread(str(sample.path), cv2.IMREAD_COLOR)
        progress.update(i + 1)
        if image is None:
            continue
        seen.clear()
        analyzer.analyze_still(image)
        found = analyzer.last_raw is not None
        rows["label"].append(sample.label)
        rows["group"].append(sample.group or NO_GROUP)
        rows["found"].append(found)
        for net, dim in (("fer", 128), ("fa", 256)):
            p, f = seen[net] if found else (np.zeros(7), np.zeros(dim))
            rows[f"p_{net}"].append(np.asarray(p, np.float32))
            rows[f"f_{net}"].append(np.asarray(f, np.float32))
    progress.done()
    out = {k: np.asarray(v) for k, v in rows.items()}
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **out)
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def blend(p_fer: np.ndarray, p_fa: np.ndarray, w: float, bias: np.ndarray | None = None) -> np.ndarray:
    log_p = (1 - w) * np.log(p_fer + 1e-7) + w * np.log(p_fa + 1e-7)
    if bias is not None:
        log_p = log_p + bias
    e = np.exp(log_p - log_p.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class BlendOfCalibrations:
    """Each net calibrated on its own readings, the calibrated readings blended."""

    def __init__(self, samples, w: float) -> None:
        self.w = w
        self.fer = fit([(label, parts.p_fer, parts.f_fer) for label, _, parts in samples])
        self.fa = fit([(label, parts.p_fa, parts.f_fa) for label, _, parts in samples])

    def apply(self, scores, parts: Parts) -> np.ndarray:
        return blend(self.fer.apply(parts.p_fer, parts.f_fer), self.fa.apply(parts.p_fa, parts.f_fa), self.w)


def ways_of_calibrating(w: float) -> dict:
    """name -> (raw of one face from its Parts, fit_fn)."""
    def concat(a: float):
        return lambda x: (blend(x.p_fer, x.p_fa, w), np.concatenate([a * _unit(x.f_fer), (1 - a) * _unit(x.f_fa)]))

    def shipped(x: Parts):
        return blend(x.p_fer, x.p_fa, w), pack(x.f_fer, x.f_fa, x.p_fer, x.p_fa)

    return {
        "mini-Xception alone, its features (the app before the blend)": (lambda x: (x.p_fer, x.f_fer), fit),
        "blend, both nets' features concatenated (the first blend)": (concat(0.5), fit),
        "blend, the mini-Xception's features": (lambda x: (blend(x.p_fer, x.p_fa, w), x.f_fer), fit),
        "blend, face-api's features": (lambda x: (blend(x.p_fer, x.p_fa, w), x.f_fa), fit),
        "blend, features 0.7 mini-Xception / 0.3 face-api": (concat(0.7), fit),
        "blend, 7 scores only": (lambda x: (blend(x.p_fer, x.p_fa, w), None), fit),
        "each net calibrated, then blended at w": (lambda x: (blend(x.p_fer, x.p_fa, w), x),
                                                   lambda s: BlendOfCalibrations(s, w)),
        "each net calibrated, face-api's as far as the mini-Xception's guard trusts, "
        "w 0.6 -> 0.3 with that trust (shipped)": (shipped, fit),
    }


def calibration_table(d: dict[str, np.ndarray], seeds: range, w: float) -> list[dict]:
    rows = []
    for name, (raw_of, fit_fn) in ways_of_calibrating(w).items():
        reads = []
        for i in range(len(d["label"])):
            parts = Parts(d["p_fer"][i].astype(np.float64), d["f_fer"][i].astype(np.float64),
                          d["p_fa"][i].astype(np.float64), d["f_fa"][i].astype(np.float64))
            reads.append(Read(str(d["label"][i]), str(d["group"][i]), raw_of(parts) if d["found"][i] else None))
        runs = [per_person(reads, 1, seed, fit_fn=fit_fn) for seed in seeds]
        row = {"way": name}
        for way in WAYS:
            row[way] = float(np.mean([r[way]["accuracy"] for r in runs]))
            row[way + "_seed0"] = runs[0][way]["accuracy"]
            row[way + "_f1_seed0"] = runs[0][way]["macro_f1"]
        # the largest loss of one person against uncalibrated, summed over the draws
        worst = {}
        for way in WAYS[1:]:
            losses = []
            for g in range(len(runs[0]["per_group"])):
                base = sum(r["per_group"][g]["uncalibrated"]["accuracy"] or 0 for r in runs)
                got = sum(r["per_group"][g][way]["accuracy"] or 0 for r in runs)
                losses.append((got - base) / len(runs))
            worst[way] = min(losses)
        row["worst"] = worst
        rows.append(row)
    return rows


# --- a per-class bias on the blend's log-probabilities -------------------------------------

BIAS_GRID = [round(0.25 * i, 2) for i in range(0, 13)]  # 0 .. 3 in log space
ANGRY, DISGUST = EMOTIONS.index("angry"), EMOTIONS.index("disgust")


def biased_scores(d: dict[str, np.ndarray], w: float, angry: float, disgust: float) -> dict:
    bias = np.zeros(len(EMOTIONS))
    bias[ANGRY], bias[DISGUST] = angry, disgust
    p = blend(d["p_fer"].astype(np.float64), d["p_fa"].astype(np.float64), w, bias)
    predicted = [EMOTIONS[int(np.argmax(row))] if found else None for row, found in zip(p, d["found"])]
    return score([str(x) for x in d["label"]], predicted)


def choose_bias(d: dict[str, np.ndarray], w: float) -> tuple[float, float, dict]:
    """The bias best on this set among those that give angry and disgust > 20 % recall here
    (the most accurate; when none does, the most accurate overall)."""
    best = None
    for a, g in itertools.product(BIAS_GRID, BIAS_GRID):
        s = biased_scores(d, w, a, g)
        ok = s["per_class"]["angry"]["recall"] > 0.2 and s["per_class"]["disgust"]["recall"] > 0.2
        key = (ok, s["accuracy"], -(a + g))
        if best is None or key > best[0]:
            best = (key, a, g, s)
    assert best is not None
    return best[1], best[2], best[3]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def _recalls(s: dict) -> str:
    return " ".join(f"{label[:4]} {round(100 * (s['per_class'][label]['recall'] or 0))}" for label in EMOTIONS)


def main(argv: list[str] | None = None) -> int:
    from moodplayer.vision.engines import BLEND_WEIGHT

    p = argparse.ArgumentParser(prog="python -m moodplayer.dev.blend_study",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("dirs", nargs="+", help="labelled sets with a group (person) per picture")
    p.add_argument("--seeds", type=int, default=5, help="draws of the calibration pictures")
    p.add_argument("--cache", type=Path, help="keep the readings here (one .npz a set)")
    p.add_argument("--no-calibration", action="store_true", help="only the bias part")
    args = p.parse_args(argv)
    w = BLEND_WEIGHT
    sets = {}
    for root in args.dirs:
        name = Path(root).name
        sets[name] = read_parts(root, args.cache / f"{name}.npz" if args.cache else None)
    if not args.no_calibration:
        for name, d in sets.items():
            print(f"\n## {name}: calibration from K = 1 picture per label and group, "
                  f"{args.seeds} draws (seed 0 in brackets)")
            print("| way | uncalibrated | neutral only | calibrated | worst group (neutral only / calibrated) |")
            print("|---|---|---|---|---|")
            for row in calibration_table(d, range(args.seeds), w):
                cells = [f"{_pct(row[way])} ({_pct(row[way + '_seed0'])})" for way in WAYS]
                worst = " / ".join(f"{100 * row['worst'][way]:+.1f}" for way in WAYS[1:])
                print(f"| {row['way']} | " + " | ".join(cells) + f" | {worst} |")
    print(f"\n## a bias on angry and disgust (log space, added to the blend w = {w})")
    for name, d in sets.items():
        s = biased_scores(d, w, 0, 0)
        print(f"{name}, no bias: {_pct(s['accuracy'])} F1 {s['macro_f1']:.3f}; {_recalls(s)}")
    for chosen_on, d in sets.items():
        a, g, s = choose_bias(d, w)
        print(f"chosen on {chosen_on}: angry +{a:g}, disgust +{g:g}")
        for name, other in sets.items():
            t = biased_scores(other, w, a, g)
            print(f"  {name}: {_pct(t['accuracy'])} F1 {t['macro_f1']:.3f}; {_recalls(t)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
