"""Watched music: the profile's mood folders and playlist files, re-read when they change
on disk (QFileSystemWatcher), so added and removed tracks show within a few seconds
without a restart; the session keeps the playing track going (core/session/engine.py
``refresh_playlist``).

Changes come in bursts (a copy writes a file in many steps, an editor replaces a playlist
file), so they are gathered for a second before the playlists are read again. A playlist
file is watched through its folder too, since saving it often replaces the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from moodplayer.core.emotions import EMOTIONS

log = logging.getLogger("moodplayer")
SETTLE_MS = 1000


class MusicWatcher(QObject):
    def __init__(self, sources: Callable[[], dict[str, Path]], refresh: Callable[[str], bool],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sources = sources  # emotion -> its folder or playlist file
        self._refresh = refresh
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._changed)
        self._watcher.fileChanged.connect(self._changed)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._reread)
        self.rereads = 0
        self.watch()

    def watch(self) -> None:
        """Watch what the profile's playlists are now (after a settings change too)."""
        old = self._watcher.files() + self._watcher.directories()
        if old:
            self._watcher.removePaths(old)
        wanted: set[str] = set()
        for source in self._sources().values():
            if source.is_dir():
                wanted.add(str(source))
            elif source.parent.is_dir():
                wanted.add(str(source.parent))
                if source.is_file():
                    wanted.add(str(source))
        if wanted:
            self._watcher.addPaths(sorted(wanted))

    def _changed(self, path: str) -> None:
        self._settle.start()

    def _reread(self) -> None:
        self.rereads += 1
        sources = self._sources()
        for name in EMOTIONS:
            if name in sources:
                self._refresh(name)
        self.watch()  # a replaced playlist file is a new file to watch

    def close(self) -> None:
        self._settle.stop()
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
