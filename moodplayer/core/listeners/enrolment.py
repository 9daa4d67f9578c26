"""A listener's enrolment: the numbers that let the app recognise one profile's person.

Numbers only, never a picture: a few 128-d face descriptors (unit-free vectors a descriptor
net made from the person's face, ``model`` says which net, so a descriptor of another net
is never compared with them), their mean, and how many faces were seen. They are
biometric data all the same: they stay on this machine, with the profile, and are deleted
with it (core/listeners/store.py).

From many faces (a minute of video) the enrolment keeps their mean and at most
``MAX_KEPT`` of them spread over the person's range (farthest-point sampling: the faces
least like those already kept), so a smile and a frown are both remembered.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

FORMAT_VERSION = 1
DESCRIPTOR_SIZE = 128
MAX_KEPT = 8  # descriptors kept per profile
DEFAULT_MODEL = "face-api 1.7.15 recognition, 68-landmark chip"  # vision/listeners.py
MAX_ABS = 100.0  # a descriptor's values lie well inside +-1: a larger one is a hand edit (1e308 overflows)


class EnrolmentError(ValueError):
    """An enrolment cannot be made or read: the message says why."""


@dataclass(frozen=True)
class Enrolment:
    profile: str
    descriptors: tuple[tuple[float, ...], ...]  # the kept faces, each DESCRIPTOR_SIZE floats
    mean: tuple[float, ...]
    count: int  # faces the enrolment was made from
    model: str = DEFAULT_MODEL

    def matrix(self) -> np.ndarray:
        """The kept descriptors and the mean as rows (float64)."""
        return np.array(self.descriptors + (self.mean,), np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "model": self.model,
            "count": self.count,
            "mean": [round(v, 6) for v in self.mean],
            "descriptors": [[round(v, 6) for v in d] for d in self.descriptors],
        }

    @classmethod
    def from_dict(cls, data: object, profile: str = "") -> Enrolment:
        if not isinstance(data, dict):
            raise EnrolmentError("an enrolment is a JSON object")
        if data.get("format") != FORMAT_VERSION:
            raise EnrolmentError(f"unknown enrolment format {data.get('format')!r}")
        model = data.get("model")
        if not isinstance(model, str) or not model:
            raise EnrolmentError("the enrolment does not say which descriptor made it")
        count = data.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise EnrolmentError(f"the enrolment's face count {count!r} is not a positive integer")
        descriptors = data.get("descriptors")
        if not isinstance(descriptors, list) or not descriptors:
            raise EnrolmentError("the enrolment holds no descriptor")
        if len(descriptors) > MAX_KEPT:
            raise EnrolmentError(f"the enrolment holds {len(descriptors)} descriptors (at most {MAX_KEPT})")
        kept = tuple(_vector(d, "a descriptor") for d in descriptors)
        return cls(profile=profile, descriptors=kept, mean=_vector(data.get("mean"), "the mean"),
                   count=count, model=model)


def enrol(profile: str, descriptors: Iterable[Sequence[float]], model: str = DEFAULT_MODEL,
          max_kept: int = MAX_KEPT) -> Enrolment:
    """An enrolment from one person's face descriptors (at least one)."""
    if not profile or not profile.strip():
        raise EnrolmentError("an enrolment belongs to a profile: the profile name is empty")
    rows = [_vector(d, "a descriptor") for d in descriptors]
    if not rows:
        raise EnrolmentError("no face to enrol")
    if not 1 <= max_kept <= MAX_KEPT:
        raise EnrolmentError(f"max_kept must be between 1 and {MAX_KEPT}")
    matrix = np.array(rows, np.float64)
    mean = matrix.mean(axis=0)
    kept = _spread(matrix, mean, max_kept)
    return Enrolment(profile=profile, descriptors=tuple(rows[i] for i in kept),
                     mean=tuple(float(v) for v in mean), count=len(rows), model=model)


@dataclass(frozen=True)
class SeenFace:
    """One frame looked at while enrolling: the largest face's descriptor (None: no face,
    or one too near the edge to align) and how many faces the frame held."""

    descriptor: tuple[float, ...] | None
    faces: int


MIN_FACES = 3  # an enrolment from the camera needs at least this many descriptors
CROWD_SHARE = 0.2  # several faces in this share of the frames with a face: whose face is it?


def enrol_from_frames(profile: str, seen: Sequence[SeenFace], model: str = DEFAULT_MODEL,
                      min_faces: int = MIN_FACES) -> Enrolment:
    """The enrolment of the one person the camera saw (app: "Enrol this listener"). One
    clear reason, as an EnrolmentError, when it cannot be made: no face was seen, several
    people were, or too few faces to go on."""
    with_face = [s for s in seen if s.faces > 0]
    if not with_face:
        raise EnrolmentError(f"no face was seen in {len(seen)} frames: nothing enrolled "
                             "(check the light and that the face is in the picture)")
    crowded = sum(1 for s in with_face if s.faces > 1)
    if crowded >= CROWD_SHARE * len(with_face):
        raise EnrolmentError(f"several faces were seen ({crowded} of {len(with_face)} frames): "
                             "only the listener should face the camera; nothing enrolled")
    rows = [s.descriptor for s in with_face if s.descriptor is not None and s.faces == 1]
    if len(rows) < min_faces:
        raise EnrolmentError(f"only {len(rows)} clear faces in {len(seen)} frames (at least "
                             f"{min_faces} are needed): nothing enrolled")
    return enrol(profile, rows, model)


def _spread(matrix: np.ndarray, mean: np.ndarray, n: int) -> list[int]:
    """Indices of up to n rows: the one nearest the mean first, then each time the row
    farthest from all those kept."""
    first = int(np.argmin(np.linalg.norm(matrix - mean, axis=1)))
    kept = [first]
    nearest = np.linalg.norm(matrix - matrix[first], axis=1)
    while len(kept) < min(n, len(matrix)):
        candidate = int(np.argmax(nearest))
        if nearest[candidate] <= 0.0:  # only duplicates are left
            break
        kept.append(candidate)
        nearest = np.minimum(nearest, np.linalg.norm(matrix - matrix[candidate], axis=1))
    return kept


def _vector(value: object, what: str) -> tuple[float, ...]:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or len(value) != DESCRIPTOR_SIZE:
        raise EnrolmentError(f"{what} must be {DESCRIPTOR_SIZE} numbers")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
            raise EnrolmentError(f"{what} holds {v!r}, not a finite number")
        if isinstance(v, int) and abs(v) > MAX_ABS:  # 10**400 would overflow math.isfinite
            raise EnrolmentError(f"{what} holds a {len(str(abs(v)))}-digit number, not a descriptor's value")
        f = float(v)
        if not math.isfinite(f):
            raise EnrolmentError(f"{what} holds {v!r}, not a finite number")
        if abs(f) > MAX_ABS:
            raise EnrolmentError(f"{what} holds {v!r}, not a descriptor's value (within +-{MAX_ABS:g})")
        out.append(f)
    return tuple(out)
