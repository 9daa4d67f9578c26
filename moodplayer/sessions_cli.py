"""``moodplayer sessions`` and ``moodplayer report``: the recorded sessions of a profile,
and one session's report, from the command line (core/record.py, report.py)."""

from __future__ import annotations

import json


from moodplayer.command_config import fail
from moodplayer.core.userpath import user_path


def _profile(args) -> str:
    """--profile, else the settings file's active profile. Raises ConfigError."""
    from moodplayer.command_config import effective_from_args

    return effective_from_args(args).profile_name


def add_parsers(sub, add_config_options) -> None:
    sessions = sub.add_parser("sessions", help="list a profile's recorded sessions")
    sessions.add_argument("--json", action="store_true", help="print one JSON object")
    add_config_options(sessions, "this profile's sessions (default: the active one)")
    report = sub.add_parser("report", help="a recorded session's report, as PDF or HTML")
    report.add_argument("session", nargs="?", default="latest",
                        help="a session id (see 'moodplayer sessions') or latest (the default)")
    report.add_argument("--out", required=True, metavar="FILE.pdf|FILE.html", help="the report file")
    add_config_options(report, "a session of this profile (default: the active one)")


def cmd_sessions(args) -> int:
    from moodplayer.core.config import ConfigError
    from moodplayer.core.record import list_sessions

    try:
        profile = _profile(args)
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


def cmd_report(args) -> int:

    from moodplayer.core.config import ConfigError
    from moodplayer.core.record import find_session

    out = user_path(args.out)
    if out.suffix.lower() not in (".pdf", ".html"):
        return fail(f"--out {args.out}: the report is a .pdf or an .html file")
    try:
        profile = _profile(args)
    except ConfigError as err:
        return fail(str(err))
    record = find_session(profile, args.session)
    if record is None:
        what = "no recorded session" if args.session == "latest" else f"no session {args.session!r}"
        return fail(f"{what} for profile {profile} (moodplayer sessions --profile {profile} lists them)")
    if not record.lines:
        return fail(f"session {record.id} is damaged ({record.damaged}): nothing to report")

    from PySide6.QtGui import QGuiApplication

    from moodplayer.report import ReportError, write_report

    # Fonts and painting need a GUI application; no window is shown, so no display either.
    app = QGuiApplication.instance() or QGuiApplication(["moodplayer", "-platform", "offscreen"])
    try:
        write_report(record, out)
    except ReportError as err:
        return fail(str(err))
    app.processEvents()
    print(f"report of session {record.id} ({profile}) written to {out}")
    return 0
