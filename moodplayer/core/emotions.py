"""The seven emotions and one analysed frame (a Reading)."""

from __future__ import annotations

from dataclasses import dataclass, field

# The order every engine reports scores in (the FER-2013 order that both the
# mini-Xception and DeepFace's Emotion model were trained with).
EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

Box = tuple[int, int, int, int]  # x, y, w, h in frame pixels


@dataclass(frozen=True)
class Reading:
    """What the analyzer saw in one frame.

    ``scores`` are probabilities in EMOTIONS order (they sum to ~1). A reading without a
    face has ``box=None`` and empty scores: it must never vote for a mood.
    """

    t: float
    box: Box | None = None
    face_confidence: float = 0.0
    scores: tuple[float, ...] = field(default_factory=tuple)
    faces: int = 0  # how many faces were in the frame (the largest one decides)

    @property
    def has_face(self) -> bool:
        return self.box is not None and len(self.scores) == len(EMOTIONS)

    @property
    def emotion(self) -> str | None:
        if not self.has_face:
            return None
        best = max(range(len(EMOTIONS)), key=lambda i: self.scores[i])
        return EMOTIONS[best]

    def score_dict(self) -> dict[str, float]:
        if not self.has_face:
            return {}
        return {name: float(s) for name, s in zip(EMOTIONS, self.scores)}
