"""A complete backend that makes no sound: every rule of the real one, timed by a QTimer.

Used when libvlc is missing (the app still runs and says why) and by tests of logic
that need no audio. Tracks "play" for their tagged length (or ``default_track_s``); a
cross-fade is a timer that runs for its length (``fading``), with the real one's rules.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer

from moodplayer.core.music.playlist import Playlist
from moodplayer.core.session.fade import early_end_ms
from moodplayer.playback.backend import PAUSED, PLAYING, STOPPED, PlayerBackend


class NullBackend(PlayerBackend):
    name = "null"

    def __init__(self, parent: QObject | None = None, default_track_s: float = 3.0) -> None:
        super().__init__(parent)
        self.default_track_s = default_track_s
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_track_end)
        self._clock = QElapsedTimer()
        self._elapsed_before_pause = 0
        self._length_ms = 0
        self._starts = 0  # counts loads and track starts: did a handler start another?
        self._fade = QTimer(self)  # runs while the old music fades out
        self._fade.setSingleShot(True)
        self._early_ms = 0  # the current track hands over this long before its end
        self._handover_ms = 0  # while track_finished is handled early: what is left
        self._pending_start_ms = 0

    @property
    def fading(self) -> bool:
        return self._fade.isActive()

    def load(self, playlist: Playlist, index: int | None = None, autoplay: bool = True,
             planned: bool = False, fade_ms: int = 0, start_ms: int = 0) -> None:
        fade_ms = max(fade_ms, self._handover_ms) if autoplay and self.state == PLAYING else 0
        self._timer.stop()
        self._fade.stop()
        self._starts += 1
        self.playlist, self.broken, self.current_index = playlist, set(), -1
        if not playlist.tracks:
            self._set_state(STOPPED)
            return
        index = self._new_order(playlist, index, planned)
        if autoplay:
            self._start(index, 1, fade_ms, start_ms)
        else:  # loaded, not playing: play() starts it (a paused old track is gone)
            self._set_index(index)
            self._pending_start_ms = start_ms
            self._set_state(STOPPED)

    def play(self) -> None:
        if self.playlist is None or not self.playlist.tracks:
            return
        if self.state == PAUSED:
            self._clock.restart()
            self._timer.start(max(0, self._length_ms - self._early_ms - self._elapsed_before_pause))
            self._set_state(PLAYING)
        elif self.state == STOPPED:
            self._start(max(self.current_index, 0), 1, 0, self._pending_start_ms)

    def pause(self) -> None:
        if self.state == PLAYING:
            self._fade.stop()
            self._elapsed_before_pause += self._clock.elapsed()
            self._timer.stop()
            self._set_state(PAUSED)

    def stop(self) -> None:
        self._timer.stop()
        self._fade.stop()
        self._set_state(STOPPED)

    def next(self) -> None:
        if self.playlist and self.playlist.tracks:
            self._start(self._step(self.current_index, 1), 1, self.crossfade_ms)

    def previous(self) -> None:
        if self.playlist and self.playlist.tracks:
            self._start(self._step(self.current_index, -1), -1, self.crossfade_ms)

    def set_volume(self, volume: int) -> None:
        self._store_volume(volume)

    def seek(self, ms: int) -> None:
        if self.state == STOPPED:
            return
        self._fade.stop()
        ms = max(0, min(int(ms), self._length_ms))
        self._elapsed_before_pause = ms
        if self.state == PLAYING:
            self._clock.restart()
            self._timer.start(max(0, self._length_ms - self._early_ms - ms))
        self.seeked.emit(ms)

    def position(self) -> tuple[int, int]:
        if self.state == STOPPED:
            return 0, self._length_ms
        running = self._clock.elapsed() if self.state == PLAYING else 0
        return min(self._elapsed_before_pause + running, self._length_ms), self._length_ms

    def close(self) -> None:
        self._timer.stop()
        self._fade.stop()
        self._set_state(STOPPED)
        self.closed.emit()

    def _start(self, index: int, delta: int, fade_ms: int = 0, start_ms: int = 0) -> None:
        assert self.playlist is not None
        n = len(self.playlist.tracks)
        if index < 0:  # nothing playable is left
            self.stop()
            return
        # The null backend cannot decode, so "broken" means missing or empty here.
        for _ in range(n):
            track = self.playlist.tracks[index]
            if index not in self.broken and not _unplayable(track.path):
                break
            if self._mark_broken(index, f"cannot play {track.path.name}: file missing or empty"):
                self.stop()
                return
            index = self._step(index, delta)
            if index < 0:
                self.stop()
                return
        fade_ms = max(fade_ms, self._handover_ms)
        if fade_ms > 0 and self.state == PLAYING:
            self._fade.start(fade_ms)  # the old track fades out meanwhile
        else:
            self._fade.stop()
        self._length_ms = int(1000 * _length_s(self.playlist.tracks[index].path, self.default_track_s))
        self._early_ms = early_end_ms(self._length_ms, self.crossfade_ms)
        self._elapsed_before_pause = min(max(0, start_ms), self._length_ms)
        self._pending_start_ms = 0
        self._starts += 1
        self._clock.restart()
        self._timer.start(max(0, self._length_ms - self._early_ms - self._elapsed_before_pause))
        self._set_index(index)
        self._set_state(PLAYING)

    def _on_track_end(self) -> None:
        """The track ended by itself (with a cross-fade: that long before its end)."""
        self._played()
        starts = self._starts
        self._handover_ms = self._early_ms
        try:
            self.track_finished.emit()
            if self.state == PLAYING and self._starts == starts:
                self._start(self._after_finish(self.current_index), 1)
        finally:
            self._handover_ms = 0


def _unplayable(path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return True


def _length_s(path, default: float) -> float:
    try:
        import mutagen

        info = mutagen.File(path)
        if info is not None and info.info.length > 0:
            return float(info.info.length)
    except Exception:  # untagged or unknown: fall back to the default length
        pass
    return default
