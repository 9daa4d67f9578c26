"""One change at a time in the running app: the A/B runs behind docs/performance.md's
"What each change bought" (issue 21's third round), rerunnable.

    python -m moodplayer.dev.app_ab [--preset steady|jittery] [--engine fer] [--seconds 20]
                                    [--runs 2] [--variants shipped,ffmpeg,no-preview]

bench's camera-like clip (``--preset``, 30 s) is made in a temporary folder; each variant
runs ``--runs`` times, alternating, in a fresh process of its own: the real app offscreen
on the clip as a 30 fps camera, measured as bench's ``app`` worker measures it
(dev/bench_app.py: CPU of every thread over ``--seconds`` after the warm-up). Variants:

- ``shipped``: the app as it is;
- ``ffmpeg``: MJPEG files read through FFmpeg's decoding grab, as before the third round
  (every frame decoded as it is grabbed);
- ``no-preview``: the preview never asks for a frame, as with the window hidden in the
  tray or minimised (only the analysis's frames are decoded).

Prints one JSON line a run (cores, decoded/analysed/painted a second, threads, moods).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from moodplayer.core.settings.schema import ENGINES

VARIANTS = ("shipped", "ffmpeg", "no-preview")


def apply(variant: str) -> None:
    """Patch this process for ``variant`` (before the app is built)."""
    if variant == "ffmpeg":
        from moodplayer.vision.sources import VideoFileSource

        VideoFileSource._read_as_jpeg = lambda self: False  # type: ignore[method-assign]  # the A/B's point
    elif variant == "no-preview":
        from moodplayer.app.preview_feed import PreviewFeed

        PreviewFeed.start = lambda self: None  # type: ignore[method-assign]  # the A/B's point
    elif variant != "shipped":
        raise SystemExit(f"app_ab: unknown variant {variant!r} (one of {', '.join(VARIANTS)})")


def child(variant: str, clip: str) -> int:
    apply(variant)
    from moodplayer.dev.bench_app import app_worker

    figures = app_worker(clip, paused=False)
    r = figures["running"]
    print(json.dumps({"variant": variant, "cpu_cores": r["cpu_cores"], "decoded_fps": r["decoded_fps"],
                      "analysed_fps": r["analysed_fps"], "preview_fps": r["preview_fps"],
                      "threads": r["threads"], "moods": figures["moods"]}), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app_ab", description="one change at a time in the running app")
    parser.add_argument("--preset", choices=("steady", "jittery"), default="steady")
    parser.add_argument("--engine", choices=ENGINES, default="fer")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--variants", default="shipped,ffmpeg,no-preview")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "CLIP"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        parser.error(f"--variants: one or more of {', '.join(VARIANTS)}")
    if not args.seconds > 0 or args.runs < 1:
        parser.error("--seconds must be above 0 and --runs at least 1")

    from moodplayer.core.settings.schema import Settings, save_settings
    from moodplayer.dev.bench import camera_clip

    with tempfile.TemporaryDirectory(prefix="moodplayer-ab-") as tmp:
        clip = camera_clip(Path(tmp), args.preset, 30.0)
        for run in range(args.runs):
            for variant in variants:
                # a settings file of its own for each run: the app saves its window as it quits
                settings = Path(tmp) / f"settings-{run}-{variant}.toml"
                save_settings(settings, replace(Settings(), engine=args.engine))
                env = dict(os.environ, MOODPLAYER_CONFIG=str(settings),
                           MOODPLAYER_BENCH_APP_S=str(args.seconds))
                env.setdefault("QT_QPA_PLATFORM", "offscreen")
                proc = subprocess.run([sys.executable, "-m", "moodplayer.dev.app_ab", "--child", variant,
                                       str(clip)], env=env, capture_output=True, text=True, timeout=600)
                line = (proc.stdout.strip().splitlines() or [""])[-1]
                if proc.returncode or not line.startswith("{"):
                    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                    print(json.dumps({"variant": variant, "error": f"exit {proc.returncode}: {tail}"}))
                else:
                    print(line)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `... | head -1`: the reader left
        from moodplayer.commands import quiet_stdout

        quiet_stdout()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
