"""An emulated sound card for measuring what a listener hears: ``--audio-out clock:OUT.wav``.

libvlc's ``afile`` output writes each voice's samples to its own WAV, reopened for every
track, with no notion of time: the silence between two tracks (or between the two voices of a
cross-fade) is in none of them. This output takes the decoded samples of both voices through
libvlc's audio callbacks (the ``amem`` output) and behaves like a blocking sound card with a
short buffer: a write waits until the card's queue is within ``BUFFER_S`` of running dry, the
card plays the queue at the wall clock's pace, runs dry (silence) when nothing comes, drops
its queue on pause and flush, and a drain waits until the queue has played out. What each
voice played is placed on one wall-clock time line, the voices are mixed, and ``close()``
writes it as one 16-bit stereo WAV: a gap between tracks is silence in it, as it is in the
room.

For tests and ``moodplayer bench`` (development); the app plays through the real outputs.
The callbacks run on libvlc's threads: they touch only this object's state, never libvlc.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
import wave
from pathlib import Path

import numpy as np

RATE = 44100
CHANNELS = 2
BUFFER_S = 0.05  # the card's queue: a write blocks while more than this is waiting to play


class _Card:
    """One voice's side of the card: its queue's end on the time line, its volume, and what it
    played (start second, samples)."""

    def __init__(self) -> None:
        self.end = 0.0  # when what is queued has played (seconds on the output's clock)
        self.volume = 1.0
        self.muted = False
        self.generation = 0  # bumped by pause and flush: a write waiting then is dropped
        self.paused = False
        self.chunks: list[tuple[float, np.ndarray]] = []


class ClockedOutput:
    def __init__(self, vlc, path: Path) -> None:
        self.vlc = vlc
        self.path = Path(path)
        self._t0 = time.monotonic()
        self._lock = threading.Lock()
        self._closed = False
        self._cards: list[_Card] = []
        self._callbacks: list[tuple] = []  # ctypes callbacks must outlive the players

    def now(self) -> float:
        return time.monotonic() - self._t0

    def attach(self, player) -> None:
        """Route ``player``'s audio to a card of its own on this output."""
        card = _Card()
        self._cards.append(card)
        cb = self.vlc.CallbackDecorators

        @cb.AudioPlayCb
        def play(opaque, samples, count, pts) -> None:
            self._play(card, ctypes.string_at(samples, count * CHANNELS * 2), count)

        @cb.AudioPauseCb
        def pause(opaque, pts) -> None:
            self._stop_queue(card, paused=True)

        @cb.AudioResumeCb
        def resume(opaque, pts) -> None:
            with self._lock:
                card.paused = False

        @cb.AudioFlushCb
        def flush(opaque, pts) -> None:
            self._stop_queue(card, paused=card.paused)

        @cb.AudioDrainCb
        def drain(opaque) -> None:
            while not self._closed and card.end > self.now():
                time.sleep(0.002)

        @cb.AudioSetVolumeCb
        def set_volume(opaque, volume, mute) -> None:
            with self._lock:
                card.volume, card.muted = float(volume), bool(mute)

        self._callbacks.append((play, pause, resume, flush, drain, set_volume))
        player.audio_set_callbacks(play, pause, resume, flush, drain, None)
        player.audio_set_volume_callback(set_volume)
        player.audio_set_format("S16N", RATE, CHANNELS)

    def _play(self, card: _Card, data: bytes, count: int) -> None:
        with self._lock:
            generation = card.generation
        while True:  # a blocking write: wait for room in the card's queue
            with self._lock:
                if self._closed or card.generation != generation:
                    return  # paused or flushed meanwhile: the card dropped it
                if not card.paused and card.end - self.now() <= BUFFER_S:
                    start = max(card.end, self.now())  # the queue ran dry: silence until now
                    # libvlc's volume, as a card applies it (the cubic scale libvlc assumes)
                    gain = 0.0 if card.muted else card.volume ** 3
                    x = np.frombuffer(data, dtype=np.int16).reshape(-1, CHANNELS)
                    card.chunks.append((start, x.astype(np.float32) * (gain / 32768.0)))
                    card.end = start + count / RATE
                    return
            time.sleep(0.002)

    def _stop_queue(self, card: _Card, paused: bool) -> None:
        """Pause or flush: what waits in the queue is dropped (as ALSA's drop does)."""
        with self._lock:
            card.generation += 1
            card.paused = paused
            now = self.now()
            if card.end > now:
                card.chunks = [(s, chunk[:int((now - s) * RATE)]) for s, chunk in card.chunks if s < now]
                card.end = now

    def mix(self) -> np.ndarray:
        """Everything the card played, both voices summed: (samples, channels) floats."""
        with self._lock:
            chunks = [c for card in self._cards for c in card.chunks]
        if not chunks:
            return np.zeros((0, CHANNELS), np.float32)
        end = max(int(round(s * RATE)) + len(x) for s, x in chunks)
        out = np.zeros((end, CHANNELS), np.float32)
        for s, x in chunks:
            i = int(round(s * RATE))
            out[i:i + len(x)] += x
        return out

    def close(self) -> None:
        """Stop taking samples and write the time line (after the players have stopped)."""
        self._closed = True
        x = np.clip(self.mix(), -1.0, 1.0)
        try:
            # the file opened first: wave.open's own open, failing, leaves a half-built writer
            # that complains again when collected
            with open(self.path, "wb") as f, wave.open(f, "wb") as wf:
                wf.setnchannels(CHANNELS)
                wf.setsampwidth(2)
                wf.setframerate(RATE)
                wf.writeframes((x * 32767).astype("<i2").tobytes())
        except OSError as err:  # the folder went away or the disk is full: said, not raised at quit
            logging.getLogger("moodplayer").warning(
                "the clock output could not be written to %s: %s", self.path, err.strerror or err)
