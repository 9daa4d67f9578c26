"""The real model, the real detector, real videos (shipped in packages or made here)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from helpers import ASTRONAUT, feat_file

from moodplayer.core.emotions import EMOTIONS
from moodplayer.dev.face_clips import HAPPY_STILL, SURPRISE_STILL, clip_frames
from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig
from moodplayer.vision.engines import LiteMiniXceptionEngine, MiniXceptionEngine, rebalance
from moodplayer.vision.models import (
    ModelUnavailable,
    choose_engine,
    fer_lite_model_path,
    fer_model_path,
    weights_dir,
)
from moodplayer.vision.sources import (
    CameraSource,
    SourceError,
    VideoFileSource,
    parse_source,
)


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer.create(AnalyzerConfig(engine="fer"))


def test_the_astronauts_smile_reads_happy(analyzer):
    reading = analyzer.analyze_still(cv2.imread(str(ASTRONAUT)), 0.0)
    assert reading.has_face
    assert reading.emotion == "happy"
    assert reading.scores[EMOTIONS.index("happy")] > 0.6
    assert abs(sum(reading.scores) - 1) < 1e-3


@pytest.mark.parametrize("still,expected", [("0-f15-hao-ph.jpg", "happy"),
                                            ("0-f1-su-ph.jpg", "surprise")])
def test_posed_stills(analyzer, still, expected):
    assert analyzer.analyze_still(cv2.imread(str(feat_file(still))), 0.0).emotion == expected


@pytest.mark.parametrize("engine", ["fer", "fer-keras"])
def test_both_builds_of_the_network_agree(engine):
    """The TensorFlow Lite build the app runs and the Keras original read the same."""
    other = Analyzer.create(AnalyzerConfig(engine=engine))
    assert other.engine.name == engine
    reading = other.analyze_still(cv2.imread(str(ASTRONAUT)))
    assert reading.emotion == "happy" and reading.scores[EMOTIONS.index("happy")] > 0.6


def test_a_stream_follows_the_face_and_reads_every_frame():
    """Streaming: the detector searches the whole frame rarely, a small region around the
    face now and then, and reuses the box in between; every frame still gets a reading,
    and the expression change is seen."""
    analyzer = Analyzer.create(AnalyzerConfig(engine="fer"))
    readings = [analyzer.analyze(image, i / 30)
                for i, image in enumerate(clip_frames([(HAPPY_STILL, 2), (SURPRISE_STILL, 2)]))]
    assert len(readings) == 120 and all(r.has_face for r in readings)
    searches = analyzer.tracker.searches
    assert sum(searches.values()) + analyzer.duplicates.skipped == 120
    assert searches["full"] <= 8 and searches["region"] >= 15 and searches["reused"] >= 30
    assert [r.emotion for r in readings[5:55]].count("happy") >= 45
    assert [r.emotion for r in readings[65:115]].count("surprise") >= 45
    xs = [r.box[0] for r in readings]
    assert max(xs) - min(xs) >= 20  # the box followed the drifting face


def test_a_repeated_frame_reuses_its_reading():
    analyzer = Analyzer.create(AnalyzerConfig(engine="fer"))
    frame = next(iter(clip_frames([(HAPPY_STILL, 0.1)])))
    first = analyzer.analyze(frame, 1.0)
    again = analyzer.analyze(frame.copy(), 2.0)
    assert analyzer.duplicates.skipped == 1
    assert again.t == 2.0 and again.scores == first.scores and again.box == first.box
    other = analyzer.analyze(np.zeros_like(frame), 3.0)
    assert not other.has_face and analyzer.duplicates.skipped == 1


def test_a_face_touching_the_picture_edge_is_found(analyzer):
    """A tight crop: the face fills the picture. The detector pads the picture, as Haar
    cascades cannot find a face that touches the edge."""
    image = cv2.imread(str(feat_file(HAPPY_STILL)))
    face = analyzer.detector.detect(image)[0]
    x, y, w, h = face.box
    tight = image[y + h // 10:y + h - h // 10, x + w // 10:x + w - w // 10]
    assert analyzer.analyze_still(tight).emotion == "happy"


def test_rebalance_undoes_the_training_prior():
    probs = np.array([0.1, 0.02, 0.1, 0.5, 0.1, 0.08, 0.1])
    assert np.allclose(rebalance(probs, 0.0), probs)
    full = rebalance(probs, 1.0)
    assert abs(full.sum() - 1) < 1e-9 and full[1] > probs[1] * 5  # disgust, 1.5 % of FER-2013


def test_no_face_is_no_reading_never_the_whole_frame(analyzer):
    cap = cv2.VideoCapture(str(feat_file("no_face.mp4")))
    ok, frame = cap.read()
    cap.release()
    assert ok
    for image in (frame, np.zeros((480, 640, 3), np.uint8), np.full((32, 32, 3), 255, np.uint8)):
        reading = analyzer.analyze_still(image, 1.0)
        assert not reading.has_face and reading.emotion is None and reading.scores == ()


def test_the_largest_face_decides(analyzer):
    reading = analyzer.analyze_still(cv2.imread(str(feat_file("multi_face.jpg"))), 0.0)
    assert reading.faces >= 2
    faces = analyzer.detector.detect(cv2.imread(str(feat_file("multi_face.jpg"))))
    assert reading.box == faces[0].box
    assert faces[0].area == max(f.area for f in faces)


def test_without_alignment_the_detector_skips_the_eyes_and_finds_the_same_faces():
    """DeepFace's OpenCV client runs an eye cascade over every face it finds (a third of a
    search); the app reads the eyes only to align, so without alignment the same face
    cascade is called alone: the same boxes, confidences and crops, no eyes."""
    from moodplayer.vision.detect import DetectorConfig, FaceDetector

    plain, with_eyes = FaceDetector(DetectorConfig()), FaceDetector(DetectorConfig(eyes=True))
    assert not DetectorConfig().wants_eyes and DetectorConfig(align=True).wants_eyes
    eyes_seen = 0
    for image in (cv2.imread(str(feat_file("multi_face.jpg"))), cv2.imread(str(ASTRONAUT))):
        x, y, w, h = plain.detect(image)[0].box  # and a tracker's search around that face
        around = (max(0, x - w // 2), max(0, y - h // 2), x + w + w // 2, y + h + h // 2)
        for region, width in ((None, None), (around, 112)):
            a, b = plain.detect(image, region, width), with_eyes.detect(image, region, width)
            assert a and [(f.box, f.confidence) for f in a] == [(f.box, f.confidence) for f in b]
            assert all(np.array_equal(f.crop, g.crop) for f, g in zip(a, b))
            assert all(f.eyes is None for f in a)
            eyes_seen += sum(g.eyes is not None for g in b)
    assert eyes_seen  # DeepFace's own search does find them


def test_engine_choice_prefers_deepface_weights_when_present(tmp_path, monkeypatch):
    assert choose_engine("auto").name == "fer"  # no DeepFace weights in the test home
    with pytest.raises(ModelUnavailable, match="--allow-download"):
        choose_engine("deepface")
    monkeypatch.setenv("DEEPFACE_HOME", str(tmp_path))
    (tmp_path / ".deepface" / "weights").mkdir(parents=True)
    (weights_dir() / "facial_expression_model_weights.h5").write_bytes(b"x")
    assert choose_engine("auto").name == "deepface"


@pytest.mark.parametrize("engine,original", [(MiniXceptionEngine, fer_model_path),
                                             (LiteMiniXceptionEngine, fer_lite_model_path)])
def test_missing_or_truncated_weights_give_a_clear_message(tmp_path, engine, original):
    with pytest.raises(ModelUnavailable, match="missing"):
        engine(tmp_path / "nope")
    truncated = tmp_path / original().name
    truncated.write_bytes(original().read_bytes()[:5000])
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        engine(truncated)


def test_video_file_source_reads_and_loops():
    src = VideoFileSource(feat_file("single_face.mp4"), loop=True)
    n = src.frame_count
    frames = [src.read() for _ in range(n + 5)]
    src.close()
    assert all(f is not None and f.ndim == 3 for f in frames)
    assert src.position == 5  # wrapped to the start


def mjpeg_clip(path, frames=20, ruin=None):
    """The astronaut, moving a pixel a frame, as a webcam's MJPEG in an .avi; ``ruin``: the
    index (or indexes) of frames whose pictures are made undecodable (SOF marker overwritten)."""
    picture = cv2.resize(cv2.imread(str(ASTRONAUT)), (320, 240))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    for i in range(frames):
        writer.write(np.roll(picture, i, axis=1))
    writer.release()
    if ruin is not None:
        data = bytearray(path.read_bytes())
        sofs = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xC0]
        for r in [ruin] if isinstance(ruin, int) else ruin:
            data[sofs[r] + 1] = 0x01
        path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("as_jpeg", [True, False], ids=["jpeg-packets", "ffmpeg"])
def test_an_mjpeg_file_is_read_whole_with_a_damaged_frame_standing_in(tmp_path, monkeypatch, as_jpeg,
                                                                      caplog):
    clean = VideoFileSource(mjpeg_clip(tmp_path / "clean.avi"))
    if not as_jpeg:
        monkeypatch.setattr(VideoFileSource, "_read_as_jpeg", lambda self: False)
    damaged = VideoFileSource(mjpeg_clip(tmp_path / "damaged.avi", ruin=5))
    assert clean._jpeg and damaged._jpeg == as_jpeg  # an MJPEG file: packets, unless told not to
    a = [clean.read() for _ in range(20)]
    b = [damaged.read() for _ in range(20)]
    assert clean.read() is None and damaged.read() is None  # both to their ends
    assert damaged.damaged == 1 and "frame 6 cannot be decoded" in caplog.text
    if as_jpeg:
        assert b[5] is b[4]  # the picture before stands in for the damaged one
    else:  # FFmpeg decodes as it grabs: the damaged frame is skipped, the media time kept
        assert damaged.position == 20 and np.abs(b[5].astype(int) - a[6]).mean() < 1.5
    for i in (0, 4) + ((6, 19) if as_jpeg else ()):  # the same pictures (within rounding)
        assert np.abs(a[i].astype(int) - b[i]).mean() < 1.5
    assert not np.array_equal(a[4], a[5])


@pytest.mark.parametrize("as_jpeg", [True, False], ids=["jpeg-packets", "ffmpeg"])
def test_a_damaged_stretch_of_frames_does_not_end_an_mjpeg_file(tmp_path, monkeypatch, as_jpeg, caplog):
    if not as_jpeg:  # FFmpeg decodes as it grabs: each damaged frame is a failed grab
        monkeypatch.setattr(VideoFileSource, "_read_as_jpeg", lambda self: False)
    damaged = VideoFileSource(mjpeg_clip(tmp_path / "damaged.avi", ruin=(5, 6, 7)))
    pictures = []
    while (picture := damaged.read()) is not None:  # as the capture thread reads: to the first None
        pictures.append(picture)
    # to the end, the media time kept: the picture before stands in for each damaged one
    # (packets), or FFmpeg's next picture is taken (it could not decode the damaged ones)
    assert damaged.position == 20 and len(pictures) == (20 if as_jpeg else 17)
    assert damaged.damaged == 3 and caplog.text.count("cannot be decoded") == 1


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
    face = cv2.imread(str(ASTRONAUT))[180:290, 150:260]
    probs = engine.predict([face])
    assert probs.shape == (1, 7) and abs(float(probs.sum()) - 1) < 1e-3

    # make setup converts it to TensorFlow Lite; from then on the app runs that (no TensorFlow)
    from moodplayer.provision.deepface import convert
    from moodplayer.vision.engines import LiteDeepFaceEmotionEngine

    lite = convert()
    assert lite == weights.parent / "facial_expression_model.tflite" and lite.is_file()
    choice = choose_engine("auto")
    assert choice.name == "deepface" and choice.weights == lite
    lite_engine = build_engine(choice)
    assert isinstance(lite_engine, LiteDeepFaceEmotionEngine)
    assert np.allclose(lite_engine.predict([face]), probs, atol=1e-3)  # the same network


def test_a_trackers_search_looks_only_for_a_face_of_the_size_it_follows():
    """A search around a followed face (``face_side``) tries only the scales near that face's
    size: the same face found at the same box (the same readings), for less of the
    cascade's work (dev/search_study.py); a face of another size is not looked for (the
    tracker then searches the whole frame)."""
    from moodplayer.vision.detect import DetectorConfig, FaceDetector, face_sizes

    detector = FaceDetector(DetectorConfig())
    assert face_sizes(10) == (24, 25) and face_sizes(100) == (62, 160)
    for image in (cv2.imread(str(feat_file("multi_face.jpg"))), cv2.imread(str(ASTRONAUT))):
        face = detector.detect(image)[0]
        x, y, w, h = face.box
        side = max(w, h)
        around = (max(0, x - w // 2), max(0, y - h // 2), x + w + w // 2, y + h + h // 2)
        searched = []
        real = detector._regions

        def spy(img, sizes=None, searched=searched, real=real):
            searched.append(sizes)
            return real(img, sizes)

        detector._regions = spy
        plain = detector.detect(image, around, 112)
        bounded = detector.detect(image, around, 112, face_side=side)
        del detector._regions
        assert searched[0] is None and searched[1] is not None
        assert plain and bounded
        assert bounded[0].box == plain[0].box and bounded[0].confidence == plain[0].confidence
        assert np.array_equal(bounded[0].crop, plain[0].crop)
        # following a face 3.5 times the size of the one there: that one is not looked for
        assert detector.detect(image, around, 112, face_side=side * 3.5) == []


def _two_faces(big: int, small: int, small_at: tuple[int, int] = (470, 60)) -> np.ndarray:
    """A 640x480 frame: the astronaut's head ``big`` px wide on the left, a copy ``small``
    px wide at ``small_at``."""
    head = cv2.imread(str(ASTRONAUT))[0:300, 80:380]
    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[60:60 + big, 20:20 + big] = cv2.resize(head, (big, big), interpolation=cv2.INTER_AREA)
    if small:
        x, y = small_at
        frame[y:y + small, x:x + small] = cv2.resize(head, (small, small), interpolation=cv2.INTER_AREA)
    return frame


def test_the_periodic_search_looks_only_for_a_larger_face_unless_every_face_counts():
    """Every ``full_every`` readings the tracker looks at the whole frame for a larger face:
    only faces no smaller than the followed one / FACE_SIZE_RANGE are looked for then (the
    cascade's smallest scales, most of its work, are skipped). A face much smaller than the
    largest is counted by no search, so "N faces in view" does not come and go with the
    kind of search; with ``count_every_face`` (an enrolment: pipeline.AnalysisThread sets
    it) every face is; a larger face that comes into view takes the track; and when the
    bounded look finds nothing, the whole frame is searched at once."""
    from moodplayer.vision.detect import DetectorConfig, Face, FaceDetector
    from moodplayer.vision.tracking import FaceTracker, TrackerConfig

    detector = FaceDetector(DetectorConfig())
    crowd = _two_faces(360, 200, (430, 60))  # faces of 120 and 64 px: 1.9 times apart
    assert [f.box[2] for f in detector.detect(crowd)] == [120, 64]
    config = TrackerConfig(full_every=2, redetect_every=100)  # the third frame: the periodic search
    bounded = FaceTracker(detector, config)
    assert [bounded.track(crowd)[1] for _ in range(3)] == [1, 1, 1]  # whole, reused, bounded
    assert bounded.searches["larger"] == 1 and bounded.searches["full"] == 1
    every = FaceTracker(detector, config)
    every.count_every_face = True
    assert [every.track(crowd)[1] for _ in range(3)] == [2, 2, 2]
    assert every.searches["larger"] == 0 and every.searches["full"] == 2

    # a larger face comes into view: the periodic search follows it
    alone, joined = _two_faces(200, 0), _two_faces(200, 260, (330, 100))  # 64 px; then 88 px too
    tracker = FaceTracker(detector, config)
    first, _ = tracker.track(alone)
    assert first is not None and first.box[2] == 64
    tracker.track(joined)
    face, count = tracker.track(joined)
    assert tracker.searches["larger"] == 1 and count == 2 and face.box[2] == 88 and face.box[0] > 300
    # ... and one much larger (104 px): the 64 px one is no longer counted
    tracker.track(_two_faces(200, 280, (330, 100)))
    face, count = tracker.track(_two_faces(200, 280, (330, 100)))
    assert tracker.searches["larger"] == 2 and count == 1 and face.box[2] == 104

    # nothing that large in view: the whole frame is searched at once
    tracker = FaceTracker(detector, config)
    tracker.track(alone)
    tracker.track(alone)
    tracker._face = Face(box=(0, 0, 470, 470), confidence=first.confidence, crop=first.crop)
    asked = []
    real = detector.detect
    detector.detect = lambda frame, *a, **k: asked.append(k.get("at_least")) or real(frame, *a, **k)
    face, count = tracker.track(alone)
    del detector.detect
    assert asked == [470, None]  # the bounded look, then the whole frame
    assert tracker.searches == {"full": 2, "larger": 0, "region": 0, "reused": 1}  # a whole search, counted once
    assert face is not None and face.box == first.box and count == 1


def test_an_enrolment_that_begins_after_a_bounded_look_counts_every_face_at_once():
    """Outside an enrolment the small faces are left out of the count; an enrolment that
    begins must not take its first frames with that count (one listener said where two
    faces are): the first frame once ``count_every_face`` is set
    gets a whole search, and a repeat of the last frame is not answered with the reading
    made with the partial count."""
    from moodplayer.vision.detect import DetectorConfig, FaceDetector
    from moodplayer.vision.tracking import FaceTracker, TrackerConfig

    crowd = _two_faces(360, 200, (430, 60))  # faces of 120 and 64 px
    config = TrackerConfig(full_every=2, redetect_every=100)
    tracker = FaceTracker(FaceDetector(DetectorConfig()), config)
    assert [tracker.track(crowd)[1] for _ in range(3)] == [1, 1, 1]  # the third: a bounded look
    tracker.count_every_face = True  # an enrolment begins
    assert tracker.track(crowd)[1] == 2 and not tracker.recount_due
    assert tracker.searches == {"full": 2, "larger": 1, "region": 0, "reused": 1}

    analyzer = Analyzer.create(AnalyzerConfig(engine="fer", tracker=config))
    brighter = cv2.add(crowd, np.full_like(crowd, 4))  # not a repeat of ``crowd``
    assert [analyzer.analyze(f, k / 30).faces for k, f in enumerate((crowd, brighter, crowd))] == [1, 1, 1]
    analyzer.tracker.count_every_face = True
    again = analyzer.analyze(crowd.copy(), 0.1)  # the same picture as the last frame
    assert again.faces == 2 and analyzer.duplicates.skipped == 0
