"""``moodplayer calibrate PROFILE``: learn one person's calibration and keep it with the profile.

From a video and a timing script (core/calibration/script.py) or from a labelled folder /
CSV of the person's pictures (the layout ``moodplayer eval`` reads). The samples come from
vision/calibration_samples.py, the fit from core/calibration/model.py, the profile from
core/settings/lifecycle.py. Bad input exits 2 with one line and saves nothing.

It says what it used: every script segment beyond the video's end, cut by it, or without a
face found is named. A calibration that agrees less with the labels than no calibration
would make things worse: it is not saved (exit 2, the old calibration kept) unless
``--force``.
"""

from __future__ import annotations

import argparse
from collections import Counter

from moodplayer.commands.common import (
    MODEL_SETTINGS,
    add_config_options,
    add_download_option,
    add_setting_options,
    effective_from_args,
    fail,
    model_config,
)
from moodplayer.core.emotions import EMOTIONS

NAME = "calibrate"
HELP = "learn a person's expressions and keep them with a profile"
DEV_ONLY = False


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="PROFILE", help="the profile the calibration belongs to (made if missing)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--video", metavar="CLIP", help="a video of the person (with --script)")
    source.add_argument("--pictures", metavar="DIR",
                        help="<label>/<image> folders or a folder with labels.csv of the person")
    p.add_argument("--script", metavar="JSON",
                   help='{"script": [[start_s, end_s, label], ...]}: what the video shows when')
    p.add_argument("--labels", metavar="CSV", help="with --pictures: path,label (relative to the CSV)")
    p.add_argument("--force", action="store_true",
                   help="save the calibration even when it agrees less with the labels than none")
    add_setting_options(p, MODEL_SETTINGS)
    add_config_options(p, argparse.SUPPRESS)
    add_download_option(p, hidden=True)


def run(args: argparse.Namespace) -> int:
    from moodplayer.core.calibration import store as calibration_store
    from moodplayer.core.calibration.model import CalibrationError, agreement, fit
    from moodplayer.core.calibration.script import ScriptError, load_script
    from moodplayer.core.files.locations import config_file
    from moodplayer.core.settings import lifecycle
    from moodplayer.core.settings.effective import ConfigError
    from moodplayer.vision import calibration_samples as cs
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
        if args.video and not args.script:
            return fail("--video needs --script SCRIPT.json (what it shows when)")
        if args.pictures and args.script:
            return fail("--script goes with --video, not with --pictures")
        # the input is checked before the model loads: a wrong path fails at once
        script = load_script(args.script) if args.video else None
        source = cs.open_video(args.video) if args.video else None
        pictures = None if args.video else cs.load_pictures(args.pictures, args.labels)
        try:
            from moodplayer.vision.analyzer import Analyzer

            analyzer = Analyzer.create(model_config(args, effective))
            analyzer.keep_raw = True
            if source is not None and script is not None:
                read = cs.read_video(analyzer, source, script, args.video)
            elif pictures is not None:
                read = cs.read_pictures(analyzer, pictures)
            else:  # never: argparse asks for --video or --pictures
                return fail("give --video CLIP or --pictures FOLDER")
        finally:
            if source is not None:
                source.close()
        seen = read.unit
        if not read.samples:
            return fail(f"no face found in the labelled {seen}")
        try:
            calibration = fit(read.samples, read.takes)
        except CalibrationError as err:  # the neutral segment or pictures showed no face
            return fail(f"no face found in the neutral {seen}: {err}")
    except (ScriptError, cs.SamplesError) as err:
        return fail(str(err))
    except ModelUnavailable as err:
        return fail(str(err), code=3)

    before = agreement(read.samples, None)
    after = agreement(read.samples, calibration)
    _tell_what_was_used(name, read, calibration, args.video)
    print(f"agreement with the labels on these {seen}: {100 * before:.1f} % before, "
          f"{100 * after:.1f} % after calibration")
    if after < before and not args.force:
        had = calibration_store.calibration_path(name).exists()
        return fail(f"not saved: this calibration agrees less with the labels than none "
                    f"({100 * after:.1f} % after, {100 * before:.1f} % before); "
                    + ("the old calibration is kept" if had else "the profile stays uncalibrated")
                    + " (--force saves it anyway)")
    path = config_file(args.config)
    try:
        created = lifecycle.ensure_in_file(path, name)
    except OSError as err:
        return fail(str(err))
    try:
        saved = calibration_store.save(name, calibration)
    except (OSError, ValueError) as err:
        return fail(f"cannot save the calibration: {err}")
    if created:
        print(f"profile {name!r} made in {path}")
    if after < before:
        print("saved although it agrees less with the labels than none (--force)")
    print(f"saved to {saved} (numbers only, no images)")
    return 0


def _tell_what_was_used(name: str, read, calibration, clip: str | None) -> None:
    """What the calibration learnt from, per label, and what of the input it could not use."""
    from pathlib import Path

    seen = read.unit
    counts = Counter(s[0] for s in read.samples)
    print(f"profile {name!r}: learnt {', '.join(calibration.labels)} from {len(read.samples)} "
          f"{seen} with a face ({'features' if calibration.uses_features else 'scores only'})")
    for label in EMOTIONS:
        if counts[label]:
            takes_note = ""
            if read.takes:
                n = calibration.stats[label].count
                takes_note = f" ({n} segment{'s' if n > 1 else ''})"
            print(f"  {label:<9}{counts[label]:>5} {seen}{takes_note}")
    if read.missed:
        print(f"  left out: {read.missed} labelled {seen} without a face found")
    video = Path(clip).name if clip else "the video"
    end = f"the end of {video} ({read.seconds:.1f} s)"
    for s in read.beyond:
        print(f"  not used: segment {s.start:g}-{s.end:g} s ({s.label}) lies beyond {end}")
    for s in read.cut:
        print(f"  cut: segment {s.start:g}-{s.end:g} s ({s.label}) runs past {end}: "
              f"{read.seconds - s.start:.1f} of {s.end - s.start:g} s used")
    for s, frames in read.faceless:
        print(f"  not used: segment {s.start:g}-{s.end:g} s ({s.label}): no face found in its "
              f"{frames} frames")
