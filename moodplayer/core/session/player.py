"""The small port through which the session drives a player.

Both backends (playback/vlc_backend.py, playback/null_backend.py) fit it; the session's
tests drive a fake. States are plain strings so that the core needs no player library.
"""

from __future__ import annotations

from typing import Protocol

from moodplayer.core.music.playlist import Playlist

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"


class Player(Protocol):
    state: str  # STOPPED | PLAYING | PAUSED
    playlist: Playlist | None
    current_index: int

    def load(self, playlist: Playlist, index: int | None = None, autoplay: bool = True,
             planned: bool = False, fade_ms: int = 0, start_ms: int = 0) -> None:
        """``index`` None: the start (a random track when the user shuffles); ``planned``:
        play the list in its order even when shuffling (a lift). ``autoplay`` False: loaded
        and stopped, ``play`` starts it. ``fade_ms``: cross-fade from what plays;
        ``start_ms``: begin that far into the track."""

    def replace_playlist(self, playlist: Playlist, index: int) -> None:
        """The playing list's tracks changed on disk: go on with ``playlist``, the track
        that plays now being its ``index``; nothing stops or restarts."""

    def play(self) -> None: ...

    def pause(self) -> None: ...

    def stop(self) -> None: ...

    def next(self) -> None: ...

    def previous(self) -> None: ...
