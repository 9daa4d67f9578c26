"""Command line: ``moodplayer [run]``, ``analyze``, ``doctor``."""

from __future__ import annotations

import argparse
import json
import logging
import sys

COMMANDS = ("run", "analyze", "eval", "bench", "doctor", "calibrate")


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
    run.add_argument("--settings", action="store_true", help="open the settings dialog at start")
    _add_model_options(run)
    run.add_argument("--config", help="settings file (default: the platform's config folder)")

    analyze = sub.add_parser("analyze", help="read the moods in a video, without a window")
    analyze.add_argument("video")
    analyze.add_argument("--json", action="store_true", help="print one JSON object")
    analyze.add_argument("--stride", type=int, default=1, help="analyse every Nth frame")
    analyze.add_argument("--window", type=float, default=5.0, help="mood window in seconds")
    _add_model_options(analyze)

    ev = sub.add_parser("eval", help="score the emotion analyzer on labelled pictures")
    ev.add_argument("dir", help="<label>/<image> folders, or a folder with labels.csv")
    ev.add_argument("--labels", metavar="CSV", help="path,label[,group] (paths relative to the CSV)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--no-detect", action="store_true", help="the pictures are face crops already")
    ev.add_argument("--baseline", action="store_true",
                    help="score DeepFace.extract_faces defaults + the bare mini-Xception instead")
    ev.add_argument("--align", action=argparse.BooleanOptionalAction, default=None,
                    help="level the eyes before reading")
    ev.add_argument("--expand", type=int, metavar="PERCENT", help="crop margin (DeepFace's expand_percentage)")
    ev.add_argument("--detect-width", type=int, metavar="PX", help="shrink pictures to this width to detect")
    ev.add_argument("--border", type=float, metavar="FRACTION",
                    help="pad pictures by this fraction before detecting")
    ev.add_argument("--flip", action=argparse.BooleanOptionalAction, default=None,
                    help="average with the mirrored crop")
    ev.add_argument("--rebalance", type=float, metavar="STRENGTH",
                    help="undo FER-2013's class prior: 0 off .. 1 fully")
    ev.add_argument("--quiet", action="store_true", help="no progress bar")
    ev.add_argument("--per-person", type=int, metavar="K",
                    help="also score a per-person calibration built from K pictures of each label")
    _add_model_options(ev)

    bench = sub.add_parser("bench", help="measure speed, memory and reaction time")
    bench.add_argument("--video", help="640x480 video (default: one generated from package faces)")
    bench.add_argument("--frames", type=int, default=300, help="frames per contender")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--skip-baseline", action="store_true", help=argparse.SUPPRESS)

    sub.add_parser("doctor", help="check cameras, libvlc, models and Qt; say how to fix")
    from moodplayer import calibrate_cmd  # calibration: its own module

    calibrate_cmd.add_parser(sub)
    return parser


def _add_model_options(p: argparse.ArgumentParser) -> None:
    from moodplayer.vision.models import ENGINES

    p.add_argument("--engine", choices=ENGINES)
    p.add_argument("--detector", help="DeepFace detector backend (default opencv)")
    p.add_argument("--allow-download", action="store_true",
                   help="let DeepFace download missing model weights (off: nothing is downloaded)")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv.insert(0, "run")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from moodplayer import bundle

    problem = bundle.prepare()  # only does something inside the packaged app
    if problem:
        return fail(problem, code=3)

    from moodplayer import netguard

    if not getattr(args, "allow_download", False):
        netguard.block_network()
    if args.command == "analyze":
        return cmd_analyze(args)
    if args.command == "eval":
        return cmd_eval(args)
    if args.command == "bench":
        from moodplayer.bench import cmd_bench

        return cmd_bench(args)
    if args.command == "calibrate":
        from moodplayer.calibrate_cmd import cmd_calibrate

        return cmd_calibrate(args)
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
            open_settings=args.settings,
        )
    )


def cmd_analyze(args) -> int:
    from moodplayer.headless import analyze_video
    from moodplayer.vision.models import ModelUnavailable
    from moodplayer.vision.sources import SourceError

    if args.stride < 1:
        return fail("--stride must be >= 1")
    try:
        result = analyze_video(args.video, model_config(args), stride=args.stride, window_s=args.window)
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


def model_config(args):
    """The analyzer config with this command line's model options applied."""
    from dataclasses import replace

    from moodplayer.vision.analyzer import AnalyzerConfig

    cfg = AnalyzerConfig(allow_download=args.allow_download).with_options(args.engine, args.detector)
    det = cfg.detector
    if getattr(args, "align", None) is not None:
        det = replace(det, align=args.align)
    if getattr(args, "expand", None) is not None:
        det = replace(det, expand_percentage=args.expand)
    if getattr(args, "detect_width", None) is not None:
        det = replace(det, detect_width=args.detect_width)
    if getattr(args, "border", None) is not None:
        det = replace(det, border=args.border)
    cfg = replace(cfg, detector=det)
    if getattr(args, "flip", None) is not None:
        cfg = replace(cfg, flip=args.flip)
    if getattr(args, "rebalance", None) is not None:
        cfg = replace(cfg, rebalance=args.rebalance)
    return cfg


def cmd_eval(args) -> int:
    from moodplayer.vision.evaluate import DatasetError, format_table, load_dataset, run_eval
    from moodplayer.vision.models import ModelUnavailable

    try:
        data = load_dataset(args.dir, args.labels)
    except DatasetError as err:
        return fail(str(err))
    cfg = model_config(args)
    if args.per_person is not None and (args.per_person < 1 or args.baseline):
        return fail("--per-person needs K >= 1 and the app's analyzer (not --baseline)")
    try:
        if args.baseline:
            from moodplayer.vision.baseline import extract_faces_reader

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
    from moodplayer.vision import per_person  # --per-person K: calibration, measured

    collect = per_person.Collector(analyzer) if args.per_person else None
    result = run_eval(data, read, show_progress=not args.quiet, collect=collect)
    result.update(engine=engine, detector=detector)
    if collect:
        result["per_person"] = per_person.per_person(collect.reads, args.per_person)
    print(json.dumps(result) if args.json else format_table(result) + per_person.format_per_person(result))
    return 0
