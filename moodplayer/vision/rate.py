"""How often to analyse: a budget of readings a second set by what the mood window needs,
not by how still the pixels are.

A 5 s mood window with a 1 s dwell gains nothing from thirty correlated readings a second
of one face: it weighs each reading by the time it stands for (core/session/mood_window.py), so
five evenly spaced readings a second vote as much as thirty, and a switch still comes
within a frame or two of when it would at the full rate. A camera's noise, flicker and
jitter change every pixel of every frame, so a rate that watches pixels (or the
scores' frame-to-frame wobble) analyses them all; this one never looks at a pixel, and
its cost on the worst camera is its cost on the best one.

The rule (chosen by measurement on 16 camera-like and real clips, docs/performance.md,
``python -m moodplayer.dev.rate_study``):

- **settled** (the window has a mood and nothing is challenging it): 5 readings a second
  (``per_s``), evenly spaced;
- **unsettled**: 10 a second (``unsettled_per_s``) while a new mood may be on its way: a
  challenger waiting out its dwell, or the mood leading the runner-up by less than
  ``contested_lead`` (0.30); the switch is then found to a tenth of a second;
- **no mood yet** (start, a new profile): every frame, so the first mood comes at once.

Measured against the full rate, every switch of those clips moved as little as when only
the camera's noise is drawn again at the full rate (median 0.03 s, worst 0.47 s vs 0.43 s).

``due(t)`` needs only the frame's time, so the capture thread can ask it before a frame
is decoded (a frame no one uses is grabbed, never decoded: pipeline.py). ``PreviewPace``
does the same for the preview: the few frames it needs beside the analysis's.
"""

from __future__ import annotations

from dataclasses import dataclass

from moodplayer.core.emotions import Reading
from moodplayer.core.session.mood_window import MoodState

# The preview is painted at least this often: a 30 fps camera's every other frame (a
# slower camera's every frame). Smooth to the eye; a 20 Hz timer decoded a fifth to a
# half more frames, most of them beside the analysis's own instead of on them
# (docs/performance.md, "The third round").
PREVIEW_HZ = 15.0
TOLERANCE_S = 0.012  # a frame this early still counts as on time (camera pacing jitter)


@dataclass(frozen=True)
class RateConfig:
    per_s: float = 5.0  # readings a second while the mood window is settled
    unsettled_per_s: float = 10.0  # ... while a switch may be coming
    contested_lead: float = 0.30  # the mood's lead over the runner-up below which it may be
    follow_s: float = 0.0  # after a reading that disagrees with the mood, unsettled this long
    start_per_s: float | None = None  # before the first mood (None: every frame)

    def __post_init__(self) -> None:
        if self.per_s <= 0 or self.unsettled_per_s <= 0:
            raise ValueError("rates must be > 0")


class AnalysisRate:
    def __init__(self, config: RateConfig | None = None) -> None:
        self.config = config or RateConfig()
        self._last_t: float | None = None
        self._mood: str | None = None
        self._unsettled = True  # until the window has a mood
        self._follow_until = float("-inf")
        self.skipped = 0

    @property
    def per_s(self) -> float | None:
        """The current ceiling, readings a second (None: every frame)."""
        cfg = self.config
        if self._mood is None:
            return cfg.start_per_s
        if self._unsettled or (self._last_t is not None and self._last_t < self._follow_until):
            return cfg.unsettled_per_s
        return cfg.per_s

    def due(self, t: float) -> bool:
        """Whether the frame captured at ``t`` should be analysed. Only asks: the schedule
        moves on when a reading is made (``analysed``)."""
        per_s = self.per_s
        if self._last_t is None or per_s is None:
            return True
        return t >= self._last_t + 1.0 / per_s - TOLERANCE_S or t < self._last_t  # a clip looped

    def wants(self, t: float, image=None) -> bool:
        """``due``, counting the frames it leaves out."""
        if self.due(t):
            return True
        self.skipped += 1
        return False

    def analysed(self, t: float, reading: Reading) -> None:
        """A reading was made of the frame at ``t``."""
        self._last_t = t
        if self.config.follow_s and reading.has_face and self._mood is not None \
                and reading.emotion != self._mood:
            self._follow_until = t + self.config.follow_s

    def follow(self, state: MoodState) -> None:
        """The mood window's state after the newest readings (from whichever thread runs the
        window: plain attributes, read by the analysis thread)."""
        self._mood = state.mood
        shares = state.shares
        if state.mood is None or state.challenger is not None or not shares:
            self._unsettled = state.mood is None or state.challenger is not None
            return
        runner = max((s for m, s in shares.items() if m != state.mood), default=0.0)
        self._unsettled = shares.get(state.mood, 0.0) - runner < self.config.contested_lead


class PreviewPace:
    """Which frames the preview needs decoded, given that it paints every decoded frame: a
    frame is needed when skipping it would leave the preview without a new picture for
    longer than 1 / ``hz`` (the next one comes a frame period later). The period is
    measured from the frames' times, so a camera that slows down in low light is followed.
    With the analysis's frames counted as painted, the preview's frames fall in step with
    them (the gap is counted from the last decoded frame of either)."""

    def __init__(self, hz: float = PREVIEW_HZ) -> None:
        self.interval = 1.0 / hz
        self.period: float | None = None  # the camera's frame period, smoothed
        self._last_t: float | None = None  # the last frame grabbed
        self._painted_t: float | None = None  # the last frame decoded (and so painted)

    def grabbed(self, t: float) -> None:
        last, self._last_t = self._last_t, t
        if last is None or not 0 < t - last < 0.5:  # the first frame, a pause, a loop
            return
        gap = t - last
        self.period = gap if self.period is None else 0.9 * self.period + 0.1 * gap

    def due(self, t: float) -> bool:
        if self._painted_t is None or self.period is None or t < self._painted_t:
            return True
        # a quarter of a period of slack: camera timing jitter never skips a frame needed
        return t + self.period - self._painted_t > self.interval + self.period / 4

    def decoded(self, t: float) -> None:
        self._painted_t = t
