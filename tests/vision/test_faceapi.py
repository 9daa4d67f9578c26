"""face-api's expression net in numpy: it reproduces face-api's own outputs (recorded once in
Node, tests/vision/data/faceapi_reference.json), refuses missing or damaged files, and the
set-up step refuses a package that is not the recorded one. No network: the provisioning
tests use fake tarballs."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from moodplayer.core.emotions import EMOTIONS
from moodplayer.provision import faceapi as provision
from moodplayer.vision.faceapi import expression as fx
from moodplayer.vision.faceapi import weights as fw
from moodplayer.vision.models import ModelUnavailable, package_data

REFERENCE = Path(__file__).parent / "data" / "faceapi_reference.json"


def test_numpy_net_reproduces_faceapi(net: fx.ExpressionNet, reference_crops) -> None:
    ref = json.loads(REFERENCE.read_text())
    assert ref["faceapi"] == "1.7.15"
    n = 0
    for face, crop in reference_crops:
        probs, feats = net.forward(fx.prepare(crop)[None])
        assert np.abs(probs[0] - face["expressions"]).max() < 1e-3, face["what"]
        assert np.abs(feats[0] - face["features"]).max() < 1e-3, face["what"]
        n += 1
    assert n >= 6


def test_predict_reorders_to_our_emotions(net: fx.ExpressionNet, reference_crops) -> None:
    ours = {"neutral": "neutral", "happy": "happy", "sad": "sad", "angry": "angry",
            "fearful": "fear", "disgusted": "disgust", "surprised": "surprise"}
    faces, crops = zip(*reference_crops)
    probs, feats = net.predict(list(crops))  # one batch, crops of several sizes
    assert probs.shape == (len(crops), 7) and feats.shape == (len(crops), 256)
    for face, row in zip(faces, probs):
        for theirs, value in zip(json.loads(REFERENCE.read_text())["order"], face["expressions"]):
            assert row[EMOTIONS.index(ours[theirs])] == pytest.approx(value, abs=1e-3)
    empty, empty_feats = net.predict([])
    assert empty.shape == (0, 7) and empty_feats.shape == (0, 256)


@pytest.mark.parametrize("size,channels,stride", [(56, 32, 1), (56, 32, 2), (28, 64, 2), (14, 128, 1),
                                                  (14, 128, 2), (7, 256, 1), (9, 8, 2)])
def test_fast_depthwise_matches_the_plain_one(size, channels, stride) -> None:
    rng = np.random.default_rng(size * channels + stride)
    x = rng.standard_normal((2, size, size, channels)).astype(np.float32)
    dw = rng.standard_normal((3, 3, channels)).astype(np.float32)
    want = fx.depthwise_reference(x, dw, stride)
    assert np.allclose(fx.depthwise_nhwc(x, dw, stride), want, atol=1e-5)
    chw = fx.depthwise_nchw(np.ascontiguousarray(x.transpose(0, 3, 1, 2)), dw, stride)
    assert np.allclose(chw.transpose(0, 2, 3, 1), want, atol=1e-5)


@pytest.mark.parametrize("n", [1, 2])
def test_first_conv_channels_first_matches(n) -> None:
    rng = np.random.default_rng(n)
    x = rng.standard_normal((n, 112, 112, 3)).astype(np.float32)
    filters = rng.standard_normal((3, 3, 3, 32)).astype(np.float32)
    bias = rng.standard_normal(32).astype(np.float32)
    want = fx.conv3x3(x, filters, bias, 2).transpose(0, 3, 1, 2)
    assert np.allclose(fx.conv3x3_to_nchw(x, filters, bias, 2), want, atol=1e-4)


def test_input_is_padded_and_resized_like_faceapi() -> None:
    tall = np.full((10, 7, 3), 200, np.uint8)
    square = fx.pad_to_square(tall)
    assert square.shape == (10, 10, 3)
    # Math.round(3 / 2) = 2 columns of zeros after the picture, 1 before
    assert (square[:, 0] == 0).all() and (square[:, 1] == 200).all()
    assert (square[:, 7] == 200).all() and (square[:, 8:] == 0).all()
    ramp = np.arange(4, dtype=np.float32)[None, :, None].repeat(4, 0)
    # alignCorners = false, halfPixelCenters = false: x_src = x_dst * 4 / 8
    assert fx.resize_bilinear(ramp, 8)[0, :, 0].tolist() == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3]


def _input_as_written_first(crop_bgr: np.ndarray) -> np.ndarray:
    """The input as first written here, step by step: the crop to RGB, np.pad, the whole
    square made float, interpolated along y then x. The faster ``prepare`` must give its bits."""
    rgb = crop_bgr[..., ::-1] if crop_bgr.ndim == 3 else np.repeat(crop_bgr[..., None], 3, axis=2)
    h, w = rgb.shape[:2]
    if h != w:
        diff = abs(h - w)
        after = int(np.floor(diff * 0.5 + 0.5))
        pad = ((0, 0), (diff - after, after)) if h > w else ((diff - after, after), (0, 0))
        rgb = np.pad(rgb, pad + ((0, 0),), mode="constant")
    img = rgb.astype(np.float32)
    n = img.shape[0]
    if n == fx.INPUT_SIZE:
        return img
    y0, y1, fy = fx._legacy_axis(n, fx.INPUT_SIZE)
    x0, x1, fxs = fx._legacy_axis(n, fx.INPUT_SIZE)
    rows = img[y0] + (img[y1] - img[y0]) * fy[:, None, None]
    return rows[:, x0] + (rows[:, x1] - rows[:, x0]) * fxs[None, :, None]


@pytest.mark.parametrize("shape", [(202, 224), (224, 202), (480, 640), (90, 100), (50, 45), (200, 200),
                                   (112, 112), (111, 113), (300, 90), (1, 1), (2, 300), (113, 112)])
def test_the_input_is_the_same_bits_as_written_first(shape) -> None:
    rng = np.random.default_rng(sum(shape))
    frame = rng.integers(0, 256, (shape[0] + 9, shape[1] + 7, 3), np.uint8)
    crop = frame[4:4 + shape[0], 3:3 + shape[1]]  # a view into a frame, as the detector cuts it
    got = fx.prepare(crop)
    assert got.dtype == np.float32 and got.shape == (112, 112, 3) and got.flags.c_contiguous
    assert np.array_equal(got, _input_as_written_first(crop))
    grey = np.ascontiguousarray(crop[..., 1])
    assert np.array_equal(fx.prepare(grey), _input_as_written_first(grey))
    for kind in (np.float64, np.int32):  # a grey crop of another number type: the same as first
        assert np.array_equal(fx.prepare(crop[..., 1].astype(kind)), _input_as_written_first(crop[..., 1].astype(kind)))
    floats = crop.astype(np.float32) * np.float32(0.73)  # the descriptor's and detector's input
    assert np.array_equal(fx.resize_bilinear(fx.pad_to_square(floats[..., ::-1]), 112),
                          _input_as_written_first(floats))


def test_tiny_face_detector_reproduces_faceapi(setup_models: Path) -> None:
    import cv2

    from moodplayer.vision.faceapi.tiny_detector import load_tiny_detector

    detector = load_tiny_detector(setup_models)
    for entry in json.loads(REFERENCE.read_text())["tiny_face_detector"]:
        image = cv2.imread(str(package_data(entry["package"], *entry["path"].split("/"))))
        found = detector.detect(image)
        assert len(found) == len(entry["faces"]), entry["path"]
        for ours, theirs in zip(found, entry["faces"]):
            assert ours.score == pytest.approx(theirs["score"], abs=1e-3)
            assert np.allclose(ours.box, theirs["box"], atol=0.5), entry["path"]


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match=r"face_expression\.npz.*make setup"):
        fx.load_expression_net(tmp_path)


def test_damaged_model_is_refused(tmp_path: Path) -> None:
    arrays = {"fc/weights": np.ones((256, 7), np.float32)}
    fw.save_npz(tmp_path / "face_expression.npz", arrays)
    with pytest.raises(ModelUnavailable, match="checksum"):
        fx.load_expression_net(tmp_path)
    data = (tmp_path / "face_expression.npz").read_bytes()
    (tmp_path / "face_expression.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelUnavailable, match=r"cannot be read.*make setup"):
        fx.load_expression_net(tmp_path)
    assert not fw.is_current("expression", tmp_path)


def test_truncated_real_model_is_refused(setup_models: Path, tmp_path: Path) -> None:
    data = (setup_models / "face_expression.npz").read_bytes()
    (tmp_path / "face_expression.npz").write_bytes(data[:-100])
    with pytest.raises(ModelUnavailable, match="face_expression.npz"):
        fx.load_expression_net(tmp_path)


# --- the set-up step, with fake packages ----------------------------------------------------

def _manifest_and_bin():
    """A one-net manifest: a uint8 tensor (scale 0.5, min -1) and a float32 bias."""
    q = np.array([0, 1, 2, 255], np.uint8)
    bias = np.array([0.25, -0.5], np.float32)
    manifest = [{"paths": ["fake_model.bin"], "weights": [
        {"name": "w", "shape": [2, 2], "dtype": "float32",
         "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
        {"name": "b", "shape": [2], "dtype": "float32"}]}]
    return manifest, q.tobytes() + bias.tobytes()


def _fake_tarball(path: Path, extra: dict[str, bytes] | None = None) -> Path:
    manifest, data = _manifest_and_bin()
    files = {"package/LICENSE": b"MIT License\n\nCopyright (c) someone\n",
             "package/model/fake_model-weights_manifest.json": json.dumps(manifest).encode(),
             "package/model/fake_model.bin": data,
             "package/src/index.ts": b"export {};\n", **(extra or {})}
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def test_decode_dequantises_like_tfjs() -> None:
    manifest, data = _manifest_and_bin()
    arrays = fw.decode_manifest(manifest, [data])
    assert arrays["w"].tolist() == [[-1.0, -0.5], [0.0, 126.5]]
    assert arrays["b"].tolist() == [0.25, -0.5]
    with pytest.raises(ValueError, match="too short"):
        fw.decode_manifest(manifest, [data[:-1]])


def test_provisioning_refuses_a_wrong_checksum(tmp_path: Path, capsys) -> None:
    tarball = _fake_tarball(tmp_path / provision.TARBALL)
    dest = tmp_path / "models"
    assert provision.main(["--tarball", str(tarball), "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    assert "sha256" in err and provision.TARBALL_SHA256 in err and "nothing was written" in err
    assert not dest.exists() or not any(dest.iterdir())


def test_provisioning_converts_and_is_idempotent(tmp_path: Path, monkeypatch) -> None:
    tarball = _fake_tarball(tmp_path / provision.TARBALL,
                            {"package/model/fake_model/../../../../escape.bin": b"x"})
    manifest, data = _manifest_and_bin()
    digest = fw.content_digest(fw.decode_manifest(manifest, [data]))
    monkeypatch.setattr(provision, "TARBALL_SHA256", provision.sha256_of(tarball))
    monkeypatch.setattr(provision, "NETS", {"fake": fw.NetFile("fake_model", "fake.npz", digest)})
    monkeypatch.setattr(fw, "NETS", {"fake": fw.NetFile("fake_model", "fake.npz", digest)})
    dest = tmp_path / "models"
    with pytest.raises(provision.ProvisionError, match="unsafe path"):
        provision.provision(dest, tarball)
    tarball = _fake_tarball(tmp_path / provision.TARBALL)
    monkeypatch.setattr(provision, "TARBALL_SHA256", provision.sha256_of(tarball))
    written = provision.provision(dest, tarball)
    assert [p.name for p in written] == ["fake.npz"]
    assert fw.load_net("fake", dest)["w"].tolist() == [[-1.0, -0.5], [0.0, 126.5]]
    licence = (dest / provision.LICENSE_FILE).read_text()
    assert "MIT License" in licence and "@vladmandic/face-api 1.7.15" in licence

    def no_npm(_):
        raise AssertionError("npm must not run when the models are current")

    monkeypatch.setattr(provision, "fetch_tarball", no_npm)
    assert provision.provision(dest) == []


def test_without_npm_the_command_is_printed(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(provision.shutil, "which", lambda name: None)
    monkeypatch.setattr(provision.os, "geteuid", lambda: 1000)
    assert provision.main(["--dest", str(tmp_path / "models")]) == 1
    assert provision.APT_COMMAND in capsys.readouterr().err


# --- the engines: faceapi and blend, chosen, built, and their fallback -----------------------

def test_without_the_converted_net_both_engines_fall_back_with_a_notice(caplog) -> None:
    from moodplayer.vision.engines import build_engine
    from moodplayer.vision.models import choose_engine

    for name in ("faceapi", "blend"):  # the tests' DEEPFACE_HOME has no faceapi folder
        choice = choose_engine(name)
        assert choice.name == "fer"
        assert choice.notice is not None and "\n" not in choice.notice
        assert f"engine {name}" in choice.notice and "make setup" in choice.notice
        engine = build_engine(choice)
        assert engine.name == "fer" and engine.notice == choice.notice
    assert "reading with the mini-Xception" in caplog.text


def test_auto_is_the_blend_if_face_apis_net_is_converted_else_fer_with_a_notice(faceapi_home: Path,
                                                                                 monkeypatch) -> None:
    from moodplayer.vision.models import choose_engine

    assert choose_engine("auto").name == "blend"  # the default reads with both nets
    (faceapi_home / "face_expression.npz").unlink()
    choice = choose_engine("auto")
    assert choice.name in ("fer", "deepface")  # as before, and it says so
    assert choice.notice is not None and choice.notice.startswith("engine auto: face-api's expression model is missing")


def test_a_damaged_converted_net_falls_back_too(faceapi_home: Path) -> None:
    from moodplayer.vision.engines import build_engine
    from moodplayer.vision.models import choose_engine

    data = (faceapi_home / "face_expression.npz").read_bytes()
    (faceapi_home / "face_expression.npz").write_bytes(data[: len(data) // 3])
    engine = build_engine(choose_engine("blend"))
    assert engine.name == "fer"
    assert "cannot be read" in engine.notice and "make setup" in engine.notice


def test_engine_choice_and_the_blend_on_a_real_face(faceapi_home: Path) -> None:
    import cv2

    from moodplayer.core.settings.schema import ENGINES
    from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig
    from moodplayer.vision.engines import FACEAPI_VIEW, BlendEngine, FaceApiEngine, log_blend
    from moodplayer.vision.models import choose_engine

    assert {"faceapi", "blend"} <= set(ENGINES)
    assert choose_engine("faceapi").name == "faceapi" and choose_engine("blend").partner is not None
    astronaut = cv2.imread(str(package_data("skimage", "data", "astronaut.png")))
    readings = {}
    for name, kind in (("faceapi", FaceApiEngine), ("blend", BlendEngine), ("fer", None)):
        analyzer = Analyzer.create(AnalyzerConfig(engine=name))
        assert analyzer.engine.name == name and analyzer.engine.notice is None
        if kind is not None:
            assert isinstance(analyzer.engine, kind)
            assert FACEAPI_VIEW in analyzer.detector.config.views  # the detector cuts its box
        analyzer.keep_raw = True
        reading = analyzer.analyze_still(astronaut)
        assert reading.emotion == "happy" and abs(sum(reading.scores) - 1) < 1e-3
        readings[name] = (np.array(reading.scores), analyzer.last_raw[1])
    assert readings["faceapi"][1].shape == (256,)
    assert readings["blend"][1].shape == (128 + 256 + 14,)  # both nets' features (unit length) and probabilities
    assert np.linalg.norm(readings["blend"][1][:128]) == pytest.approx(1, abs=1e-5)
    # the calibration gets each net's probabilities too (core/calibration/blend.py)
    assert np.allclose(readings["blend"][1][384:391], readings["fer"][0], atol=1e-5)
    # the blend is the two readings combined in log space
    from moodplayer.vision.engines import BLEND_WEIGHT

    want = log_blend(readings["fer"][0], readings["faceapi"][0], BLEND_WEIGHT)
    assert np.allclose(readings["blend"][0], want, atol=1e-4)


def test_log_blend_ends_are_the_two_nets() -> None:
    from moodplayer.vision.engines import log_blend

    a = np.array([[0.7, 0.1, 0.05, 0.05, 0.05, 0.03, 0.02]])
    b = np.array([[0.1, 0.1, 0.1, 0.4, 0.1, 0.1, 0.1]])
    assert np.allclose(log_blend(a, b, 0.0), a, atol=1e-5)
    assert np.allclose(log_blend(a, b, 1.0), b, atol=1e-5)
    mid = log_blend(a, b, 0.5)
    assert mid.sum() == pytest.approx(1) and np.argmax(mid) == 0


def test_a_view_is_the_box_remapped_and_clipped() -> None:
    from moodplayer.vision.detect import CropView, view_region

    assert view_region((100, 100, 50, 50), CropView("x"), 640, 480) == (100, 100, 150, 150)
    assert view_region((100, 100, 50, 50), CropView("x", 0.8, 1.25, 0.1), 640, 480) == (105, 105, 145, 155)
    assert view_region((0, 0, 50, 50), CropView("x", 2.0), 640, 480) == (0, 0, 75, 75)
