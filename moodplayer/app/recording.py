"""The session record's life: on when the active profile asks for it, a new file per
session (a new client's profile starts a new one), closed on exit.

The recorder itself is Qt-free (core/record.py) and subscribed to the session like the
window; this only starts and stops it, shows the "● recording" indicator and turns a
failed write into a message in the window, while the music goes on."""

from __future__ import annotations

import logging
from pathlib import Path

from moodplayer.core.records.record import SessionRecorder
from moodplayer.core.session.engine import Session
from moodplayer.ui.main_window import MainWindow

log = logging.getLogger("moodplayer")


class Recording:
    def __init__(self, session: Session, window: MainWindow, root: Path | None = None) -> None:
        self.session = session
        self.window = window
        self.root = root  # None: the user's data folder
        self.recorder: SessionRecorder | None = None

    @property
    def active(self) -> bool:
        return self.recorder is not None and self.recorder.active

    def path(self) -> Path | None:
        """The record being written now, if any."""
        recorder = self.recorder
        return recorder.path if recorder is not None and recorder.active else None

    def update(self, profile_name: str, wanted: bool) -> None:
        """Called at start and whenever the settings change."""
        current = self.recorder
        if current is not None and current.active and wanted and current.profile == profile_name:
            return  # the same client's session goes on
        self.stop()
        if not wanted:
            return
        try:
            self.recorder = SessionRecorder(profile_name, self.root, on_failure=self._failed)
        except OSError as err:
            self._failed(f"Session recording is off: cannot write to the data folder ({err}); "
                         "the music goes on")
            return
        if not self.recorder.active:  # its first line could not be written: said by _failed
            self.recorder = None
            return
        self.session.subscribe(self.recorder)
        log.info("recording the session to %s", self.recorder.path)
        self.window.show_recording(True)

    def stop(self) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        self.session.unsubscribe(recorder)
        recorder.close()
        self.window.show_recording(False)

    def _failed(self, text: str) -> None:
        log.warning("%s", text)
        self.window.show_recording(False)
        self.window.show_message(text)
