"""What every command shares: the options derived from the settings' declarations, the
``--config`` / ``--profile`` pair, the effective configuration they make (core/settings/
effective.py), and the one-line error every command ends with when its input is wrong."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moodplayer.core.settings.options import Option
from moodplayer.core.settings.schema import PROFILE_OPTIONS, SETTINGS_OPTIONS

if TYPE_CHECKING:
    from moodplayer.core.settings.effective import Effective

MODEL_SETTINGS = ("engine", "detector", "align", "expand_percentage")
REACTION_SETTINGS = ("window_s", "margin", "min_dwell_s", "no_face_timeout_s")
RATE_SETTINGS = ("adaptive_rate",)  # streams only: eval reads stills


class UsageError(Exception):
    """A command's input is wrong: the message is the one line the user sees (exit 2)."""


def fail(message: str, code: int = 2) -> int:
    print(f"moodplayer: error: {message}", file=sys.stderr)
    return code


def frozen() -> bool:
    """Inside the packaged app (PyInstaller)."""
    return bool(getattr(sys, "frozen", False))


def add_config_options(p: argparse.ArgumentParser, profile_help: str, default_file: bool = True) -> None:
    where = "the platform's config folder" if default_file else "none: the built-in defaults"
    p.add_argument("--config", metavar="FILE", help=f"settings file (default: {where})")
    p.add_argument("--profile", metavar="NAME", help=profile_help)
    p.set_defaults(user_settings=default_file)


def add_download_option(p: argparse.ArgumentParser, hidden: bool = False) -> None:
    p.add_argument("--allow-download", action="store_true",
                   help=argparse.SUPPRESS if hidden else
                   "let DeepFace download missing model weights (off: nothing is downloaded)")


def _help_text(text: str) -> str:
    """argparse formats help with %-style placeholders: a literal % must be doubled."""
    return text.replace("%", "%%")


def _cli_type(option: Option) -> Callable[[str], Any]:
    """The text after a setting's flag, read as its declared type and checked against its
    declaration, so `--window nan` or `--expand -5` is refused by argparse in one line."""

    def parse(text: str) -> Any:
        try:
            value = option.coerce(option.kind(text))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: {option.describe()}") from None
        problem = option.validate(value)
        if problem:
            raise argparse.ArgumentTypeError(f"{text!r}: {problem}")
        return value

    parse.__name__ = option.name
    return parse


_METAVARS = {"s": "SECONDS", "%": "PERCENT"}  # what to type after a flag, by its unit


def add_setting_options(p: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    """One option per setting, derived from its declaration; not given = the file's value."""
    for name in names:
        option = SETTINGS_OPTIONS.get(name) or PROFILE_OPTIONS[name]
        flag = option.cli or f"--{name.replace('_', '-')}"
        if option.kind is bool:
            default = f"settings file; built in: {'on' if option.default else 'off'}"
            p.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None,
                           help=_help_text(f"{option.title}: {option.help} ({default})"))
            continue
        default = f"settings file; built in: {option.default}"
        unit = f" {option.unit}" if option.unit else ""
        span = f", {option.range[0]:g}..{option.range[1]:g}{unit}" if option.range else ""
        p.add_argument(flag, dest=name, type=_cli_type(option), choices=option.choices, default=None,
                       metavar=None if option.choices else _METAVARS.get(option.unit, name.upper()),
                       help=_help_text(f"{option.title}: {option.help}{span} ({default})"))


def setting_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The setting options given on the command line (None: not given)."""
    return {name: getattr(args, name) for name in (*SETTINGS_OPTIONS, *PROFILE_OPTIONS)
            if hasattr(args, name)}


def effective_from_args(args: argparse.Namespace) -> Effective:
    """The settings file (``--config``; for eval and bench none unless given), the
    ``--profile`` and the setting options given: the effective configuration.
    Raises ConfigError; problems of a damaged file are printed, never fatal."""
    from moodplayer.core.files.locations import config_file
    from moodplayer.core.settings.effective import ConfigError, load_effective

    try:
        path = config_file(args.config) if (args.config or args.user_settings) else None
    except ValueError as err:  # --config ~nosuchuser/settings.toml
        raise ConfigError(str(err)) from None
    effective = load_effective(path, args.profile, setting_overrides(args))
    for problem in effective.problems:
        print(f"moodplayer: settings: {problem}", file=sys.stderr)
    return effective


def model_config(args: argparse.Namespace, effective: Effective):  # -> AnalyzerConfig
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
