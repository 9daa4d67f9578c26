"""``moodplayer calibrate PROFILE``: learn one person's calibration and keep it with the profile.

From a video and a timing script (``{"script": [[start_s, end_s, label], ...]}``, label one
of the seven or "none"), or from a labelled folder / CSV of the person's pictures (the
layout ``moodplayer eval`` reads). Every frame inside a labelled segment is read once; its
uncalibrated scores and features feed ``core.calibration.fit``; the result is saved by
``core.calibration_store`` (numbers only). Bad input exits 2 with one line and saves nothing.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from moodplayer.core.emotions import EMOTIONS

NO_LABEL = "none"


class CalibrateInputError(ValueError):
    """The command's input cannot make a calibration: one line says why."""


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    label: str  # one of EMOTIONS, or NO_LABEL


def add_parser(sub, add_config_options) -> argparse.ArgumentParser:
    from moodplayer.command_config import MODEL_SETTINGS, add_setting_options

    p = sub.add_parser("calibrate", help="learn a person's expressions and keep them with a profile")
    p.add_argument("name", metavar="PROFILE", help="the profile the calibration belongs to (made if missing)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--video", metavar="CLIP", help="a video of the person (with --script)")
    source.add_argument("--pictures", metavar="DIR",
                        help="<label>/<image> folders or a folder with labels.csv of the person")
    p.add_argument("--script", metavar="JSON",
                   help='{"script": [[start_s, end_s, label], ...]}: what the video shows when')
    p.add_argument("--labels", metavar="CSV", help="with --pictures: path,label (relative to the CSV)")
    add_setting_options(p, MODEL_SETTINGS)
    add_config_options(p, argparse.SUPPRESS)
    p.add_argument("--allow-download", action="store_true", help=argparse.SUPPRESS)
    return p


def cmd_calibrate(args) -> int:
    from moodplayer.command_config import effective_from_args, fail, model_config
    from moodplayer.core import calibration_store
    from moodplayer.core.calibration import CalibrationError, agreement, fit
    from moodplayer.core.config import ConfigError
    from moodplayer.vision.models import ModelUnavailable

    name = args.name.strip()
    if not name:
        return fail("the profile name is empty")
    args.profile = None  # the machine's model settings; the profile itself may not exist yet
    try:
        effective = effective_from_args(args)
    except ConfigError as err:
        return fail(str(err))
    try:
        if args.video:
            if not args.script:
                raise CalibrateInputError("--video needs --script SCRIPT.json (what it shows when)")
            script = load_script(args.script)
        elif args.script:
            raise CalibrateInputError("--script goes with --video, not with --pictures")
        # the input is checked before the model loads: a wrong path fails at once
        source = open_video(args.video) if args.video else None
        pictures = None if args.video else load_pictures(args.pictures, args.labels)
        try:
            from moodplayer.vision.analyzer import Analyzer

            analyzer = Analyzer.create(model_config(args, effective))
            analyzer.keep_raw = True
            if source is not None:
                samples, missed, seen, takes = read_video(analyzer, source, script, args.video)
            else:
                samples, missed, seen = read_pictures(analyzer, pictures)
                takes = None  # every picture is an example
        finally:
            if source is not None:
                source.close()
        if not samples:
            raise CalibrateInputError(f"no face found in the labelled {seen}")
        try:
            calibration = fit(samples, takes)
        except CalibrationError as err:  # the neutral segment or pictures showed no face
            raise CalibrateInputError(f"no face found in the neutral {seen}: {err}") from err
    except CalibrateInputError as err:
        return fail(str(err))
    except ModelUnavailable as err:
        return fail(str(err), code=3)

    before = agreement(samples, None)
    after = agreement(samples, calibration)
    try:
        created = ensure_profile(args.config, name)
    except OSError as err:
        return fail(str(err))
    try:
        path = calibration_store.save(name, calibration)
    except (OSError, ValueError) as err:
        return fail(f"cannot save the calibration: {err}")
    counts = Counter(s[0] for s in samples)
    if created:
        print(f"profile {name!r} made in {created}")
    print(f"profile {name!r}: learnt {', '.join(calibration.labels)} from {len(samples)} "
          f"{seen} with a face ({'features' if calibration.uses_features else 'scores only'})")
    for label in EMOTIONS:
        if counts[label]:
            takes_note = ""
            if takes:
                n = calibration.stats[label].count
                takes_note = f" ({n} segment{'s' if n > 1 else ''})"
            print(f"  {label:<9}{counts[label]:>5} {seen}{takes_note}")
    if missed:
        print(f"  left out: {missed} labelled {seen} without a face found")
    print(f"agreement with the labels on these {seen}: {100 * before:.1f} % before, "
          f"{100 * after:.1f} % after calibration")
    print(f"saved to {path} (numbers only, no images)")
    return 0


def ensure_profile(config: str | None, name: str):
    """The settings file gets an (empty) profile ``name`` if it has none; its path if made.
    A settings file that cannot be read is never overwritten: OSError says so."""
    from moodplayer.core.profiles import add_profile
    from moodplayer.core.settings import load_settings, save_settings
    from moodplayer.paths import config_file

    path = config_file(config)
    loaded = load_settings(path, keep_aside=False)
    if name in loaded.settings.profiles:
        return None
    if loaded.problems:
        raise OSError(f"{path} has problems ({loaded.problems[0]}); profile {name!r} was not "
                      f"added to it (open MoodPlayer once to repair it)")
    add_profile(loaded.settings, name)
    save_settings(path, loaded.settings)
    return path


def load_script(path: str) -> list[Segment]:
    """The timing script, checked: every problem is one line naming the entry."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise CalibrateInputError(f"cannot read the script {path}: {err.strerror or err}") from err
    except (UnicodeDecodeError, ValueError) as err:
        raise CalibrateInputError(f"the script {path} is not JSON: {err}") from err
    entries = data.get("script") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CalibrateInputError(f'the script {path} must be {{"script": [[start_s, end_s, label], ...]}}')
    segments = []
    for i, entry in enumerate(entries):
        where = f"script entry {i + 1} ({json.dumps(entry)})"
        if not isinstance(entry, list) or len(entry) != 3:
            raise CalibrateInputError(f"{where}: expected [start_s, end_s, label]")
        start, end, label = entry
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                   for v in (start, end)) or not 0 <= start < end:
            raise CalibrateInputError(f"{where}: times must be seconds with 0 <= start < end")
        if not isinstance(label, str) or label.lower() not in EMOTIONS + (NO_LABEL,):
            raise CalibrateInputError(f"{where}: label {label!r} is not one of "
                                      f"{', '.join(EMOTIONS)} or {NO_LABEL}")
        segments.append(Segment(float(start), float(end), label.lower()))
    segments.sort(key=lambda s: s.start)
    for a, b in zip(segments, segments[1:]):
        if b.start < a.end:
            raise CalibrateInputError(f"script segments overlap: {a.start:g}-{a.end:g} s and "
                                      f"{b.start:g}-{b.end:g} s")
    if not any(s.label == "neutral" for s in segments):
        raise CalibrateInputError("the script has no neutral segment: a calibration starts "
                                  "from the relaxed face")
    return segments


def segment_at(script: list[Segment], t: float) -> Segment | None:
    for s in script:
        if s.start <= t < s.end:
            return s
    return None


def label_at(script: list[Segment], t: float) -> str | None:
    s = segment_at(script, t)
    return None if s is None or s.label == NO_LABEL else s.label


def open_video(clip: str):
    from moodplayer.vision.sources import SourceError, VideoFileSource, parse_source

    try:
        spec = parse_source(clip)
        if spec.kind != "file":
            raise CalibrateInputError(f"--video takes a video file, not {clip!r}")
        return VideoFileSource(spec.path, loop=False)
    except SourceError as err:
        raise CalibrateInputError(str(err)) from err


def read_video(analyzer, source, script: list[Segment], clip: str) -> tuple[list[tuple], int, str, dict]:
    """(label, scores, features) of every labelled frame with a face, how many labelled
    frames had none, what the samples are called, and per label how many script segments
    they come from (a segment's frames are one example, not one each)."""
    samples = []
    segments_seen: set[Segment] = set()  # the segments that gave a face: one take each
    frames = missed = labelled = 0
    try:
        while (image := source.read()) is not None:
            t = frames / source.fps  # media time, as analyze counts it
            frames += 1
            label = label_at(script, t)
            if label is None:
                continue
            labelled += 1
            analyzer.analyze(image, t)
            if analyzer.last_raw is None:
                missed += 1
            else:
                scores, features = analyzer.last_raw
                samples.append((label, scores, features))
                segments_seen.add(segment_at(script, t))
    finally:
        source.close()
    if frames == 0:
        raise CalibrateInputError(f"{clip} holds no frames")
    if labelled == 0:
        raise CalibrateInputError(f"the script's segments lie beyond the end of {clip} "
                                  f"({frames / source.fps:.1f} s)")
    takes = Counter(segment.label for segment in segments_seen)
    return samples, missed, "frames", dict(takes)


def load_pictures(folder: str, labels_csv: str | None):
    from moodplayer.vision.datasets import DatasetError, load_dataset

    try:
        data = load_dataset(folder, labels_csv)
    except DatasetError as err:
        raise CalibrateInputError(str(err)) from err
    if not data.samples:
        raise CalibrateInputError(f"{folder} holds no labelled pictures ({dict(data.skipped)})")
    if not any(sample.label == "neutral" for sample in data.samples):
        raise CalibrateInputError(f"{folder} has no neutral pictures: a calibration starts "
                                  "from the relaxed face")
    return data


def read_pictures(analyzer, data) -> tuple[list[tuple], int, str]:
    import cv2

    samples = []
    missed = 0
    for sample in data.samples:
        image = cv2.imread(str(sample.path), cv2.IMREAD_COLOR)
        if image is not None:
            analyzer.analyze_still(image)
        if image is None or analyzer.last_raw is None:  # unreadable, or no face found
            missed += 1
        else:
            scores, features = analyzer.last_raw
            samples.append((sample.label, scores, features))
    return samples, missed, "pictures"

