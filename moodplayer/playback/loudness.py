"""Loudness measured in the background: libvlc decodes a track to a WAV as fast as it can
(its own stream output: no audio device, no FFmpeg of ours), libebur128 (pyebur128) reads
its EBU R128 integrated loudness and sample peak, and the result goes into the cache
(core/music/loudness.py) so each file is measured once.

One worker thread with its own libvlc instance does the measuring, newest wishes first
(the track that plays, then the rest of its playlist). ``measured(path)`` is emitted when a
track's loudness is known; the Qt thread then asks ``gain_for(path)`` again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import wave
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from moodplayer.core.music.loudness import (
    MODES,
    LoudnessCache,
    Measured,
    ReplayGain,
    file_key,
    gain_db,
    read_replaygain,
)

log = logging.getLogger("moodplayer")
DECODE_TIMEOUT_S = 120.0  # a track that takes longer to decode is left unmeasured


def measure_wav(path: Path) -> Measured | None:
    """Integrated loudness and sample peak of a 16-bit PCM WAV, read a second at a time."""
    import numpy as np
    import pyebur128

    try:
        wf = wave.open(str(path), "rb")
    except (OSError, EOFError, wave.Error) as err:
        log.info("loudness: cannot read the decoded %s: %s", path.name, err)
        return None
    with wf:
        channels, rate = wf.getnchannels(), wf.getframerate()
        if wf.getsampwidth() != 2 or channels < 1 or rate <= 0:
            return None
        mode = pyebur128.MeasurementMode.MODE_I | pyebur128.MeasurementMode.MODE_SAMPLE_PEAK
        state = pyebur128.R128State(channels, rate, mode)
        frames = 0
        while True:
            chunk = wf.readframes(rate)
            if not chunk:
                break
            samples = np.frombuffer(chunk, dtype="<i2").astype(np.int16, copy=False)
            n = len(samples) // channels
            if n == 0:
                break
            state.add_frames(np.ascontiguousarray(samples[: n * channels]), n)
            frames += n
    if frames == 0:
        return None
    peak = max(pyebur128.get_sample_peak(state, c) for c in range(channels))
    return Measured(float(pyebur128.get_loudness_global(state)), float(peak))


def _quoted(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def decode_to_wav(vlc, instance, track: Path, out: Path, stop: threading.Event) -> bool:
    """libvlc's decoders write ``track`` as 16-bit PCM to ``out``; False when it failed."""
    media = instance.media_new_path(str(track))
    media.add_option(f":sout=#transcode{{acodec=s16l}}:std{{access=file,mux=wav,dst={_quoted(out)}}}")
    media.add_option(":no-sout-video")
    player = instance.media_player_new()
    try:
        player.set_media(media)
        player.play()
        start = time.monotonic()
        S = vlc.State
        while player.get_state() not in (S.Ended, S.Error):
            if stop.is_set() or time.monotonic() - start > DECODE_TIMEOUT_S:
                return False
            time.sleep(0.02)
        return player.get_state() == S.Ended
    finally:
        player.stop()  # the WAV's header is complete once the output closed
        player.release()


class LoudnessService(QObject):
    measured = Signal(str)  # a track's loudness is known now (emitted from the worker)

    def __init__(self, cache: LoudnessCache, scratch: Path, mode: str = "track",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.scratch = scratch  # the decoded WAV, deleted after each measurement
        self.mode = mode if mode in MODES else "track"
        self._tags: dict[Path, ReplayGain] = {}
        self._pending: list[Path] = []
        self._failed: set[Path] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.measurements = 0  # how many tracks this service measured

    # --- the Qt thread ------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode if mode in MODES else "track"

    def gain_for(self, path: Path) -> float:
        if self.mode == "off":
            return 0.0
        tags = self._tags.get(path)
        if tags is None:
            tags = self._tags[path] = read_replaygain(path)
        with self._lock:
            measured = self.cache.get(path)
        return gain_db(self.mode, tags, measured)

    def want(self, paths: list[Path]) -> None:
        """Measure these (in this order, before anything asked earlier) unless their tags
        or the cache already say how loud they are."""
        if self.mode == "off" or self._stop.is_set():
            return
        fresh = list(dict.fromkeys(paths))
        wanted = set(fresh)  # a set: a list's `in` made each call O(n^2), 20 s for 5,000 files
        with self._lock:
            self._pending = fresh + [p for p in self._pending if p not in wanted]
        self._wake.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="loudness", daemon=True)
            self._thread.start()

    def idle(self) -> bool:
        """Nothing waits to be measured (or being measured)."""
        with self._lock:
            return not self._pending and not self._busy

    _busy = False

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
        with self._lock:
            self._save()

    # --- the worker -----------------------------------------------------------------------
    def _next(self) -> Path | None:
        with self._lock:
            while self._pending:
                path = self._pending.pop(0)
                if self.cache.get(path) is None and path not in self._failed:
                    self._busy = True
                    return path
            self._busy = False
            return None

    def _work(self) -> None:
        vlc = instance = None
        try:
            while not self._stop.is_set():
                path = self._next()
                if path is None:
                    self._wake.wait(1.0)
                    self._wake.clear()
                    continue
                tags = read_replaygain(path)
                self._tags.setdefault(path, tags)
                key = file_key(path)
                if tags.tagged or key is None or key[0] == 0:  # an empty file has no loudness
                    continue
                if instance is None:
                    from moodplayer.playback.vlc_backend import load_vlc

                    vlc = load_vlc()
                    instance = vlc.Instance(["--no-video", "--quiet", "--no-xlib"])
                measured = self._measure(vlc, instance, path)
                if measured is None:  # not tried again: a broken file must not keep libvlc busy
                    self._failed.add(path)
                    continue
                with self._lock:
                    self.cache.put(path, measured, key)
                    self.measurements += 1
                    self._save()
                log.info("loudness: %s %.1f LUFS, peak %.2f", path.name, measured.lufs, measured.peak)
                self.measured.emit(str(path))
        except Exception:  # measuring is a nicety: the music plays on without it
            log.exception("loudness measurement stopped")
        finally:
            with self._lock:
                self._busy = False
            if instance is not None:
                instance.release()

    def _measure(self, vlc, instance, path: Path) -> Measured | None:
        self.scratch.parent.mkdir(parents=True, exist_ok=True)
        try:
            if not decode_to_wav(vlc, instance, path, self.scratch, self._stop):
                return None
            return measure_wav(self.scratch)
        finally:
            try:
                os.unlink(self.scratch)
            except OSError:
                pass

    def _save(self) -> None:
        try:
            self.cache.save()
        except OSError as err:
            log.warning("the loudness cache could not be saved to %s: %s", self.cache.path, err)
