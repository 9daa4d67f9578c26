"""Who is this face? One descriptor against the enrolled profiles.

A profile's distance is the Euclidean distance to the nearest of its kept descriptors
and their mean; the nearest profile is the answer if it lies within the threshold, and
nobody (``None``) otherwise: a stranger, or a face too unlike every enrolment to say.
The threshold was chosen on persons-dev (docs/accuracy.md, "Who is listening").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from moodplayer.core.listeners.enrolment import DESCRIPTOR_SIZE, Enrolment

# Euclidean distance under which a face is taken for an enrolled person (face-api's
# descriptor on the aligned chip). dlib's rule of thumb for the same network, 0.6, accepts
# 98 % of strangers on persons-dev; 0.4 recognises 0.89 / 0.99 of the pictures (1 / 3
# enrolled) and accepts 16 % / 40 % of strangers there (13 people of one origin enrolled,
# the hardest case); 0.35 accepts 1 % / 5 % but misses a crying face of a clip
# (docs/accuracy.md, "Who is listening"). The tracker asks 3 answers of 4 on top.
DEFAULT_THRESHOLD = 0.4


@dataclass(frozen=True)
class Match:
    profile: str
    distance: float


def distances(descriptor: Sequence[float] | np.ndarray,
              enrolments: Iterable[Enrolment]) -> dict[str, float]:
    """Each enrolled profile's distance to the face (profiles of another descriptor model
    are left out by ``identify``, not here)."""
    face = _face(descriptor)
    return {e.profile: float(np.min(np.linalg.norm(e.matrix() - face, axis=1))) for e in enrolments}


def identify(descriptor: Sequence[float] | np.ndarray, enrolments: Iterable[Enrolment],
             threshold: float = DEFAULT_THRESHOLD, model: str | None = None) -> Match | None:
    """The enrolled profile this face is, or None. ``model``: only enrolments made by this
    descriptor net are compared (a descriptor of one net means nothing to another)."""
    if threshold <= 0:
        raise ValueError("the distance threshold must be positive")
    pool = [e for e in enrolments if model is None or e.model == model]
    if not pool:
        return None
    found = distances(descriptor, pool)
    profile = min(found, key=lambda name: found[name])
    return Match(profile, found[profile]) if found[profile] < threshold else None


def _face(descriptor: Sequence[float] | np.ndarray) -> np.ndarray:
    face = np.asarray(descriptor, np.float64).reshape(-1)
    if face.shape != (DESCRIPTOR_SIZE,) or not np.all(np.isfinite(face)):
        raise ValueError(f"a face descriptor is {DESCRIPTOR_SIZE} finite numbers")
    return face
