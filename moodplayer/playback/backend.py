"""The contract every player backend keeps (one test suite checks them all).

Signals are emitted on the Qt main thread only; a backend that gets events on another
thread (libvlc does) must hand them over first.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from moodplayer.core.player import PAUSED, PLAYING, STOPPED
from moodplayer.core.playlist import Playlist

__all__ = ["PAUSED", "PLAYING", "STOPPED", "PlaybackUnavailable", "PlayerBackend"]


class PlaybackUnavailable(RuntimeError):
    """The backend cannot run here; the message says what to install."""


class PlayerBackend(QObject):
    state_changed = Signal(str)  # STOPPED | PLAYING | PAUSED
    track_changed = Signal(int)  # index into the loaded playlist
    # A track ended by itself (not skipped by the user). A handler may load another
    # playlist; the backend then plays that one and does not move on in the old one.
    track_finished = Signal()
    track_failed = Signal(int, str)  # index, why: the track is skipped
    playlist_failed = Signal(str)  # nothing in the playlist can play: stopped
    name = "abstract"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.playlist: Playlist | None = None
        self.current_index = -1
        self.state = STOPPED
        self.volume = 70
        self.broken: set[int] = set()

    # --- what the UI asks for -------------------------------------------------------
    def load(self, playlist: Playlist, index: int = 0, autoplay: bool = True) -> None:
        raise NotImplementedError

    def play(self) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def next(self) -> None:
        raise NotImplementedError

    def previous(self) -> None:
        raise NotImplementedError

    def set_volume(self, volume: int) -> None:
        raise NotImplementedError

    def position(self) -> tuple[int, int]:
        """(elapsed ms, length ms) of the current track; polled by a GUI timer."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def toggle(self) -> None:
        if self.state == PLAYING:
            self.pause()
        else:
            self.play()

    # --- shared bookkeeping ---------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _set_index(self, index: int) -> None:
        if index != self.current_index:
            self.current_index = index
            self.track_changed.emit(index)

    def _mark_broken(self, index: int, why: str) -> bool:
        """Record a track that cannot play. Returns True when nothing playable is left."""
        if self.playlist is None or index in self.broken:
            return False
        self.broken.add(index)
        self.track_failed.emit(index, why)
        if len(self.broken) >= len(self.playlist.tracks):
            self.playlist_failed.emit(
                f"no track of the {self.playlist.name} playlist can be played; stopped"
            )
            return True
        return False

    def _step(self, index: int, delta: int) -> int:
        """The next playable index from ``index`` in direction ``delta`` (wrapping)."""
        n = len(self.playlist.tracks) if self.playlist else 0
        for k in range(1, n + 1):
            candidate = (index + delta * k) % n
            if candidate not in self.broken:
                return candidate
        return -1
