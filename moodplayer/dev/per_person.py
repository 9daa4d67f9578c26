"""``moodplayer eval --per-person K``: what a per-person calibration gains, measured.

For each person (the dataset's ``group``), K pictures of every label, drawn reproducibly,
build a calibration; the person's other pictures are scored three ways from the same
readings (each picture goes through the network once): as the network reads them, with a
calibration from the K neutral pictures only, and with the calibration from all K x 7.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from moodplayer.core.calibration.model import Calibration, CalibrationError, fit
from moodplayer.core.emotions import EMOTIONS
from moodplayer.dev.metrics import score

WAYS = ("uncalibrated", "neutral_only", "calibrated")
NO_GROUP = "(all)"  # a dataset without a group column is one person


@dataclass(frozen=True)
class Read:
    """One picture as the network read it: label, person, and (scores, features) or None
    when no face was found."""

    label: str
    group: str
    raw: tuple[np.ndarray, np.ndarray | None] | None


class Collector:
    """``run_eval``'s ``collect``: keeps each picture's uncalibrated reading (scores and
    features) so that the three ways are scored from one pass through the network."""

    def __init__(self, analyzer) -> None:
        analyzer.keep_raw = True
        self.analyzer = analyzer
        self.reads: list[Read] = []

    def __call__(self, sample, reading) -> None:
        self.reads.append(Read(sample.label, sample.group or NO_GROUP, self.analyzer.last_raw))


def choose_calibration(reads: list[Read], k: int, seed: int = 0) -> set[int]:
    """Indices of K pictures per (person, label), the same on every run and machine."""
    chosen: set[int] = set()
    by_key: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(reads):
        by_key.setdefault((r.group, r.label), []).append(i)
    for (group, label), idx in sorted(by_key.items()):
        rng = np.random.default_rng([seed, zlib.crc32(f"{group}/{label}".encode())])
        chosen.update(idx[j] for j in rng.permutation(len(idx))[:k])
    return chosen


def per_person(reads: list[Read], k: int, seed: int = 0, fit_fn=fit) -> dict:
    """``fit_fn`` (samples -> an object with ``apply``) lets a study compare methods."""
    cal_idx = choose_calibration(reads, k, seed)
    truth: list[str] = []
    predicted: dict[str, list[str | None]] = {w: [] for w in WAYS}
    per_group = []
    for group in sorted({r.group for r in reads}):
        members = [i for i, r in enumerate(reads) if r.group == group]
        calibrations, problem = _calibrations([reads[i] for i in members if i in cal_idx], fit_fn)
        tests = [reads[i] for i in members if i not in cal_idx]
        g_truth = [r.label for r in tests]
        g_pred = {w: [_predict(r, calibrations.get(w)) for r in tests] for w in WAYS}
        truth += g_truth
        entry = {"group": group, "test_n": len(tests)}
        for w in WAYS:
            predicted[w] += g_pred[w]
            entry[w] = _summary(g_truth, g_pred[w])
        if problem:
            entry["problem"] = problem  # scored as the network reads them
        per_group.append(entry)
    out = {"k": k, "seed": seed, "persons": len(per_group), "test_n": len(truth)}
    for w in WAYS:
        out[w] = _summary(truth, predicted[w])
    out["per_group"] = per_group
    return out


def _calibrations(cal_reads: list[Read], fit_fn=fit) -> tuple[dict[str, Calibration], str | None]:
    samples = [(r.label, r.raw[0], r.raw[1]) for r in cal_reads if r.raw is not None]
    try:
        return {"neutral_only": fit_fn([s for s in samples if s[0] == "neutral"]),
                "calibrated": fit_fn(samples)}, None
    except CalibrationError as err:  # e.g. no face found on the neutral pictures
        return {}, str(err)


def _predict(r: Read, calibration: Calibration | None) -> str | None:
    if r.raw is None:
        return None  # no face: wrong, as in the plain eval
    scores, features = r.raw
    if calibration is not None:
        scores = calibration.apply(scores, features)
    return EMOTIONS[int(np.argmax(scores))]


def _summary(truth: list[str], predicted: list[str | None]) -> dict:
    if not truth:
        return {"accuracy": None, "macro_f1": None, "recall": {}}
    s = score(truth, predicted)
    return {"accuracy": s["accuracy"], "macro_f1": s["macro_f1"],
            "recall": {label: row["recall"] for label, row in s["per_class"].items()}}


def format_per_person(result: dict) -> str:
    """The table's per-person part; empty when the evaluation had no ``per_person``."""
    pp = result.get("per_person")
    if not pp:
        return ""
    lines = ["", "", f"per person (K = {pp['k']} of each label calibrate, {pp['test_n']} pictures of "
                 f"{pp['persons']} people scored):",
             f"{'':<14}{'accuracy':>10}{'macro F1':>10}"]
    for w in WAYS:
        a, f = pp[w]["accuracy"], pp[w]["macro_f1"]
        recall = " ".join(f"{label} {_pct(r)}" for label, r in pp[w].get("recall", {}).items())
        lines.append(f"  {w:<12}{_pct(a):>10}{'-' if f is None else f'{f:.3f}':>10}   recall: {recall}")
    lines.append(f"  {'person':<10}{'n':>5}" + "".join(f"{w:>14}" for w in WAYS))
    for g in pp["per_group"]:
        lines.append(f"  {g['group']:<10}{g['test_n']:>5}"
                     + "".join(f"{_pct(g[w]['accuracy']):>14}" for w in WAYS)
                     + (f"  ({g['problem']})" if g.get("problem") else ""))
    return "\n".join(lines)


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"
