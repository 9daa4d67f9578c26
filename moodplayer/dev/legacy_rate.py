"""The analysis rate of issue 15, kept for ``rate_study``'s 'before' column only: at the
camera's full rate while something changes (pixels or scores), a few times a second while
the face and its reading hold still. vision/rate.py replaced it.

A 5 s mood window does not need 30 readings a second of a face that does not move. After
``steady_after`` readings in a row that agree (the same face presence, scores within
``score_tolerance``), and while the mood window has settled on what they show (``follow``:
no challenger waiting out its dwell), only one frame every ``steady_interval_s`` is
analysed; any frame whose tiny thumbnail differs from the last analysed one by more than
``change_threshold`` grey levels is analysed at once, and a reading that disagrees brings
the full rate back, so a change of expression is followed at the full rate until the
mood has switched.
(The mood window weighs each reading by the time it stands for, so fewer readings of a
steady face vote as much as many: core/session/mood_window.py.)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from moodplayer.core.emotions import Reading
from moodplayer.core.session.mood_window import MoodState

THUMB = (16, 12)  # enough to see a face change, too small to see sensor noise


@dataclass(frozen=True)
class RateConfig:
    steady_interval_s: float = 0.25
    steady_after: int = 4
    score_tolerance: float = 0.15  # L1 distance between two score vectors held "the same"
    change_threshold: float = 4.5  # mean absolute grey-level change of the thumbnail


class AnalysisRate:
    def __init__(self, config: RateConfig | None = None) -> None:
        self.config = config or RateConfig()
        self._last_t: float | None = None
        self._last: Reading | None = None
        self._thumb: np.ndarray | None = None
        self._steady = 0
        self._settled = False  # the mood window shows what the readings show
        self.skipped = 0

    @property
    def steady(self) -> bool:
        return self._steady >= self.config.steady_after and self._settled

    def follow(self, state: MoodState) -> None:
        """The mood window's state after the newest reading (from whichever thread runs
        the window: a plain attribute, read by the analysis thread)."""
        last = self._last
        shows = last is None or not last.has_face or last.emotion == state.mood
        self._settled = state.challenger is None and shows

    def due(self, t: float) -> bool:
        return True  # it must see the pixels to know

    def wants(self, t: float, image: np.ndarray) -> bool:
        """Whether the frame at ``t`` should be analysed."""
        self._image = image
        if self._last_t is None or not self.steady or t - self._last_t >= self.config.steady_interval_s:
            return True
        if self._thumb is None or _changed(_thumbnail(image), self._thumb, self.config.change_threshold):
            return True
        self.skipped += 1
        return False

    def analysed(self, t: float, reading: Reading) -> None:
        """The reading of the frame at ``t``: is the face still as it was?"""
        image = self._image
        same = self._last is not None and _agree(self._last, reading, self.config.score_tolerance)
        self._steady = self._steady + 1 if same else 0
        self._last, self._last_t = reading, t
        self._thumb = _thumbnail(image) if self._steady >= self.config.steady_after else None


def _thumbnail(image: np.ndarray) -> np.ndarray:
    small = cv2.resize(image, THUMB, interpolation=cv2.INTER_AREA)
    return small.astype(np.float32).mean(axis=2) if small.ndim == 3 else small.astype(np.float32)


def _changed(a: np.ndarray, b: np.ndarray, threshold: float) -> bool:
    return a.shape != b.shape or float(np.abs(a - b).mean()) > threshold


def _agree(a: Reading, b: Reading, tolerance: float) -> bool:
    if a.has_face != b.has_face:
        return False
    if not a.has_face:
        return True
    return sum(abs(x - y) for x, y in zip(a.scores, b.scores)) <= tolerance
