"""What every command shares: its one-line error, and its effective configuration from
``--config``, ``--profile`` and the setting options given (core/config.py)."""

from __future__ import annotations

import sys

import argparse

from moodplayer.core.settings import PROFILE_OPTIONS, SETTINGS_OPTIONS

MODEL_SETTINGS = ("engine", "detector", "align", "expand_percentage")
REACTION_SETTINGS = ("window_s", "margin", "min_dwell_s", "no_face_timeout_s")
RATE_SETTINGS = ("adaptive_rate",)  # streams only: eval reads stills


def fail(message: str, code: int = 2) -> int:
    print(f"moodplayer: error: {message}", file=sys.stderr)
    return code


def effective_from_args(args):
    """The settings file (``--config``; for eval and bench none unless given), the
    ``--profile`` and the setting options given: core/config.py's effective configuration.
    Raises ConfigError; problems of a damaged file are printed, never fatal."""
    from pathlib import Path

    from moodplayer.core.config import load_effective
    from moodplayer.paths import config_file

    path = config_file(args.config) if (args.config or args.user_settings) else None
    overrides = {name: getattr(args, name) for name in (*SETTINGS_OPTIONS, *PROFILE_OPTIONS)
                 if hasattr(args, name)}
    effective = load_effective(Path(path) if path else None, args.profile, overrides)
    for problem in effective.problems:
        print(f"moodplayer: settings: {problem}", file=sys.stderr)
    return effective


def add_setting_options(p: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    """One option per setting, derived from its declaration; not given = the file's value."""
    for name in names:
        option = SETTINGS_OPTIONS.get(name) or PROFILE_OPTIONS[name]
        flag = option.cli or f"--{name.replace('_', '-')}"
        default = f"settings file; built in: {option.default}"
        if option.kind is bool:
            p.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None,
                           help=f"{option.help} ({default})")
            continue
        unit = f" {option.unit}" if option.unit else ""
        p.add_argument(flag, dest=name, type=option.kind, choices=option.choices, default=None,
                       metavar=None if option.choices else name.upper(),
                       help=f"{option.title}{unit}: {option.help} ({default})")


def model_config(args, effective):
    """The analyzer config of ``effective`` with eval's measuring options applied."""
    from dataclasses import replace

    from moodplayer.vision.analyzer import AnalyzerConfig

    cfg = AnalyzerConfig.from_settings(effective.settings, args.allow_download)
    det = cfg.detector
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
