"""Compare per-person calibration methods on a labelled set with a ``group`` per person, and
check the shipped knobs by leave-one-person-out (the figures in docs/accuracy.md).

    python -m moodplayer.dev.calibration_study DIR [--k 1 2 3] [--seeds 5] [--lopo] [--clips]

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

from moodplayer.core.calibration import model as method
from moodplayer.core.calibration.model import CalibrationError, fit
from moodplayer.dev.per_person import WAYS, Read, per_person


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


CLIP_ORDER = ("neutral", "happy", "sad", "angry", "surprise", "disgust", "fear")


def clip_check(root: str, labels: str | None, seconds: float = 6.0, fps: int = 10) -> None:
    """The issue's video figure: per person, a calibration clip of one picture per label
    (scripted, as ``moodplayer calibrate --video`` reads it) and a test clip of *other*
    pictures of the same person in another order; how many test segments the analyzer's
    readings (majority) and the mood window follow, without and with the calibration."""
    import random
    import tempfile
    from pathlib import Path

    from moodplayer.core.calibration.script import Segment
    from moodplayer.dev.evaluate import load_dataset
    from moodplayer.dev.face_clips import write_clip
    from moodplayer.vision.analyze_video import analyze_video
    from moodplayer.vision.analyzer import Analyzer
    from moodplayer.vision.calibration_samples import read_video
    from moodplayer.vision.sources import VideoFileSource

    data = load_dataset(root, labels)
    people = defaultdict(lambda: defaultdict(list))
    for sample in data.samples:
        people[sample.group][sample.label].append(sample.path)
    totals = defaultdict(int)
    print(f"\nvideo check: {seconds:g} s per expression at {fps} fps; segments whose majority "
          "reading / whose mood at the segment's end matches the script")
    print("| person | segments | readings, uncalibrated | readings, calibrated "
          "| mood, uncalibrated | mood, calibrated |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for person in sorted(people):
            pics = people[person]
            shown = [label for label in CLIP_ORDER if len(pics[label]) >= 2]
            if "neutral" not in shown:
                continue
            rng = random.Random(person)
            calib_pics = {label: rng.choice(pics[label]) for label in shown}
            test_pics = {label: rng.choice([p for p in pics[label] if p != calib_pics[label]])
                         for label in shown}
            calib = write_clip(Path(tmp, "calib.mp4"), [(str(calib_pics[label]), 2.0) for label in shown], fps=fps)
            script = [Segment(2.0 * i + 0.3, 2.0 * i + 2.0, label) for i, label in enumerate(shown)]
            analyzer = Analyzer.create()
            analyzer.keep_raw = True
            source = VideoFileSource(Path(calib))
            try:
                read = read_video(analyzer, source, script, str(calib))
                samples, takes = read.samples, read.takes
            finally:
                source.close()
            cal = fit(samples, takes)
            order = shown[1:] + shown[:1]  # another order: the neutral last
            order = [order[i] for i in rng.sample(range(len(order)), len(order))]
            test = write_clip(Path(tmp, "test.mp4"), [(str(test_pics[label]), seconds) for label in order],
                              fps=fps, face_side=280, drift_px=40)
            row = [person, len(order)]
            for key in ("readings", "moods"):
                for calibration in (None, cal):
                    result = analyze_video(str(test), calibration=calibration)
                    right = sum(_segment_follows(result, key, i, seconds, label)
                                for i, label in enumerate(order))
                    totals[(key, calibration is not None)] += right
                    row.append(right)
            totals["segments"] += len(order)
            print("| " + " | ".join(str(v) for v in row) + " |")
    n = totals["segments"]
    print(f"| all | {n} | " + " | ".join(f"{100 * totals[(k, c)] / n:.0f} %" for k in ("readings", "moods")
                                         for c in (False, True)) + " |")


def _segment_follows(result: dict, key: str, i: int, seconds: float, label: str) -> bool:
    if key == "readings":
        inside = [r["emotion"] for r in result["readings"] if seconds * i + 0.5 <= r["t"] < seconds * (i + 1)]
        return bool(inside) and max(set(inside), key=inside.count) == label
    mood = None
    for change in result["moods"]:
        if change["t"] < seconds * (i + 1):
            mood = change["mood"]
    return mood == label


def read_all(root: str, labels: str | None) -> list[Read]:
    import cv2

    from moodplayer.dev.evaluate import Progress, load_dataset
    from moodplayer.dev.per_person import NO_GROUP
    from moodplayer.vision.analyzer import Analyzer

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
    p = argparse.ArgumentParser(prog="python -m moodplayer.dev.calibration_study", description=__doc__.split("\n\n")[0])
    p.add_argument("dir")
    p.add_argument("--labels", metavar="CSV")
    p.add_argument("--k", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seeds", type=int, default=5, help="draws of the calibration pictures")
    p.add_argument("--lopo", action="store_true", help="also check the knobs leave-one-person-out")
    p.add_argument("--clips", action="store_true",
                   help="only the video check: calibrate on a clip of a person, analyze another")
    args = p.parse_args(argv)
    if args.clips:
        clip_check(args.dir, args.labels)
        return 0
    reads = read_all(args.dir, args.labels)
    seeds = range(args.seeds)
    compare(reads, args.k, seeds)
    if args.lopo:
        leave_one_person_out(reads, seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
