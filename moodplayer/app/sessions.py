"""The Sessions window's commands: list the active profile's records, open one's timeline,
write its report, delete one or all (core/record.py does the files)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from moodplayer.core.records.record import delete_all_sessions, delete_session, list_sessions
from moodplayer.ui.main_window import MainWindow
from moodplayer.ui.report import ReportError, write_report
from moodplayer.ui.sessions_window import SessionsWindow

log = logging.getLogger("moodplayer")


class SessionCommands:
    def __init__(self, window: MainWindow, profile: Callable[[], str],
                 recording_path: Callable[[], Path | None]) -> None:
        self.window = window
        self.profile = profile  # the active profile's name, now
        self.recording_path = recording_path  # the record being written (never deleted)
        self.dialog: SessionsWindow | None = None

    def open_window(self) -> SessionsWindow:
        if self.dialog is None:
            self.dialog = SessionsWindow(self.window)
            self.dialog.open_requested.connect(self.open_session)
            self.dialog.report_requested.connect(self.report)
            self.dialog.delete_requested.connect(self.delete)
            self.dialog.delete_all_requested.connect(self.delete_all)
        self.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _say(self, text: str) -> None:
        if self.dialog is not None:
            self.dialog.show_message(text)

    def refresh(self) -> None:
        if self.dialog is not None:
            self.dialog.show_sessions(self.profile(), list_sessions(self.profile()))

    def _find(self, session_id: str):
        return next((r for r in list_sessions(self.profile()) if r.id == session_id), None)

    def open_session(self, session_id: str) -> None:
        record = self._find(session_id)
        if record is None:
            self._say(f"Session {session_id} is gone")
            return self.refresh()
        if self.dialog is not None:
            self.dialog.open_timeline(record)

    def report(self, session_id: str, path: str) -> None:
        record = self._find(session_id)
        try:
            if record is None:
                raise ReportError(f"session {session_id} is gone")
            write_report(record, Path(path))
        except ReportError as err:
            self._say(f"No report: {err}")
            return
        log.info("report of session %s written to %s", session_id, path)
        self._say(f"Report written to {path}")

    def delete(self, session_id: str) -> None:
        record = self._find(session_id)
        if record is not None and record.path == self.recording_path():
            self._say("This session is being recorded now: turn recording off first")
            return
        if record is not None:
            delete_session(record)
        self.refresh()
        self._say(f"Session {session_id} deleted")

    def delete_all(self) -> None:
        current = self.recording_path()
        if current is not None:
            self._say("A session is being recorded now: turn recording off first")
            return
        count = delete_all_sessions(self.profile())
        self.refresh()
        self._say(f"{count} sessions of {self.profile()} deleted")
