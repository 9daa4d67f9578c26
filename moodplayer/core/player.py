"""The small port through which the session drives a player.

Both backends (playback/vlc_backend.py, playback/null_backend.py) fit it; the session's
tests drive a fake. States are plain strings so that the core needs no player library.
"""

from __future__ import annotations

from typing import Protocol

from moodplayer.core.playlist import Playlist

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"


class Player(Protocol):
    state: str  # STOPPED | PLAYING | PAUSED
    playlist: Playlist | None
    current_index: int

    def load(self, playlist: Playlist, index: int = 0, autoplay: bool = True) -> None: ...

    def play(self) -> None: ...

    def pause(self) -> None: ...

    def next(self) -> None: ...

    def previous(self) -> None: ...
