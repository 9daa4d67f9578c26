"""``moodplayer bench``: speed, memory and reaction time against DeepFace.analyze per frame
(development only: moodplayer/dev/bench.py; docs/performance.md)."""

from __future__ import annotations

import argparse

from moodplayer.commands.common import (
    MODEL_SETTINGS,
    RATE_SETTINGS,
    REACTION_SETTINGS,
    add_config_options,
    add_setting_options,
)

NAME = "bench"
HELP = "measure speed, memory and reaction time"
DEV_ONLY = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--video", metavar="CLIP", help="640x480 video (default: one generated from package faces)")
    p.add_argument("--frames", type=int, default=300, metavar="N", help="frames per contender")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--camera-seconds", type=float, default=30.0, metavar="S",
                   help="length of the steady and jittery camera-like clips (0: leave them out)")
    p.add_argument("--engine-faces", type=int, default=60, metavar="N",
                   help="faces each emotion engine reads for its cost a face (0: leave it out)")
    p.add_argument("--camera-engines", default="fer,blend", metavar="LIST",
                   help="engines the app runs on the camera-like clips, each at the bounded and "
                        "at the full rate (default: fer,blend)")
    p.add_argument("--camera-only", action="store_true",
                   help="only the camera-like clips (not the analyzer, DeepFace or the generated clip)")
    p.add_argument("--skip-baseline", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--player", action="store_true",
                   help="the player's figures instead: broken files, gapless, CPU during a cross-fade")
    add_setting_options(p, MODEL_SETTINGS + REACTION_SETTINGS + RATE_SETTINGS)
    add_config_options(p, "measure this profile (default: the built-in defaults)", default_file=False)


def run(args: argparse.Namespace) -> int:
    if args.player:
        from moodplayer.dev.bench_player import cmd_player_bench

        return cmd_player_bench(args)
    from moodplayer.dev.bench import cmd_bench

    return cmd_bench(args)
