"""Turns noisy per-frame readings into a stable dominant mood.

One frame decides nothing. Every reading with a face votes with its whole score
distribution, weighted by the time it stands for (the gap since the previous reading, so
that a face analysed four times a second while it holds still votes as much as one
analysed thirty times), by the detector's confidence and by recency (an exponential
decay inside a fixed time window, so a change of expression shows up well before the
old readings have left the window). A new mood must then lead the current one by
``margin`` for ``min_dwell_s`` seconds before the mood switches (hysteresis: no
flicker between two close moods). Frames without a face do not vote; the mood holds.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from moodplayer.core.emotions import EMOTIONS, Reading


@dataclass(frozen=True)
class WindowConfig:
    window_s: float = 5.0
    margin: float = 0.15
    min_dwell_s: float = 1.0
    min_readings: int = 3
    no_face_timeout_s: float = 10.0
    # A reading stands for the time since the previous one, within these bounds: a gap
    # longer than max_span_s (no face, a paused camera) is not credited to one reading.
    min_span_s: float = 1 / 60
    max_span_s: float = 0.5

    def __post_init__(self) -> None:
        if self.window_s <= 0:
            raise ValueError("window_s must be > 0")
        if not 0 <= self.margin < 1:
            raise ValueError("margin must be in [0, 1)")
        if self.min_dwell_s < 0 or self.no_face_timeout_s < 0:
            raise ValueError("durations must be >= 0")
        if self.min_readings < 1:
            raise ValueError("min_readings must be >= 1")

    @property
    def decay_s(self) -> float:
        # A third of the window: the newest second weighs ~2.5x the oldest one
        # that is still inside a 5 s window.
        return self.window_s / 3.0


@dataclass(frozen=True)
class MoodState:
    mood: str | None
    confidence: float  # the mood's share of the weighted vote, 0..1
    shares: dict[str, float] = field(default_factory=dict)
    changed: bool = False
    face_lost: bool = False  # no face for longer than no_face_timeout_s
    votes: int = 0  # face readings inside the window
    challenger: str | None = None  # a mood leading by the margin, waiting out the dwell


class MoodWindow:
    def __init__(self, config: WindowConfig | None = None) -> None:
        self.config = config or WindowConfig()
        self.reset()

    @property
    def mood(self) -> str | None:
        return self._mood

    def reset(self) -> None:
        self._votes: deque[tuple[Reading, float]] = deque()  # (reading, seconds it stands for)
        self._mood: str | None = None
        self._challenger: str | None = None
        self._challenger_since = 0.0
        self._last_face_t: float | None = None
        self._first_t: float | None = None

    def push(self, reading: Reading) -> MoodState:
        now = reading.t
        if self._first_t is None:
            self._first_t = now
        if reading.has_face:
            gap = now - self._last_face_t if self._last_face_t is not None else self.config.min_span_s
            span = min(max(gap, self.config.min_span_s), self.config.max_span_s)
            self._votes.append((reading, span))
            self._last_face_t = now
        self._expire(now)

        shares = self._shares(now)
        changed = self._decide(now, shares)
        since_face = now - (self._last_face_t if self._last_face_t is not None else self._first_t)
        return MoodState(
            mood=self._mood,
            confidence=shares.get(self._mood, 0.0) if self._mood else 0.0,
            shares=shares,
            changed=changed,
            face_lost=since_face > self.config.no_face_timeout_s,
            votes=len(self._votes),
            challenger=self._challenger,
        )

    def _expire(self, now: float) -> None:
        horizon = now - self.config.window_s
        while self._votes and self._votes[0][0].t < horizon:
            self._votes.popleft()

    def _shares(self, now: float) -> dict[str, float]:
        totals = [0.0] * len(EMOTIONS)
        for r, span in self._votes:
            weight = span * max(r.face_confidence, 0.05) * math.exp(-(now - r.t) / self.config.decay_s)
            for i, s in enumerate(r.scores):
                totals[i] += weight * s
        total = sum(totals)
        if total <= 0:
            return {}
        return {name: v / total for name, v in zip(EMOTIONS, totals)}

    def _decide(self, now: float, shares: dict[str, float]) -> bool:
        if not shares:
            return False  # nothing votes: the mood holds
        leader = max(shares, key=shares.__getitem__)
        if self._mood is None:
            if len(self._votes) >= self.config.min_readings:
                self._mood = leader
                return True
            return False
        if leader == self._mood or shares[leader] - shares[self._mood] < self.config.margin:
            self._challenger = None
            return False
        if self._challenger != leader:
            self._challenger, self._challenger_since = leader, now
        if now - self._challenger_since >= self.config.min_dwell_s:
            self._mood, self._challenger = leader, None
            return True
        return False
