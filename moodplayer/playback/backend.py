"""The contract every player backend keeps (one test suite checks them all).

Signals are emitted on the Qt main thread only; a backend that gets events on another
thread (libvlc does) must hand them over first.

Cross-fades (core/session/fade.py decides which and how long): ``load(..., fade_ms=N)``
fades what plays out while the new music fades in; with ``set_crossfade(seconds)`` every
track change fades too, a track ending by itself handing over before its end (so
``track_finished`` comes that much early, and whatever its handler loads fades in). During
a fade ``fading`` is True and everything reports the new music (index, state, position);
pause, seek, Next / Previous, stop and close end the fade at once (the old music stops);
mute silences both and lets it run on. ``gain_for(path)`` is the loudness correction in dB
for a track (core/music/loudness.py), applied as it starts; ``refresh_gain()`` re-reads it
for what plays (a measurement arrived) and moves there smoothly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from moodplayer.core.music.play_order import REPEAT_ONE, REPEAT_PLAYLIST, PlayOrder
from moodplayer.core.music.playlist import Playlist
from moodplayer.core.session.player import PAUSED, PLAYING, STOPPED

# the repeat modes too: a backend's caller sets them without knowing core/music
__all__ = ["PAUSED", "PLAYING", "REPEAT_ONE", "REPEAT_PLAYLIST", "STOPPED", "PlaybackUnavailable", "PlayerBackend"]


# After this many tracks in a row that cannot play, the player stops and says so.
MAX_FAILURES_IN_A_ROW = 20


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
    seeked = Signal(int)  # the user moved the position (ms) of the current track
    volume_changed = Signal(int)
    muted_changed = Signal(bool)
    repeat_changed = Signal(str)  # REPEAT_PLAYLIST | REPEAT_ONE
    shuffle_changed = Signal(bool)
    closed = Signal()  # released for good (MPRIS leaves the bus)
    name = "abstract"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.playlist: Playlist | None = None
        self.current_index = -1
        self.state = STOPPED
        self.volume = 70
        self.muted = False  # silent without forgetting the volume
        self.broken: set[int] = set()
        self.failures_in_a_row = 0  # tracks that failed since one last played (or the load)
        self.order = PlayOrder()
        self.crossfade_ms = 0  # every track change fades over this long (0: a cut)
        self.gain_for: Callable[[Path], float] = lambda path: 0.0  # loudness correction, dB

    # --- what the UI asks for -------------------------------------------------------
    def load(self, playlist: Playlist, index: int | None = None, autoplay: bool = True,
             planned: bool = False, fade_ms: int = 0, start_ms: int = 0) -> None:
        """``index`` None: the playlist's start (the top, or a random track in shuffle).
        ``planned``: the order is a plan (a lift) and plays as it is, shuffle or not.
        ``fade_ms``: cross-fade from what plays (nothing fades while paused or stopped).
        ``start_ms``: begin that far into the track (resuming where the app stopped)."""
        raise NotImplementedError

    def replace_playlist(self, playlist: Playlist, index: int) -> None:
        """The loaded list changed on disk: go on with ``playlist`` (the track playing now
        is its ``index``); nothing stops, restarts or fades. The play order starts afresh."""
        if self.playlist is None:
            return
        planned = self.order.planned
        self.playlist, self.broken = playlist, set()
        self.order.reset(len(playlist.tracks), planned)
        self.current_index = index
        self._replaced(index)

    def _replaced(self, index: int) -> None:
        """A backend's own bookkeeping of the playing track's new index."""

    def set_crossfade(self, seconds: float) -> None:
        """Every track change fades over ``seconds`` (0..12; 0: a cut)."""
        self.crossfade_ms = int(round(1000 * max(0.0, min(12.0, float(seconds)))))

    @property
    def fading(self) -> bool:
        """A cross-fade is running: the old music is still heard, falling."""
        return False

    def refresh_gain(self) -> None:
        """``gain_for`` may say something new about what plays: move its level there."""

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

    def set_muted(self, muted: bool) -> None:
        if bool(muted) != self.muted:
            self.muted = bool(muted)
            self._apply_volume()
            self.muted_changed.emit(self.muted)

    def _apply_volume(self) -> None:
        """Hand ``volume`` (or silence when muted) to the audio output."""

    def seek(self, ms: int) -> None:
        """Jump to ``ms`` into the current track (clamped); no-op when stopped."""
        raise NotImplementedError

    def set_position(self, ms: int) -> None:
        self.seek(ms)

    def set_repeat(self, mode: str) -> None:
        """REPEAT_PLAYLIST (loop the playlist, the default) or REPEAT_ONE."""
        if mode != self.order.repeat:
            self.order.set_repeat(mode)
            self.repeat_changed.emit(mode)

    def set_shuffle(self, on: bool) -> None:
        if bool(on) != self.order.shuffle:
            self.order.set_shuffle(on)
            self.shuffle_changed.emit(bool(on))

    @property
    def repeat(self) -> str:
        return self.order.repeat

    @property
    def shuffle(self) -> bool:
        return self.order.shuffle

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

    def _store_volume(self, volume: int) -> int:
        volume = max(0, min(100, int(volume)))
        if volume != self.volume:
            self.volume = volume
            self.volume_changed.emit(volume)
        return volume

    def _set_index(self, index: int) -> None:
        if index != self.current_index:
            self.current_index = index
            self.track_changed.emit(index)

    def _mark_broken(self, index: int, why: str) -> bool:
        """Record a track that cannot play. Returns True when the player must stop: nothing
        playable is left, or MAX_FAILURES_IN_A_ROW tracks failed one after the other (a
        folder of 5,000 empty files is not tried for minutes, 17 files a second)."""
        if self.playlist is None or index in self.broken:
            return False
        self.broken.add(index)
        self.failures_in_a_row += 1
        self.track_failed.emit(index, why)
        total = len(self.playlist.tracks)
        if len(self.broken) >= total or self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
            tried = len(self.broken)
            of = "" if tried >= total else f" of {total}"
            self.playlist_failed.emit(
                f"nothing in the {self.playlist.name} playlist plays ({tried} files tried{of}); stopped")
            return True
        return False

    def _played(self) -> None:
        """A track really played (it decoded to its end): failures are no longer in a row."""
        self.failures_in_a_row = 0

    def _new_order(self, playlist: Playlist, index: int | None, planned: bool = False) -> int:
        """Start ``playlist``'s play order; the index to begin with."""
        self.failures_in_a_row = 0
        self.order.reset(len(playlist.tracks), planned)
        if index is None:
            return self.order.first(self.broken)
        return index % len(playlist.tracks)

    def _step(self, index: int, delta: int) -> int:
        """The next (+1) or previous (-1) playable index from ``index`` (wrapping, in the
        shuffled order when shuffling); -1 when none is left."""
        return self.order.step(index, delta, self.broken)

    def _after_finish(self, index: int) -> int:
        """What plays after ``index`` ended by itself (itself again in repeat-one)."""
        return self.order.after_finish(index, self.broken)
