"""``moodplayer sessions``: a profile's recorded sessions (core/records/record.py)."""

from __future__ import annotations

import argparse
import json

from moodplayer.commands.common import add_config_options, effective_from_args, fail

NAME = "sessions"
HELP = "list a profile's recorded sessions"
DEV_ONLY = False


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_config_options(p, "this profile's sessions (default: the active one)")


def profile_of(args: argparse.Namespace) -> str:
    """--profile, else the settings file's active profile. Raises ConfigError."""
    return effective_from_args(args).profile_name


def run(args: argparse.Namespace) -> int:
    from moodplayer.core.records.record import list_sessions
    from moodplayer.core.settings.effective import ConfigError

    try:
        profile = profile_of(args)
    except ConfigError as err:
        return fail(str(err))
    records = list_sessions(profile)
    if args.json:
        print(json.dumps({"sessions": [r.summary() for r in records]}, ensure_ascii=False))
        return 0
    if not records:
        print(f"no recorded sessions for profile {profile} (turn on 'Record sessions' in its settings)")
    for r in records:
        state = f"  damaged: {r.damaged}" if r.damaged else ""
        print(f"{r.id}  {r.duration_s / 60:5.1f} min  {r.mood_at_start or '-'} -> "
              f"{r.mood_at_end or '-'}{state}")
    return 0
