"""``moodplayer eval DIR``: score the app's analyzer on labelled pictures (development only:
the measuring code lives in moodplayer/dev, which the packaged app leaves out)."""

from __future__ import annotations

import argparse

from moodplayer.commands.common import (
    MODEL_SETTINGS,
    add_config_options,
    add_download_option,
    add_setting_options,
)

NAME = "eval"
HELP = "score the emotion analyzer on labelled pictures"
DEV_ONLY = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help="<label>/<image> folders, or a folder with labels.csv")
    p.add_argument("--labels", metavar="CSV", help="path,label[,group] (paths relative to the CSV)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-detect", action="store_true", help="the pictures are face crops already")
    p.add_argument("--baseline", action="store_true",
                   help="score DeepFace.extract_faces defaults + the bare mini-Xception instead")
    p.add_argument("--detect-width", type=int, metavar="PX", help="shrink pictures to this width to detect")
    p.add_argument("--border", type=float, metavar="FRACTION",
                   help="pad pictures by this fraction before detecting")
    p.add_argument("--flip", action=argparse.BooleanOptionalAction, default=None,
                   help="average with the mirrored crop")
    p.add_argument("--rebalance", type=float, metavar="STRENGTH",
                   help="undo FER-2013's class prior: 0 off .. 1 fully")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--per-person", type=int, metavar="K",
                   help="also score a per-person calibration built from K pictures of each label")
    p.add_argument("--identify", type=int, metavar="K",
                   help="also measure listener recognition: K pictures enrol each group (person), "
                        "the rest are identified, each group left out once counts strangers")
    add_setting_options(p, MODEL_SETTINGS)
    add_config_options(p, "use this profile (default: the built-in defaults)", default_file=False)
    add_download_option(p)


def run(args: argparse.Namespace) -> int:
    from moodplayer.dev.evaluate import cmd_eval

    return cmd_eval(args)
