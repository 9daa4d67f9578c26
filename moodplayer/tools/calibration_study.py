"""Compare per-person calibration methods on a labelled set with a ``group`` per person, and
check the shipped knobs by leave-one-person-out (the figures in docs/accuracy.md).

    python -m moodplayer.tools.calibration_study DIR [--k 1 2 3] [--seeds 5] [--lopo]

Every picture is read once (the app's analyzer, uncalibrated, with the network's
penultimate features); each method then calibrates from the same K pictures per label and
person, for several reproducible draws, and is scored on the same remaining pictures.
A research tool: the product uses ``core.calibration`` as it ships.
"""

from __future__ import annotations

import argparse
import itertools
from collections import defaultdict
from contextlib import contextmanager

import numpy as np

from moodplayer.core import calibration as method
from moodplayer.core.calibration import CalibrationError, fit
from moodplayer.vision.per_person import WAYS, Read, per_person


class LogRatio:
    """The naive correction: divide by the person's neutral probabilities (uses the neutral
    pictures only). Near-zero classes of the neutral explode."""

    def __init__(self, neutral: np.ndarray) -> None:
        self.neutral = neutral

    def apply(self, scores, features=None) -> np.ndarray:
        p = np.asarray(scores, np.float64) / np.maximum(self.neutral, 1e-12)
        return p / p.sum()


def fit_log_ratio(samples) -> LogRatio:
    neutral = [np.asarray(s[1], np.float64) for s in samples if s[0] == "neutral"]
    if not neutral:
        raise CalibrationError("no neutral")
    return LogRatio(np.mean(neutral, axis=0))


def fit_scores_only(samples):
    return fit([(s[0], s[1]) for s in samples])


@contextmanager
def knobs(**values):
    """Set core.calibration's constants for a measurement, and put them back."""
    old = {}
    for name, value in values.items():
        if name == "radius":
            old[name] = method.NEUTRAL_RADIUS["features"]
            method.NEUTRAL_RADIUS["features"] = value
        else:
            old[name] = getattr(method, name)
            setattr(method, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            if name == "radius":
                method.NEUTRAL_RADIUS["features"] = value
            else:
                setattr(method, name, value)


METHODS = {
    "log-ratio on the neutral": (fit_log_ratio, {}),
    "gate + prototypes, 7 scores only": (fit_scores_only, {}),
    "gate + prototypes, features, no resting discount": (fit, {"RESTING_STRENGTH": 0.0}),
    "gate + prototypes + resting discount, features (shipped)": (fit, {}),
}


def per_group_accuracy(reads, k, seeds, fit_fn=fit) -> dict:
    """(group, way) -> [right, n] summed over the draws."""
    acc: dict = defaultdict(lambda: [0.0, 0])
    summary = defaultdict(list)
    for seed in seeds:
        out = per_person(reads, k, seed, fit_fn)
        for way in WAYS:
            summary[way].append(out[way])
        for g in out["per_group"]:
            for way in WAYS:
                if g[way]["accuracy"] is not None:
                    acc[(g["group"], way)][0] += g[way]["accuracy"] * g["test_n"]
                    acc[(g["group"], way)][1] += g["test_n"]
    return acc, summary


def _rate(acc, way, groups) -> float:
    right = sum(acc[(g, way)][0] for g in groups)
    n = sum(acc[(g, way)][1] for g in groups)
    return right / n if n else float("nan")


def _worst(acc, way, groups) -> float:
    return min(_rate(acc, way, [g]) - _rate(acc, "uncalibrated", [g]) for g in groups)


def compare(reads, ks, seeds) -> None:
    groups = sorted({r.group for r in reads})
    print(f"{len(reads)} pictures, {len(groups)} people, draws (seeds) {list(seeds)}\n")
    print("| method | K | uncalibrated | neutral only | calibrated | worst person (neutral only / calibrated) |")
    print("|---|---|---|---|---|---|")
    for k in ks:
        for name, (fit_fn, values) in METHODS.items():
            with knobs(**values):
                acc, summary = per_group_accuracy(reads, k, seeds, fit_fn)
            cells = []
            for way in WAYS:
                a = np.mean([s["accuracy"] for s in summary[way]])
                f = np.mean([s["macro_f1"] for s in summary[way]])
                cells.append(f"{100 * a:.1f} % (F1 {f:.3f})")
            worst = f"{100 * _worst(acc, 'neutral_only', groups):+.1f} / {100 * _worst(acc, 'calibrated', groups):+.1f}"
            print(f"| {name} | {k} | " + " | ".join(cells) + f" | {worst} |")


GRID = {
    "radius": (0.3, 0.4, 0.5),
    "NEUTRAL_WEIGHT": (0.8, 0.9, 1.0),
    "RESTING_STRENGTH": (0.0, 0.1, 0.2),
    "RESTING_FLOOR": (0.001, 0.01),
    "EXPRESSION_TEMPERATURE": (0.1, 0.2),
}


def leave_one_person_out(reads, seeds, k=1, max_loss=0.03) -> None:
    """For each person: among the settings that leave none of the *other* people more than
    ``max_loss`` worse than uncalibrated, the one best on them (neutral only + calibrated);
    score it on the held-out person."""
    names = list(GRID)
    settings = list(itertools.product(*GRID.values()))
    results = {}
    for values in settings:
        with knobs(**dict(zip(names, values))):
            results[values] = per_group_accuracy(reads, k, seeds)[0]
    groups = sorted({r.group for r in reads})
    held = defaultdict(lambda: [0.0, 0])
    picks: dict = defaultdict(int)
    worst = {w: 0.0 for w in ("neutral_only", "calibrated")}
    for g in groups:
        others = [o for o in groups if o != g]
        safe = [s for s in settings
                if all(_worst(results[s], w, others) >= -max_loss for w in worst)] or settings
        best = max(safe, key=lambda s: _rate(results[s], "neutral_only", others)
                   + _rate(results[s], "calibrated", others))
        picks[best] += 1
        for way in WAYS:
            held[way][0] += results[best][(g, way)][0]
            held[way][1] += results[best][(g, way)][1]
        for w in worst:
            worst[w] = min(worst[w], _rate(results[best], w, [g]) - _rate(results[best], "uncalibrated", [g]))
    print(f"\nleave-one-person-out over {len(settings)} settings of {', '.join(names)} (K = {k}):")
    print("  held-out accuracy: " + ", ".join(f"{w} {100 * held[w][0] / held[w][1]:.1f} %" for w in WAYS))
    print(f"  worst held-out person vs uncalibrated: neutral only {100 * worst['neutral_only']:+.1f}, "
          f"calibrated {100 * worst['calibrated']:+.1f} points")
    for values, n in sorted(picks.items(), key=lambda kv: -kv[1]):
        print(f"  picked {n} of {len(groups)} times: " + ", ".join(f"{a}={v}" for a, v in zip(names, values)))
    shipped = (method.NEUTRAL_RADIUS["features"], method.NEUTRAL_WEIGHT, method.RESTING_STRENGTH,
               method.RESTING_FLOOR, method.EXPRESSION_TEMPERATURE)
    print("  shipped: " + ", ".join(f"{a}={v}" for a, v in zip(names, shipped)))


def read_all(root: str, labels: str | None) -> list[Read]:
    import cv2

    from moodplayer.vision.analyzer import Analyzer
    from moodplayer.vision.evaluate import Progress, load_dataset
    from moodplayer.vision.per_person import NO_GROUP

    data = load_dataset(root, labels)
    analyzer = Analyzer.create()
    analyzer.keep_raw = True
    reads = []
    progress = Progress(len(data.samples))
    for i, sample in enumerate(data.samples):
        image = cv2.imread(str(sample.path), cv2.IMREAD_COLOR)
        if image is not None:
            analyzer.analyze_still(image)
            reads.append(Read(sample.label, sample.group or NO_GROUP, analyzer.last_raw))
        progress.update(i + 1)
    progress.done()
    return reads


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m moodplayer.tools.calibration_study", description=__doc__.split("\n\n")[0])
    p.add_argument("dir")
    p.add_argument("--labels", metavar="CSV")
    p.add_argument("--k", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seeds", type=int, default=5, help="draws of the calibration pictures")
    p.add_argument("--lopo", action="store_true", help="also check the knobs leave-one-person-out")
    args = p.parse_args(argv)
    reads = read_all(args.dir, args.labels)
    seeds = range(args.seeds)
    compare(reads, args.k, seeds)
    if args.lopo:
        leave_one_person_out(reads, seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
