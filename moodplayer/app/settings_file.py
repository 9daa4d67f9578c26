"""The app's settings file: saved by merging, watched for changes made by others.

Saves go through core/settings/merge.py (only what this app changed is written, onto the
file as it is now, under the lock). A change that is not otherwise saved at once (the
volume, the playlist chosen) is saved ``SAVE_AFTER_MS`` later, so a failure to save (a
full disk) is said in the window while it is open, not only in the log at exit.

The file and its folder are watched (QFileSystemWatcher: the folder too, since an atomic
write replaces the file and the watch on the old one ends), and the file is checked again
whenever the app becomes active: a change made by ``moodplayer calibrate``, a second app
or an editor is reloaded into the window, the app's own unsaved changes on top. While the
settings dialog is open the reload waits (the dialog edits a copy of the settings; applying
it over a reload would undo the reload): it happens when the dialog closes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from moodplayer.core.settings.merge import Merged, SettingsFile
from moodplayer.core.settings.schema import LoadResult, Settings
from moodplayer.ui.main_window import MainWindow

log = logging.getLogger("moodplayer")

SAVE_AFTER_MS = 2000
CHECK_AFTER_MS = 250  # a burst of file events (write, rename) is one change


class SettingsKeeper(QObject):
    def __init__(self, path: Path, window: MainWindow, current: Callable[[], Settings],
                 adopt: Callable[[Settings], None], busy: Callable[[], bool]) -> None:
        super().__init__()
        self.file = SettingsFile(path)
        self.window = window
        self.current = current  # the settings the app uses now
        self.adopt = adopt  # the app takes these settings (the file's, with its own changes)
        self.busy = busy  # True while a reload must wait (the settings dialog is open)
        self.closed = False
        self.failed: str | None = None  # the last save's failure, until one succeeds
        self._told: set[str] = set()
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._on_change)
        self.watcher.directoryChanged.connect(self._on_change)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_AFTER_MS)
        self._check_timer.timeout.connect(self.check_disk)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_AFTER_MS)
        self._save_timer.timeout.connect(self.save)
        app = QApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._on_app_state)  # type: ignore[attr-defined]  # QGuiApplication's

    @property
    def path(self) -> Path:
        return self.file.path

    def load(self) -> LoadResult:
        loaded = self.file.load()
        self._told.update(loaded.problems)
        self._watch()
        return loaded

    # --- saving -------------------------------------------------------------------------
    def save_soon(self) -> None:
        if not self.closed:
            self._save_timer.start()

    def save(self, take: bool = True) -> bool:
        """Writes this app's changes now; a failure is said in the window (and the log).
        ``take``: the app then uses the file as it is (with others' changes); not at exit."""
        self._save_timer.stop()
        try:
            merged = self.file.save(self.current())
        except OSError as err:
            text = (f"Settings could not be saved to {self.path}: {err.strerror or err}; "
                    "they stay in use and are saved at the next change")
            if text != self.failed:
                self.window.show_message(text)
            self.failed = text
            log.warning("%s", text)
            return False
        if self.failed:
            self.failed = None
            self.window.statusBar().showMessage(f"Settings saved to {self.path}", 5000)
        if take:
            self._take(merged)
        return True

    # --- noticing changes made by others --------------------------------------------------
    def check_disk(self) -> None:
        """Reloads the file if another program changed it (the watcher and focus call this)."""
        if self.closed:
            return
        self._watch()  # an atomic write replaced the file: watch the new one
        if self.busy():
            return  # checked again when the dialog closes
        merged = self.file.reload(self.current())
        if merged is not None:
            self._take(merged, f"Settings changed in {self.path.name} by another program: reloaded")

    def _take(self, merged: Merged, note: str = "") -> None:
        for problem in merged.problems:
            if problem not in self._told:
                self._told.add(problem)
                self.window.show_message(f"Settings: {problem}")
        if merged.settings != self.current():
            self.adopt(merged.settings)
            if note:
                self.window.statusBar().showMessage(note, 8000)

    def _on_change(self, _path: str) -> None:
        if not self.closed:
            self._check_timer.start()

    def _on_app_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self._on_change("")

    def _watch(self) -> None:
        wanted = [str(p) for p in (self.path, self.path.parent) if p.exists()]
        watched = set(self.watcher.files()) | set(self.watcher.directories())
        missing = [p for p in wanted if p not in watched]
        if missing:
            self.watcher.addPaths(missing)

    def close(self) -> None:
        """At exit: the last save is the caller's; nothing is watched or timed after this."""
        self.closed = True
        self._save_timer.stop()
        self._check_timer.stop()
        paths = self.watcher.files() + self.watcher.directories()
        if paths:
            self.watcher.removePaths(paths)
        app = QApplication.instance()
        if app is not None:
            try:
                app.applicationStateChanged.disconnect(self._on_app_state)  # type: ignore[attr-defined]  # as above
            except (RuntimeError, TypeError):
                pass
