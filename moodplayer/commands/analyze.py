"""``moodplayer analyze VIDEO``: the app's analyzer and mood window over a video, no window."""

from __future__ import annotations

import argparse
import json
import sys

from moodplayer.commands.common import (
    MODEL_SETTINGS,
    RATE_SETTINGS,
    REACTION_SETTINGS,
    add_config_options,
    add_download_option,
    add_setting_options,
    effective_from_args,
    fail,
)

NAME = "analyze"
HELP = "read the moods in a video, without a window"
DEV_ONLY = False


def _stride(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 1 or more")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("video")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--recognise", action="store_true",
                   help="also say who is listening (enrolled profiles, see 'moodplayer enrol')")
    p.add_argument("--stride", type=_stride, default=1, metavar="N", help="analyse every Nth frame")
    add_setting_options(p, MODEL_SETTINGS + REACTION_SETTINGS + RATE_SETTINGS)
    add_config_options(p, "use this profile's mood window (default: the active one)")
    add_download_option(p)


def run(args: argparse.Namespace) -> int:
    from moodplayer.core.calibration import store as calibration_store
    from moodplayer.core.settings.effective import ConfigError
    from moodplayer.vision.analyze_video import analyze_video
    from moodplayer.vision.models import ModelUnavailable
    from moodplayer.vision.sources import SourceError

    try:
        effective = effective_from_args(args)
        calibration, problem = calibration_store.load(effective.profile_name)
        if problem:  # a damaged calibration is said and left aside, never fatal
            print(f"moodplayer: {problem}", file=sys.stderr)
        result = analyze_video(args.video, effective, stride=args.stride,
                               allow_download=args.allow_download, calibration=calibration)
        if args.recognise:
            from moodplayer.vision.analyze_video import recognise_listeners

            result["listeners"], problems = recognise_listeners(
                args.video, effective.profile_name, list(effective.settings.profiles))
            for problem in problems:
                print(f"moodplayer: {problem}", file=sys.stderr)
    except (SourceError, ConfigError) as err:
        return fail(str(err))
    except ModelUnavailable as err:
        return fail(str(err), code=3)
    if args.json:
        print(json.dumps(result))
        return 0
    s = result["settings"]
    print(f"{result['frames']} frames, {result['analyzed']} analysed "
          f"({result['engine']} + {result['detector']}; profile {s['profile']}, "
          f"window {s['window_s']:g} s)")
    for change in result["moods"]:
        print(f"{change['t']:7.2f} s  {change['mood']}")
    for change in result.get("listeners", []):
        print(f"{change['t']:7.2f} s  listener: {change['profile'] or 'nobody enrolled'} ({change['why']})")
    return 0
