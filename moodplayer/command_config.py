"""What every command shares: its one-line error, and its effective configuration from
``--config``, ``--profile`` and the setting options given (core/config.py)."""

from __future__ import annotations

import sys

from moodplayer.core.settings import PROFILE_OPTIONS, SETTINGS_OPTIONS


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
