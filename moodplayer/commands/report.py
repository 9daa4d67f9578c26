"""``moodplayer report [ID|latest] --out FILE``: one recorded session's report, as PDF or
HTML, painted by ui/report.py (the Sessions window's *Report…* makes the same file)."""

from __future__ import annotations

import argparse

from moodplayer.commands.common import add_config_options, fail
from moodplayer.commands.sessions import profile_of

NAME = "report"
HELP = "a recorded session's report, as PDF or HTML"
DEV_ONLY = False


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("session", nargs="?", default="latest", metavar="ID|latest",
                   help="a session id (see 'moodplayer sessions') or latest (the default)")
    p.add_argument("--out", required=True, metavar="FILE.pdf|FILE.html", help="the report file")
    add_config_options(p, "a session of this profile (default: the active one)")


def run(args: argparse.Namespace) -> int:
    from moodplayer.core.files.userpath import user_path
    from moodplayer.core.records.record import find_session
    from moodplayer.core.settings.effective import ConfigError

    out = user_path(args.out)
    if out.suffix.lower() not in (".pdf", ".html"):
        return fail(f"--out {args.out}: the report is a .pdf or an .html file")
    try:
        profile = profile_of(args)
    except ConfigError as err:
        return fail(str(err))
    record = find_session(profile, args.session)
    if record is None:
        what = "no recorded session" if args.session == "latest" else f"no session {args.session!r}"
        return fail(f"{what} for profile {profile} (moodplayer sessions --profile {profile} lists them)")
    if not record.lines:
        return fail(f"session {record.id} is damaged ({record.damaged}): nothing to report")

    from PySide6.QtGui import QGuiApplication

    from moodplayer.ui.report import ReportError, write_report

    # Fonts and painting need a GUI application; no window is shown, so no display either.
    app = QGuiApplication.instance() or QGuiApplication(["moodplayer", "-platform", "offscreen"])
    try:
        write_report(record, out)
    except ReportError as err:
        return fail(str(err))
    app.processEvents()
    print(f"report of session {record.id} ({profile}) written to {out}")
    return 0
