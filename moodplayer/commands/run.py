"""``moodplayer [run]``: open the player window (the default command)."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from moodplayer.commands.common import (
    MODEL_SETTINGS,
    RATE_SETTINGS,
    add_config_options,
    add_download_option,
    add_setting_options,
    effective_from_args,
    fail,
    setting_overrides,
)

NAME = "run"
HELP = "open the player window (the default)"
DEV_ONLY = False
PLAYBACK_SETTINGS = ("switch_fade_s", "crossfade_s", "replaygain", "resume", "tray", "notifications")
SETTINGS = ("source",) + MODEL_SETTINGS + RATE_SETTINGS + PLAYBACK_SETTINGS  # what `run` can override


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a number of seconds above 0")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_setting_options(p, SETTINGS)
    p.add_argument("--audio-out", default="default", metavar="OUT",
                   help="default | dummy | afile:PATH.wav (VLC writes the decoded audio there) | "
                        "clock:PATH.wav (an emulated sound card: what is heard, gaps included)")
    p.add_argument("--backend", choices=("vlc", "null"), default="vlc",
                   help="null plays nothing (for machines without sound)")
    p.add_argument("--quit-after", type=_seconds, metavar="SECONDS", help="close by itself")
    p.add_argument("--screenshot", metavar="PNG",
                   help="with --quit-after: save a screenshot of the screen before closing")
    p.add_argument("--settings", action="store_true", help="open the settings dialog at start")
    add_config_options(p, "start on this client profile (default: the last one used)")
    add_download_option(p)
    p.add_argument("paths", nargs="*", default=[], metavar="FILE|FOLDER|PLAYLIST",
                   help="music to play as your pick (audio files, folders, playlist files or "
                        "file:// URIs); Auto in the dropdown hands the music back to the mood")


def run(args: argparse.Namespace) -> int:
    from moodplayer.core.settings.effective import ConfigError
    from moodplayer.system.display import display_problem
    from moodplayer.vision.sources import SourceError, parse_source

    if problem := display_problem():  # before Qt, which aborts the process without a screen
        return fail(problem)
    if args.screenshot and not args.quit_after:
        return fail("--screenshot goes with --quit-after SECONDS (the picture is taken before closing)")
    if args.screenshot and (problem := screenshot_problem(args.screenshot)):
        return fail(problem)  # checked now, not after the whole run (and again when saving)
    if args.source:
        try:
            parse_source(args.source)
        except SourceError as err:
            if not args.source.startswith("camera"):
                return fail(str(err))  # a camera that fails falls back to the demo clip
    if args.paths:
        from moodplayer.core.music.opened import music_paths

        _, problems = music_paths(args.paths)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            return fail(f"cannot open {problems[0]}{more}")
    try:
        effective_from_args(args)  # an unknown profile or a bad value stops here, not in the window
        from moodplayer.playback.vlc_backend import audio_out_args, audio_out_problem

        audio_out_args(args.audio_out)
        if problem := audio_out_problem(args.audio_out):
            return fail(problem)
    except (ConfigError, ValueError) as err:
        return fail(str(err))
    from moodplayer.app.instance import InstanceError, Running, claim

    try:
        claimed = claim()
    except InstanceError as err:
        return fail(str(err), code=1)
    if isinstance(claimed, Running):
        return hand_over(claimed, args)
    from moodplayer.app import AppOptions, run_app

    return run_app(app_options(args, AppOptions), instance=claimed)


def request_of(args: argparse.Namespace) -> dict:
    """What this ``moodplayer run`` asks of the one already running: its command line, and
    the files it names, absolute (the running one has another working folder)."""
    paths = [p if "://" in p or p.startswith("file:") else os.path.abspath(os.path.expanduser(p))
             for p in getattr(args, "paths", None) or []]  # a file:// URI is absolute already
    return {"argv": sys.argv[1:], "paths": paths}


def hand_over(running, args: argparse.Namespace) -> int:
    from moodplayer.app.instance import InstanceError

    request = request_of(args)
    n = len(request["paths"])
    asked = f"open {n} file{'s' if n != 1 else ''}" if n else "show its window"
    try:
        said = running.hand_over(request)
    except InstanceError as err:
        return fail(str(err), code=1)
    print(f"MoodPlayer is already running: asked it to {asked}" + (f" ({said})" if said else ""))
    return 0


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff", ".webp")


def screenshot_problem(text: str) -> str | None:
    """None when a picture can be written at ``text``; otherwise why not, in one line. The
    file is opened for writing as a test (and removed again if it was not there)."""
    path = Path(text).expanduser()
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return f"--screenshot {text}: the name must end in {', '.join(IMAGE_SUFFIXES)}"
    if path.is_dir():
        return f"--screenshot {text}: is a folder, not a file"
    existed = path.exists()
    try:
        with open(path, "ab"):
            pass
    except OSError as err:
        return f"--screenshot {text}: cannot be written ({err.strerror or err})"
    if not existed:
        path.unlink(missing_ok=True)
    return None


def app_options(args: argparse.Namespace, options_class):
    """What the window is started with: every setting option given, as one override dict."""
    return options_class(
        overrides={k: v for k, v in setting_overrides(args).items() if v is not None},
        audio_out=args.audio_out,
        profile=args.profile,
        config=args.config,
        allow_download=args.allow_download,
        backend=args.backend,
        quit_after=args.quit_after,
        screenshot=args.screenshot,
        open_settings=args.settings,
        open_paths=list(getattr(args, "paths", None) or []),
    )
