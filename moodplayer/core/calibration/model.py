"""Per-person calibration of the emotion reader: numbers learnt from one person's readings.

The FER-2013 network reads every face through the faces it was trained on; one person's
resting face may read half sad, their disgust as anger. A calibration remembers, per label
the person showed, where their readings fall, and corrects later readings with it:

* **Neutral gate.** The person's neutral face is a point in the network's feature space
  (the penultimate layer, unit length). A reading close to it is their neutral face, a
  reading far from it is not, whatever the network's neutral score says. On persons-dev
  the distance from a person's neutral to their other neutral pictures is ~0.27, to their
  expressions ~1 (docs/accuracy.md), so this is the safest correction and needs one picture.
* **Resting-face discount.** Expressions the neutral face already leaks (a resting face
  that reads 30 % sad) are discounted a little, with a floor and a small power.
* **Expression prototypes.** Each other expression they showed is kept as its direction
  away from their neutral; a reading is compared with those directions (cosine), which
  ignores how strongly they pull the face.
* **Stranger guard.** A face far from every prototype (someone else, a pose never shown)
  fades back to the network's reading.

The corrections are blended with the network (it always keeps part of the vote) and a
label the person did not show is left to the network alone: few examples cannot overrule
it. Nothing divides by a raw probability, so a class that the person's neutral gives almost
zero (disgust, typically) cannot take over (a plain log-ratio turns sad into disgust).

Without features (an engine that does not expose them) the same method runs on the square
roots of the seven probabilities (a unit vector too); it gains less (docs/accuracy.md).

**The blend of two readers** (core/calibration/blend.py): a calibration fitted on blended
readings holds one calibration per net (the mini-Xception's in ``stats``, face-api's in
``partner``); a reading is calibrated net by net and blended again. face-api's calibration
applies only as far as the mini-Xception's stranger guard trusts the face (its features tell
people apart better), and the weight on face-api goes from the blend's 0.6 (a stranger: the
blend as it reads) to 0.3 (a face the calibration knows). On the mini-Xception alone (face-api's
net missing) the same calibration is the mini-Xception's.

The knobs below were checked leave-one-person-out on persons-dev (for 13 of its 14 people
the setting best on the other thirteen was the shipped one); the guard's distances were
chosen on faces-dev. docs/accuracy.md has the figures and the commands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from moodplayer.core.calibration.blend import BLEND_WEIGHT, CALIBRATED_BLEND_WEIGHT, log_blend, unpack
from moodplayer.core.emotions import EMOTIONS

FORMAT_VERSION = 1
NEUTRAL = "neutral"
NEUTRAL_INDEX = EMOTIONS.index(NEUTRAL)

# Distance from the neutral prototype at which the gate is half open, in each space.
NEUTRAL_RADIUS = {"features": 0.4, "scores": 0.3}
GATE_SOFTNESS = 0.1  # the gate's width, as a fraction of the radius
NEUTRAL_WEIGHT = 0.9  # share of the neutral score the gate decides (the network keeps the rest)
# The network counts as this many examples against the person's: with n examples of a
# label its prototype gets n / (n + 1) of that label's vote (0.5 for one picture).
PRIOR_EXAMPLES = 1.0
EXPRESSION_TEMPERATURE = 0.1  # softmax temperature over cosines
# How much the expressions the resting face already leaks are discounted: each expression's
# score is divided by (its score on the neutral + FLOOR) ** RESTING_STRENGTH. Strength 1 is
# the plain log-ratio that collapses; at 0.1 with a 0.1 % floor no class can gain more than
# (1.001 / 0.001) ** 0.1 = 2 times on another.
RESTING_STRENGTH = 0.1
RESTING_FLOOR = 0.001
# Up to TRUSTED_DISTANCE from the nearest prototype (feature space) the calibration applies
# in full; from there it fades out, and beyond UNTRUSTED_DISTANCE the network reads alone.
# On persons-dev a person's pictures lie at a median 0.58 from their own nearest prototype,
# at 1.0 from other people's. Chosen on faces-dev (calibrations of strangers): the most
# trust that keeps a stranger's calibration to about a point below the uncalibrated reader.
TRUSTED_DISTANCE = 0.9
UNTRUSTED_DISTANCE = 1.3


class CalibrationError(ValueError):
    """The readings or the stored numbers cannot make a calibration: the message says why."""


@dataclass(frozen=True)
class LabelStats:
    """What one label looked like on this person: ``count`` independent examples (pictures,
    video segments or wizard steps; see ``fit``), the mean of their readings' square-root
    probabilities (unit length) and, when the engine gave them, the mean of their unit-length
    features."""

    count: int
    scores: np.ndarray  # (7,) unit vector
    features: np.ndarray | None = None  # (d,) unit vector


@dataclass(frozen=True)
class Calibration:
    stats: Mapping[str, LabelStats] = field(default_factory=dict)
    profile: str | None = None  # whose it is (set by the store; not part of the numbers)
    # face-api's calibration beside the mini-Xception's (``stats``), fitted on blended readings
    partner: Calibration | None = None

    @property
    def labels(self) -> list[str]:
        """The labels learnt, in EMOTIONS order."""
        return [label for label in EMOTIONS if label in self.stats]

    @property
    def feature_dim(self) -> int | None:
        f = self.stats[NEUTRAL].features
        return None if f is None else int(f.shape[0])

    @property
    def uses_features(self) -> bool:
        return self.feature_dim is not None

    def apply(self, scores: ArrayLike, features: ArrayLike | None = None) -> np.ndarray:
        """One reading's seven probabilities (EMOTIONS order) -> calibrated probabilities.

        ``features`` are the network's penultimate features for the same face; when missing
        (or of another length) the calibration works from the probabilities alone. A blended
        reading's vector (core/calibration/blend.py) is calibrated net by net."""
        parts = unpack(features)
        if parts is not None:
            return self._apply_blend(*parts)
        return self._apply(scores, features)

    def _apply_blend(self, p_fer: np.ndarray, f_fer: np.ndarray, p_fa: np.ndarray,
                     f_fa: np.ndarray) -> np.ndarray:
        calibrated = self._apply(p_fer, f_fer)
        trust = self._trust(f_fer)
        if self.partner is not None:  # face-api's, as far as the mini-Xception knows the face
            p_fa = trust * self.partner._apply(p_fa, f_fa) + (1 - trust) * p_fa
        out: np.ndarray = log_blend(calibrated, p_fa,
                                    BLEND_WEIGHT + (CALIBRATED_BLEND_WEIGHT - BLEND_WEIGHT) * trust)
        return out

    def _features(self, features: ArrayLike | None) -> np.ndarray | None:
        """``features`` as a unit vector when this calibration can use them, else None."""
        if not self.uses_features or features is None:
            return None
        f = np.asarray(features, dtype=np.float64).ravel()
        if f.shape[0] == self.feature_dim and np.all(np.isfinite(f)) and np.linalg.norm(f) > 0:
            unit: np.ndarray = f / np.linalg.norm(f)
            return unit
        return None

    def _trust(self, features: ArrayLike | None) -> float:
        """1 up to TRUSTED_DISTANCE from the nearest prototype (feature space), 0 beyond
        UNTRUSTED_DISTANCE, linear between; 1 without usable features (no guard)."""
        x = self._features(features)
        if x is None:
            return 1.0
        nearest = min(float(np.linalg.norm(x - self._prototype(label, "features"))) for label in self.stats)
        trust = (UNTRUSTED_DISTANCE - nearest) / (UNTRUSTED_DISTANCE - TRUSTED_DISTANCE)
        return min(max(trust, 0.0), 1.0)

    def _apply(self, scores: ArrayLike, features: ArrayLike | None) -> np.ndarray:
        p = _probabilities(scores)
        space = "scores"
        x = np.sqrt(p)
        unit = self._features(features)
        if unit is not None:
            space, x = "features", unit
        neutral = self._prototype(NEUTRAL, space)
        away = x - neutral
        distance = float(np.linalg.norm(away))

        radius = NEUTRAL_RADIUS[space]
        gate = _sigmoid((radius - distance) / (radius * GATE_SOFTNESS))
        p_neutral = (1 - NEUTRAL_WEIGHT) * p[NEUTRAL_INDEX] + NEUTRAL_WEIGHT * gate

        others = [i for i in range(len(EMOTIONS)) if i != NEUTRAL_INDEX]
        resting = self.stats[NEUTRAL].scores ** 2  # back to probabilities
        expression = p[others] / (resting[others] + RESTING_FLOOR) ** RESTING_STRENGTH
        total = expression.sum()
        expression = expression / total if total > 0 else np.full(len(others), 1 / len(others))
        shown = [(k, EMOTIONS[i]) for k, i in enumerate(others) if EMOTIONS[i] in self.stats]
        if shown and distance > 0:
            directions = np.array([self._prototype(label, space) - neutral for _, label in shown])
            lengths = np.linalg.norm(directions, axis=1)
            cosines = directions @ away / np.maximum(lengths * distance, 1e-12)
            # The prototypes share out only the probability the network gives the labels
            # they know: a label the person did not show keeps the network's score.
            k = [k for k, _ in shown]
            mass = expression[k].sum()
            vote = _softmax(cosines / EXPRESSION_TEMPERATURE)
            expression = expression.copy()
            # Each label's examples earn it a share n / (n + PRIOR_EXAMPLES) of its vote:
            # half with one picture, most of it with many frames.
            counts = np.array([self.stats[label].count for _, label in shown], dtype=np.float64)
            weight = counts / (counts + PRIOR_EXAMPLES)
            expression[k] = (1 - weight) * expression[k] + weight * mass * vote

        out: np.ndarray = np.empty(len(EMOTIONS))
        out[others] = (1 - p_neutral) * expression
        out[NEUTRAL_INDEX] = p_neutral
        out = out / out.sum()
        if space == "features":
            # A face unlike everything this person showed (someone else in front of the
            # camera, a pose never calibrated) gets the network's reading back.
            trust = self._trust(features)
            out = trust * out + (1 - trust) * p
        return out

    def _prototype(self, label: str, space: str) -> np.ndarray:
        stats = self.stats[label]
        if space != "features":
            return stats.scores
        if stats.features is None:  # never: _check_consistent gives every label features or none
            raise CalibrationError(f"{label}: no features")
        return stats.features

    def to_dict(self) -> dict[str, Any]:
        """Numbers only (what the store writes): counts and mean vectors per label."""
        labels = {}
        for label in self.labels:
            s = self.stats[label]
            entry: dict[str, Any] = {"count": s.count, "scores": [round(float(v), 6) for v in s.scores]}
            if s.features is not None:
                entry["features"] = [round(float(v), 6) for v in s.features]
            labels[label] = entry
        out: dict[str, Any] = {"version": FORMAT_VERSION, "labels": labels}
        if self.partner is not None:  # face-api's half of a blend calibration
            out["faceapi"] = self.partner.to_dict()["labels"]
        return out

    @classmethod
    def from_dict(cls, data: object) -> Calibration:
        """Rebuild from ``to_dict``'s numbers; anything damaged raises CalibrationError."""
        if not isinstance(data, Mapping):
            raise CalibrationError("a calibration must be a JSON object")
        if data.get("version") != FORMAT_VERSION:
            raise CalibrationError(f"unknown calibration version {data.get('version')!r} "
                                   f"(this MoodPlayer reads version {FORMAT_VERSION})")
        labels = data.get("labels")
        if not isinstance(labels, Mapping) or not labels:
            raise CalibrationError("the calibration holds no labels")
        stats = {}
        for label, entry in labels.items():
            if label not in EMOTIONS:
                raise CalibrationError(f"unknown label {label!r} in the calibration")
            if not isinstance(entry, Mapping):
                raise CalibrationError(f"{label}: expected an object")
            count = entry.get("count")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise CalibrationError(f"{label}: count must be a whole number >= 1, not {count!r}")
            scores = _unit_vector(entry.get("scores"), f"{label} scores", length=len(EMOTIONS))
            features = entry.get("features")
            if features is not None:
                features = _unit_vector(features, f"{label} features")
            stats[label] = LabelStats(count, scores, features)
        _check_consistent(stats)
        partner = None
        if data.get("faceapi") is not None:
            try:
                partner = cls.from_dict({"version": FORMAT_VERSION, "labels": data["faceapi"]})
            except CalibrationError as err:
                raise CalibrationError(f"face-api's part: {err}") from None
        return cls(stats, partner=partner)


Sample = tuple[Any, ...]  # (label, scores[7]) or (label, scores[7], features | None)


def fit(samples: Iterable[Sample], examples: Mapping[str, int] | None = None) -> Calibration:
    """Learn a calibration from one person's labelled readings.

    Each sample is ``(label, scores)`` or ``(label, scores, features)``: a still picture or
    one captured frame (a wizard can pass every frame of a step with its prompt's label).
    The person's neutral is required; other labels are optional. Features are used only when
    every sample has them.

    ``examples`` says how many independent takes a label's samples come from: the frames of
    one video segment or one wizard step are one take (they show the same face, and count
    as one example against the network), not one each. Default: every sample is a take."""
    samples = list(samples)
    blended = [unpack(s[2]) if isinstance(s, (tuple, list)) and len(s) == 3 else None for s in samples]
    if samples and all(b is not None for b in blended):
        # blended readings (core/calibration/blend.py): one calibration per net
        fer_samples = [(s[0], b[0], b[1]) for s, b in zip(samples, blended) if b is not None]
        fa_samples = [(s[0], b[2], b[3]) for s, b in zip(samples, blended) if b is not None]
        return replace(fit(fer_samples, examples), partner=fit(fa_samples, examples))
    by_label: dict[str, list[tuple[np.ndarray, np.ndarray | None]]] = {}
    for i, sample in enumerate(samples):
        if not isinstance(sample, (tuple, list)) or len(sample) not in (2, 3):
            raise CalibrationError(f"sample {i}: expected (label, scores[, features])")
        label, scores = sample[0], sample[1]
        features = sample[2] if len(sample) == 3 else None
        if label not in EMOTIONS:
            raise CalibrationError(f"sample {i}: unknown label {label!r} (use one of {', '.join(EMOTIONS)})")
        p = _probabilities(scores, f"sample {i}")
        f = None
        if features is not None:
            f = np.asarray(features, dtype=np.float64).ravel()
            if not np.all(np.isfinite(f)) or np.linalg.norm(f) == 0:
                raise CalibrationError(f"sample {i}: features must be finite and not all zero")
        by_label.setdefault(label, []).append((p, f))
    if NEUTRAL not in by_label:
        raise CalibrationError("a calibration needs at least one neutral reading (a relaxed face)")
    all_features = [f for rows in by_label.values() for _, f in rows]
    present = [f for f in all_features if f is not None]
    use_features = len(present) == len(all_features) and len({f.shape for f in present}) == 1
    stats = {}
    for label, rows in by_label.items():
        takes = len(rows)
        if examples is not None and label in examples:
            given = examples[label]
            if not isinstance(given, int) or isinstance(given, bool) or given < 1:
                raise CalibrationError(f"{label}: examples must be a whole number >= 1, not {given!r}")
            takes = min(given, len(rows))
        scores = _unit(np.mean([np.sqrt(p) for p, _ in rows], axis=0))
        features = (_unit(np.mean([f / np.linalg.norm(f) for _, f in rows if f is not None], axis=0))
                    if use_features else None)
        stats[label] = LabelStats(takes, scores, features)
    return Calibration({label: stats[label] for label in EMOTIONS if label in stats})


def agreement(samples: Sequence[Sample], calibration: Calibration | None) -> float:
    """Share of the (label, scores, features) samples whose top label is their label,
    read as they are (None) or through ``calibration``."""
    if not samples:
        return 0.0
    right = 0
    for label, scores, features in samples:
        if calibration is not None:
            scores = calibration.apply(scores, features)
        right += EMOTIONS[int(np.argmax(scores))] == label
    return right / len(samples)


def _probabilities(scores: ArrayLike, what: str = "scores") -> np.ndarray:
    p = np.asarray(scores, dtype=np.float64).ravel()
    if p.shape != (len(EMOTIONS),):
        raise CalibrationError(f"{what}: expected {len(EMOTIONS)} probabilities, got {p.size}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise CalibrationError(f"{what}: probabilities must be finite, >= 0 and not all zero")
    normalised: np.ndarray = p / p.sum()
    return normalised


def _unit_vector(values: object, what: str, length: int | None = None) -> np.ndarray:
    if not isinstance(values, list) or not values:
        raise CalibrationError(f"{what}: expected a list of numbers")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        raise CalibrationError(f"{what}: every value must be a finite number")
    if length is not None and len(values) != length:
        raise CalibrationError(f"{what}: expected {length} numbers, got {len(values)}")
    v = np.asarray(values, dtype=np.float64)
    if abs(np.linalg.norm(v) - 1.0) > 1e-3:
        raise CalibrationError(f"{what}: not a unit vector (the numbers were changed)")
    return v


def _check_consistent(stats: Mapping[str, LabelStats]) -> None:
    if NEUTRAL not in stats:
        raise CalibrationError("the calibration has no neutral label")
    dims = {None if s.features is None else s.features.shape[0] for s in stats.values()}
    if len(dims) != 1:
        raise CalibrationError("the labels' features differ in length (or some are missing)")


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    unit: np.ndarray = v / n if n > 0 else v
    return unit


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 60.0), -60.0)))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    shares: np.ndarray = e / e.sum()
    return shares
