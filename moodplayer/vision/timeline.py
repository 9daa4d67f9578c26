"""Frames -> readings -> windowed moods: the one loop every consumer shares.

The app runs ``read_frames`` on its analysis thread (frames from the camera's newest-frame
slot) and feeds the readings to the session's mood window on the GUI thread; ``analyze``
and ``bench`` run ``mood_timeline`` over a video file in media time. The same analyzer and
the same mood window decide in all three.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from moodplayer.core.emotions import Reading
from moodplayer.core.session.mood_window import MoodState, MoodWindow
from moodplayer.vision.rate import AnalysisRate
from moodplayer.vision.sources import FrameSource

Frame = tuple[float, np.ndarray]  # (time in seconds, BGR image)


class FramePace(Protocol):
    """Which frames to analyse: vision/rate.py's AnalysisRate, or one that wraps it. It
    decides by the frame's time alone (``due``: asked before a frame is decoded)."""

    def due(self, t: float) -> bool: ...

    def wants(self, t: float, image: np.ndarray | None = None) -> bool: ...

    def analysed(self, t: float, reading: Reading) -> None: ...


@dataclass(frozen=True)
class Step:
    reading: Reading
    state: MoodState


def read_frames(frames: Iterable[Frame], analyzer, rate: FramePace | None = None) -> Iterator[Reading]:
    """A reading per frame, in order; with ``rate``, only of the frames it wants (a few a
    second once the mood has settled: vision/rate.py)."""
    for t, image in frames:
        if rate is not None and not rate.wants(t, image):
            continue
        reading = analyzer.analyze(image, t)
        if rate is not None:
            rate.analysed(t, reading)
        yield reading


def mood_timeline(frames: Iterable[Frame], analyzer, window: MoodWindow,
                  rate: AnalysisRate | None = None) -> Iterator[Step]:
    """Each analysed frame's reading and the mood window's state after it."""
    for reading in read_frames(frames, analyzer, rate):
        state = window.push(reading)
        if rate is not None:
            rate.follow(state)
        yield Step(reading, state)


class MediaFrames:
    """Every ``stride``-th frame of a file as (media time, image): media time, not wall
    time, so a file reads the same however fast the machine is. With ``rate``, only the
    frames it will analyse are decoded; the others are only grabbed (vision/rate.py).
    ``read`` counts every frame of the file, ``decoded`` those decoded."""

    def __init__(self, source: FrameSource, stride: int = 1, rate: FramePace | None = None) -> None:
        self.source = source
        self.stride = stride
        self.rate = rate
        self.read = 0
        self.decoded = 0

    def __iter__(self) -> Iterator[Frame]:
        while self.source.grab():
            n, self.read = self.read, self.read + 1
            t = round(n / self.source.fps, 3)
            if n % self.stride or (self.rate is not None and not self.rate.due(t)):
                continue
            image = self.source.retrieve()
            if image is None:
                return
            self.decoded += 1
            yield t, image
