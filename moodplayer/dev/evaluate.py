"""``moodplayer eval``: the app's analyzer on labelled pictures.

A dataset is a folder of ``<label>/<image>`` sub-folders, or a CSV (``path,label[,group]``,
paths relative to the CSV). Files that cannot be used are counted, never fatal:
non-images, unknown labels, unreadable or missing images.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

import cv2
import numpy as np

from moodplayer.core.emotions import Reading
from moodplayer.dev.metrics import score
from moodplayer.vision.datasets import Dataset, DatasetError, Sample, load_dataset


def run_eval(data: Dataset, read: Callable[[np.ndarray], Reading], show_progress: bool = True,
             collect: Callable[[Sample, Reading], None] | None = None) -> dict:
    """Read every sample with ``read`` (image -> Reading) and score the predictions.
    ``collect`` sees every sample that was read with its reading (``--per-person``)."""
    truth, predicted, groups = [], [], []
    progress = Progress(len(data.samples)) if show_progress else None
    start = time.perf_counter()
    for i, sample in enumerate(data.samples):
        image = cv2.imread(str(sample.path), cv2.IMREAD_COLOR)
        if image is None:  # missing, truncated or not really an image
            data.skip("unreadable image", sample.path)
        else:
            truth.append(sample.label)
            reading = read(image)
            predicted.append(reading.emotion)
            groups.append(sample.group)
            if collect:
                collect(sample, reading)
        if progress:
            progress.update(i + 1)
    elapsed = time.perf_counter() - start
    if progress:
        progress.done()
    result = score(truth, predicted, groups if any(groups) else None)
    result["images_per_s"] = round(len(truth) / elapsed, 2) if elapsed > 0 and truth else None
    result["skipped"] = dict(data.skipped)
    result["skipped_examples"] = dict(data.examples)
    return result


class Progress:
    """A one-line progress bar on stderr, redrawn in place on a terminal, and a line
    every 10 % in a log."""

    def __init__(self, total: int, stream=None) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last_step = -1

    def update(self, done: int) -> None:
        step = done * (100 if self.tty else 10) // self.total
        if step == self._last_step:
            return
        self._last_step = step
        bar = "#" * (done * 30 // self.total)
        line = f"[{bar:<30}] {done}/{self.total}"
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def format_table(result: dict) -> str:
    lines = [
        f"engine {result.get('engine')}, detector {result.get('detector')}: "
        f"{result['n']} images, {result['no_face']} without a face found",
        f"accuracy {_pct(result['accuracy'])}   on faces found {_pct(result['accuracy_on_faces'])}"
        f"   macro F1 {_num(result['macro_f1'])}   {result.get('images_per_s')} images/s",
        "",
        f"{'label':<10}{'n':>6}{'recall':>9}{'precision':>11}",
    ]
    for label, row in result["per_class"].items():
        lines.append(f"{label:<10}{row['n']:>6}{_pct(row['recall']):>9}{_pct(row['precision']):>11}")
    cols = result["confusion_columns"]
    lines += ["", "confusion (rows: truth)", " " * 10 + "".join(f"{c[:7]:>8}" for c in cols)]
    for label, row in zip(result["labels"], result["confusion"]):
        lines.append(f"{label:<10}" + "".join(f"{v:>8}" for v in row))
    groups = result.get("groups")
    if groups:
        lines += ["", "groups:"]
        for g, row in groups["accuracy"].items():
            lines.append(f"  {g}: n {row['n']}, accuracy {_pct(row['accuracy'])}")
        gap = groups["largest_recall_gap"]
        if gap:
            lines.append(f"  largest recall gap: {gap['label']} {_pct(gap['gap'])} "
                         f"({gap['best']} vs {gap['worst']})")
    if result.get("skipped"):
        lines += ["", "skipped: " + ", ".join(f"{k} {v} (e.g. {result['skipped_examples'][k]})"
                                              for k, v in result["skipped"].items())]
    return "\n".join(lines)


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def cmd_eval(args) -> int:
    """``moodplayer eval`` (the parser: commands/eval.py)."""
    from moodplayer.commands.common import effective_from_args, fail, model_config
    from moodplayer.core.settings.effective import ConfigError
    from moodplayer.vision.models import ModelUnavailable

    try:
        cfg = model_config(args, effective_from_args(args))
        data = load_dataset(args.dir, args.labels)
    except (DatasetError, ConfigError) as err:
        return fail(str(err))
    if args.per_person is not None and (args.per_person < 1 or args.baseline):
        return fail("--per-person needs K >= 1 and the app's analyzer (not --baseline)")
    if args.identify is not None and args.identify < 1:
        return fail("--identify needs K >= 1 enrolment pictures per person")
    if args.identify is not None and not any(s.group for s in data.samples):
        return fail(f"--identify needs a group (person) per picture: a path,label,group CSV in {args.dir}")
    try:
        if args.baseline:
            from moodplayer.dev.baseline import extract_faces_reader

            read, engine, detector = extract_faces_reader(), "fer-keras (bare crop)", "extract_faces defaults"
        else:
            from moodplayer.vision.analyzer import Analyzer

            analyzer = Analyzer.create(cfg)
            read = analyzer.read_crop if args.no_detect else analyzer.analyze_still
            engine = analyzer.engine.name + (" + flip" if cfg.flip else "") + (
                f" + rebalance {cfg.rebalance:g}" if cfg.rebalance else "")
            d = cfg.detector
            detector = "none" if args.no_detect else (
                f"{d.backend}, align {'on' if d.align else 'off'}, expand {d.expand_percentage} %, "
                f"width {d.detect_width or 'full'}, border {d.border:g}")
    except ModelUnavailable as err:
        return fail(str(err), code=3)
    from moodplayer.dev import per_person  # --per-person K: calibration, measured

    collect = per_person.Collector(analyzer) if args.per_person else None
    result = run_eval(data, read, show_progress=not args.quiet, collect=collect)
    result.update(engine=engine, detector=detector)
    if collect:
        result["per_person"] = per_person.per_person(collect.reads, args.per_person)
    if args.identify is not None:
        from moodplayer.dev.identify import run_identify

        try:
            result["identify"] = run_identify(args.dir, args.labels, args.identify)
        except ValueError as err:
            return fail(str(err))
        except ModelUnavailable as err:
            return fail(str(err), code=3)
    print(json.dumps(result) if args.json else format_table(result) + per_person.format_per_person(result))
    if args.identify is not None and not args.json:
        i = result["identify"]
        print(f"identify (K={i['k']}, threshold {i['threshold']:g}): {100 * i['accuracy']:.1f} % of "
              f"{i['n']} pictures right, {100 * i['strangers_accepted']:.1f} % of strangers accepted")
    return 0
