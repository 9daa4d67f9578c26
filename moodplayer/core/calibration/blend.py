"""The blend of two readers as the calibration sees it (issue 20).

The blend engine (vision/engines.py) reads a face with the mini-Xception and with face-api's
expression net and combines them in log space. For a per-person calibration it hands over,
as the reading's "features", both nets' unit-length features and both nets' probabilities
in one flat vector (numbers only, as the calibration wizard collects them):

    [mini-Xception features (128) | face-api features (256) | p mini-Xception (7) | p face-api (7)]

A calibration fitted on such readings calibrates each net on its own readings and blends the
calibrated readings (core/calibration/model.py). Measured on persons-dev and faces-dev
(moodplayer/dev/blend_study.py, docs/accuracy.md "Calibration on top of the blend").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from moodplayer.core.emotions import EMOTIONS

# log p = (1 - w) log p_mini-Xception + w log p_face-api: chosen by moodplayer/dev/faceapi_study.py
# on faces-dev and persons-dev together (docs/accuracy.md, "A second reader")
BLEND_WEIGHT = 0.6
# The weight on face-api once a person's calibration knows the face (moodplayer/dev/
# blend_study.py): the mini-Xception's calibrated reading is the stronger one; a face the
# calibration does not know (its stranger guard) keeps BLEND_WEIGHT.
CALIBRATED_BLEND_WEIGHT = 0.3
FER_FEATURES = 128
FACEAPI_FEATURES = 256
BLEND_FEATURES = FER_FEATURES + FACEAPI_FEATURES + 2 * len(EMOTIONS)  # 398 numbers


def log_blend(p_fer: ArrayLike, p_faceapi: ArrayLike, weight: float) -> np.ndarray:
    """Probabilities combined in log space: (1 - weight) log p_fer + weight log p_faceapi,
    renormalised along the last axis (1e-7 keeps a zero from vetoing a class)."""
    log_p = (1 - weight) * np.log(np.asarray(p_fer, np.float64) + 1e-7) + weight * np.log(
        np.asarray(p_faceapi, np.float64) + 1e-7)
    e = np.exp(log_p - log_p.max(axis=-1, keepdims=True))
    out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


def pack(f_fer: ArrayLike, f_faceapi: ArrayLike, p_fer: ArrayLike, p_faceapi: ArrayLike) -> np.ndarray:
    """One blended reading's calibration vector (the layout above); features made unit length."""
    parts = []
    for f in (f_fer, f_faceapi):
        v = np.asarray(f, np.float64).ravel()
        n = float(np.linalg.norm(v))
        parts.append(v / n if n > 0 else v)
    parts += [np.asarray(p_fer, np.float64).ravel(), np.asarray(p_faceapi, np.float64).ravel()]
    return np.concatenate(parts)


def unpack(features: ArrayLike | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(p_fer, f_fer, p_faceapi, f_faceapi) of a blended reading's vector, or None when the
    vector is not one (another engine's features, damaged numbers)."""
    if features is None:
        return None
    v = np.asarray(features, dtype=np.float64).ravel()
    if v.shape != (BLEND_FEATURES,) or not np.all(np.isfinite(v)):
        return None
    a, b, c = FER_FEATURES, FER_FEATURES + FACEAPI_FEATURES, BLEND_FEATURES - len(EMOTIONS)
    f_fer, f_fa, p_fer, p_fa = v[:a], v[a:b], v[b:c], v[c:]
    if np.linalg.norm(f_fer) == 0 or np.linalg.norm(f_fa) == 0:
        return None
    if np.any(p_fer < 0) or np.any(p_fa < 0) or p_fer.sum() <= 0 or p_fa.sum() <= 0:
        return None
    return p_fer / p_fer.sum(), f_fer, p_fa / p_fa.sum(), f_fa
