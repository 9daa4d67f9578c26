"""Command line: ``moodplayer [run]``, ``analyze``, ``eval``, ``bench``, ``doctor``.

The options that change a setting are not written here: each comes from the setting's
declaration (core/settings.py), and every command turns the settings file, the profile
and those options into one effective configuration (core/config.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from moodplayer.command_config import (  # noqa: F401 (effective_from_args: for commands)
    MODEL_SETTINGS,
    RATE_SETTINGS,
    REACTION_SETTINGS,
    add_setting_options,
    effective_from_args,
    fail,
    model_config,
)

COMMANDS = ("run", "analyze", "eval", "bench", "doctor", "sessions", "report", "calibrate")
DEV_COMMANDS = ("eval", "bench")  # need the development install; the bundle leaves them out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moodplayer", description="A music player that listens to your face."
    )
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="open the player window (the default)")
    add_setting_options(run, ("source",) + MODEL_SETTINGS + RATE_SETTINGS)
    run.add_argument("--audio-out", default="default", help="default | dummy | afile:PATH.wav")
    run.add_argument("--backend", choices=("vlc", "null"), default="vlc",
                     help="null plays nothing (for machines without sound)")
    run.add_argument("--quit-after", type=float, metavar="SECONDS", help="close by itself")
    run.add_argument("--screenshot", metavar="PNG",
                     help="with --quit-after: save a screenshot of the screen before closing")
    run.add_argument("--settings", action="store_true", help="open the settings dialog at start")
    _add_config_options(run, "start on this client profile (default: the last one used)")
    _add_download_option(run)

    analyze = sub.add_parser("analyze", help="read the moods in a video, without a window")
    analyze.add_argument("video")
    analyze.add_argument("--json", action="store_true", help="print one JSON object")
    analyze.add_argument("--stride", type=int, default=1, help="analyse every Nth frame")
    add_setting_options(analyze, MODEL_SETTINGS + REACTION_SETTINGS + RATE_SETTINGS)
    _add_config_options(analyze, "use this profile's mood window (default: the active one)")
    _add_download_option(analyze)

    if not _frozen():
        _add_dev_parsers(sub)

    sub.add_parser("doctor", help="check cameras, libvlc, models and Qt; say how to fix")
    from moodplayer.sessions_cli import add_parsers as add_session_parsers

    add_session_parsers(sub, _add_config_options)  # sessions, report (issue 13)
    from moodplayer.calibrate_cmd import add_parser as add_calibrate_parser

    add_calibrate_parser(sub, _add_config_options)  # calibrate (issue 12)
    return parser


def _add_dev_parsers(sub) -> None:
    ev = sub.add_parser("eval", help="score the emotion analyzer on labelled pictures")
    ev.add_argument("dir", help="<label>/<image> folders, or a folder with labels.csv")
    ev.add_argument("--labels", metavar="CSV", help="path,label[,group] (paths relative to the CSV)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--no-detect", action="store_true", help="the pictures are face crops already")
    ev.add_argument("--baseline", action="store_true",
                    help="score DeepFace.extract_faces defaults + the bare mini-Xception instead")
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
    add_setting_options(ev, MODEL_SETTINGS)
    _add_config_options(ev, "use this profile (default: the built-in defaults)", default_file=False)
    _add_download_option(ev)

    bench = sub.add_parser("bench", help="measure speed, memory and reaction time")
    bench.add_argument("--video", help="640x480 video (default: one generated from package faces)")
    bench.add_argument("--frames", type=int, default=300, help="frames per contender")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--skip-baseline", action="store_true", help=argparse.SUPPRESS)
    add_setting_options(bench, MODEL_SETTINGS + REACTION_SETTINGS + RATE_SETTINGS)
    _add_config_options(bench, "measure this profile (default: the built-in defaults)", default_file=False)


def _add_config_options(p: argparse.ArgumentParser, profile_help: str, default_file: bool = True) -> None:
    where = "the platform's config folder" if default_file else "none: the built-in defaults"
    p.add_argument("--config", metavar="FILE", help=f"settings file (default: {where})")
    p.add_argument("--profile", metavar="NAME", help=profile_help)
    p.set_defaults(user_settings=default_file)


def _add_download_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-download", action="store_true",
                   help="let DeepFace download missing model weights (off: nothing is downloaded)")


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv.insert(0, "run")
    if argv[0] in DEV_COMMANDS and _frozen():
        return fail(f"the packaged app has no '{argv[0]}' command; it comes with a development "
                    f"install (make setup, then moodplayer {argv[0]})")
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
        from moodplayer.dev.bench import cmd_bench

        return cmd_bench(args)
    if args.command in ("sessions", "report"):
        from moodplayer import sessions_cli

        return sessions_cli.cmd_sessions(args) if args.command == "sessions" else sessions_cli.cmd_report(args)
    if args.command == "calibrate":
        from moodplayer.calibrate_cmd import cmd_calibrate

        return cmd_calibrate(args)
    if args.command == "doctor":
        from moodplayer.doctor import run_doctor

        return run_doctor()
    return cmd_run(args)


def cmd_run(args) -> int:
    from moodplayer.core.config import ConfigError
    from moodplayer.display import display_problem
    from moodplayer.vision.sources import SourceError, parse_source

    if problem := display_problem():  # before Qt, which aborts the process without a screen
        return fail(problem)

    if args.source:
        try:
            parse_source(args.source)
        except SourceError as err:
            if not args.source.startswith("camera"):
                return fail(str(err))  # a camera that fails falls back to the demo clip
    try:
        effective_from_args(args)  # an unknown profile or a bad value stops here, not in the window
        from moodplayer.playback.vlc_backend import audio_out_args

        audio_out_args(args.audio_out)
    except (ConfigError, ValueError) as err:
        return fail(str(err))
    from moodplayer.app import AppOptions, run_app

    return run_app(
        AppOptions(
            source=args.source,
            audio_out=args.audio_out,
            engine=args.engine,
            detector=args.detector,
            adaptive_rate=args.adaptive_rate,
            profile=args.profile,
            config=args.config,
            allow_download=args.allow_download,
            backend=args.backend,
            quit_after=args.quit_after,
            screenshot=args.screenshot,
            open_settings=args.settings,
        )
    )


def cmd_analyze(args) -> int:
    from moodplayer.core.config import ConfigError
    from moodplayer.headless import analyze_video
    from moodplayer.vision.models import ModelUnavailable
    from moodplayer.vision.sources import SourceError

    if args.stride < 1:
        return fail("--stride must be >= 1")
    from moodplayer.core import calibration_store

    try:
        effective = effective_from_args(args)
        calibration, problem = calibration_store.load(effective.profile_name)
        if problem:  # a damaged calibration is said and left aside, never fatal
            print(f"moodplayer: {problem}", file=sys.stderr)
        result = analyze_video(args.video, effective, stride=args.stride,
                               allow_download=args.allow_download, calibration=calibration)
    except (SourceError, ConfigError) as err:
        return fail(str(err))
    except ModelUnavailable as err:
        return fail(str(err), code=3)
    if args.json:
        print(json.dumps(result))
    else:
        s = result["settings"]
        print(f"{result['frames']} frames, {result['analyzed']} analysed "
              f"({result['engine']} + {result['detector']}; profile {s['profile']}, "
              f"window {s['window_s']:g} s)")
        for change in result["moods"]:
            print(f"{change['t']:7.2f} s  {change['mood']}")
    return 0


def cmd_eval(args) -> int:
    from moodplayer.core.config import ConfigError
    from moodplayer.vision.evaluate import DatasetError, format_table, load_dataset, run_eval
    from moodplayer.vision.models import ModelUnavailable

    try:
        data = load_dataset(args.dir, args.labels)
        cfg = model_config(args, effective_from_args(args))
    except (DatasetError, ConfigError) as err:
        return fail(str(err))
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
