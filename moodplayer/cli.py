"""Command line: ``moodplayer [run]``, ``analyze``, ``doctor``."""

from __future__ import annotations

import argparse
import json
import logging
import sys

COMMANDS = ("run", "analyze", "doctor")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moodplayer", description="A music player that listens to your face."
    )
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="open the player window (the default)")
    run.add_argument("--source", help="camera:N, demo, or a video file (default: settings, camera:0)")
    run.add_argument("--audio-out", default="default", help="default | dummy | afile:PATH.wav")
    run.add_argument("--backend", choices=("vlc", "null"), default="vlc",
                     help="null plays nothing (for machines without sound)")
    run.add_argument("--quit-after", type=float, metavar="SECONDS", help="close by itself")
    run.add_argument("--screenshot", metavar="PNG",
                     help="with --quit-after: save a screenshot of the screen before closing")
    _add_model_options(run)
    run.add_argument("--config", help="settings file (default: the platform's config folder)")

    analyze = sub.add_parser("analyze", help="read the moods in a video, without a window")
    analyze.add_argument("video")
    analyze.add_argument("--json", action="store_true", help="print one JSON object")
    analyze.add_argument("--stride", type=int, default=1, help="analyse every Nth frame")
    analyze.add_argument("--window", type=float, default=5.0, help="mood window in seconds")
    _add_model_options(analyze)

    sub.add_parser("doctor", help="check cameras, libvlc, models and Qt; say how to fix")
    return parser


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("auto", "deepface", "fer"))
    p.add_argument("--detector", help="DeepFace detector backend (default opencv)")
    p.add_argument("--allow-download", action="store_true",
                   help="let DeepFace download missing model weights (off: nothing is downloaded)")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv.insert(0, "run")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    from moodplayer import netguard

    if not getattr(args, "allow_download", False):
        netguard.block_network()
    if args.command == "analyze":
        return cmd_analyze(args)
    if args.command == "doctor":
        from moodplayer.doctor import run_doctor

        return run_doctor()
    return cmd_run(args)


def fail(message: str, code: int = 2) -> int:
    print(f"moodplayer: error: {message}", file=sys.stderr)
    return code


def cmd_run(args) -> int:
    from moodplayer.vision.sources import SourceError, parse_source

    if args.source:
        try:
            parse_source(args.source)
        except SourceError as err:
            if not args.source.startswith("camera"):
                return fail(str(err))  # a camera that fails falls back to the demo clip
    try:
        from moodplayer.playback.vlc_backend import audio_out_args

        audio_out_args(args.audio_out)
    except ValueError as err:
        return fail(str(err))
    from moodplayer.app import AppOptions, run_app

    return run_app(
        AppOptions(
            source=args.source,
            audio_out=args.audio_out,
            engine=args.engine,
            detector=args.detector,
            config=args.config,
            allow_download=args.allow_download,
            backend=args.backend,
            quit_after=args.quit_after,
            screenshot=args.screenshot,
        )
    )


def cmd_analyze(args) -> int:
    from moodplayer.headless import analyze_video
    from moodplayer.vision.models import ModelUnavailable
    from moodplayer.vision.sources import SourceError

    if args.stride < 1:
        return fail("--stride must be >= 1")
    try:
        result = analyze_video(
            args.video,
            engine=args.engine or "auto",
            detector=args.detector or "opencv",
            stride=args.stride,
            window_s=args.window,
            allow_download=args.allow_download,
        )
    except SourceError as err:
        return fail(str(err))
    except ModelUnavailable as err:
        return fail(str(err), code=3)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['frames']} frames, {result['analyzed']} analysed "
              f"({result['engine']} + {result['detector']})")
        for change in result["moods"]:
            print(f"{change['t']:7.2f} s  {change['mood']}")
    return 0
