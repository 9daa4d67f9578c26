"""The calibration wizard's steps, without Qt: which prompts, how long, which frames count.

A step is one take (``core.calibration.fit``'s ``examples``): the frames of a face held
for a few seconds after a prompt. The first ``settle_s`` of each step are left out (the
person is still changing face). Samples carry the capture time of their frame, so a frame
analysed late still counts for the step it was captured in.

A sample is ``(t, scores[7], features | None, box)``: the analysis thread's uncalibrated
reading of one frame with a face (pipeline.AnalysisThread.raw_samples). Numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from moodplayer.core.calibration.model import Calibration, Sample, fit
from moodplayer.core.emotions import EMOTIONS, Box

RawSample = tuple[float, Sequence[float], Sequence[float] | None, Box]  # (t, scores, features | None, box)

PENDING, RECORDING, DONE, NO_FACE, SKIPPED = "pending", "recording", "done", "no face", "skipped"


@dataclass(frozen=True)
class Prompt:
    label: str  # one of EMOTIONS: what the frames of this step are taken for
    text: str
    required: bool = False


PROMPTS: tuple[Prompt, ...] = (
    Prompt("neutral", "Relax your face and look at the camera", required=True),
    Prompt("happy", "Smile"),
    Prompt("sad", "Look sad"),
    Prompt("angry", "Look angry"),
    Prompt("surprise", "Look surprised"),
    Prompt("disgust", "Look disgusted"),
    Prompt("fear", "Look afraid"),
    Prompt("neutral", "Look calm again"),  # a second neutral take, after the expressions
)
# The first look: the relaxed face only, offered once per profile (the neutral-only
# calibration: +6.6 points on persons-dev, docs/accuracy.md), saved without a Save click.
FIRST_LOOK: tuple[Prompt, ...] = (Prompt("neutral", "Relax and look at the screen", required=True),)
assert all(p.label in EMOTIONS for p in PROMPTS + FIRST_LOOK)


@dataclass(frozen=True)
class Timing:
    neutral_s: float = 5.0  # the required relaxed face
    expression_s: float = 4.0  # each optional step
    settle_s: float = 0.7  # left out at the start of every step

    def duration(self, prompt: Prompt) -> float:
        return self.neutral_s if prompt.required else self.expression_s


@dataclass
class StepState:
    prompt: Prompt
    status: str = PENDING
    start: float = 0.0  # capture-clock time the step began
    end: float = 0.0
    samples: list[RawSample] = field(default_factory=list)  # kept for this take


class CalibrationSteps:
    """The steps in order, the current one, and the frames each kept."""

    def __init__(self, timing: Timing = Timing(), prompts: tuple[Prompt, ...] = PROMPTS) -> None:
        self.timing = timing
        self.steps = [StepState(p) for p in prompts]
        self.index = 0

    @property
    def current(self) -> StepState | None:
        return self.steps[self.index] if self.index < len(self.steps) else None

    @property
    def over(self) -> bool:
        return self.index >= len(self.steps)

    def _step(self) -> StepState:
        """The current step, for what only a step can do."""
        step = self.current
        if step is None:
            raise ValueError("the calibration's steps are over")
        return step

    def begin(self, now: float) -> None:
        """Record the current step from ``now`` (its samples so far are dropped: a retry)."""
        step = self._step()
        step.status, step.samples = RECORDING, []
        step.start, step.end = now, now + self.timing.duration(step.prompt)

    def add(self, samples: list[RawSample]) -> int:
        """Keep the samples captured inside the recording step's window (after its first
        ``settle_s``); how many were kept."""
        step = self.current
        if step is None or step.status != RECORDING:
            return 0
        first = step.start + self.timing.settle_s
        kept = [s for s in samples if first <= s[0] < step.end]
        step.samples.extend(kept)
        return len(kept)

    def finish(self) -> StepState:
        """The recording step's time is over: done, or no face seen."""
        step = self._step()
        step.status = DONE if step.samples else NO_FACE
        return step

    def skip(self) -> None:
        """Leave the current (optional) step out and go to the next."""
        step = self._step()
        if step.prompt.required:
            raise ValueError(f"{step.prompt.text!r} cannot be skipped: the calibration starts from it")
        step.status, step.samples = SKIPPED, []
        self.index += 1

    def next(self) -> None:
        """Go on after a step that is done (or, for an optional one, that saw no face)."""
        step = self._step()
        if step.status != DONE and step.prompt.required:
            raise ValueError(f"{step.prompt.text!r} needs a face first: retry it")
        if step.status != DONE:
            step.status, step.samples = SKIPPED, []
        self.index += 1

    def finish_early(self) -> None:
        """Skip every step left (the neutral must be done)."""
        if not self.has_neutral:
            raise ValueError("the relaxed face is not captured yet")
        while not self.over:
            step = self._step()
            if step.status == RECORDING or step.status == PENDING:
                step.status, step.samples = SKIPPED, []
            self.index += 1

    @property
    def has_neutral(self) -> bool:
        return any(s.status == DONE and s.prompt.required for s in self.steps)

    def labelled(self) -> tuple[list[Sample], dict[str, int]]:
        """(label, scores, features) of every kept frame, and per label how many steps
        (takes) they come from: what ``fit`` takes."""
        samples: list[Sample] = []
        takes: dict[str, int] = {}
        for step in self.steps:
            if step.status != DONE:
                continue
            takes[step.prompt.label] = takes.get(step.prompt.label, 0) + 1
            samples.extend((step.prompt.label, scores, features) for _, scores, features, _ in step.samples)
        return samples, takes

    def fit(self) -> Calibration:
        samples, takes = self.labelled()
        return fit(samples, takes)


def steadiness(samples: list[RawSample]) -> float | None:
    """How still the face is, 0..1, from its last few frames: the box's jitter (relative
    to its size) and how much the scores move. None with fewer than three frames."""
    if len(samples) < 3:
        return None
    boxes = np.array([s[3] for s in samples], dtype=np.float64)
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    size = max(float(np.mean(boxes[:, 2:])), 1.0)
    jitter = float(np.mean(np.linalg.norm(np.diff(centres, axis=0), axis=1))) / size
    spread = float(np.mean(np.std(np.array([s[1] for s in samples]), axis=0)))
    # 5 % of the face's size per frame, or a 0.15 spread of the scores, reads as not steady
    return float(min(max(1.0 - jitter / 0.05 - spread / 0.15, 0.0), 1.0))

