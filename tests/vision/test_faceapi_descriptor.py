"""face-api's 128-d face descriptor and 68-landmark net in numpy: they reproduce face-api's
own outputs
(recorded once in Node: tests/vision/data/faceapi_descriptors.json, made by
moodplayer/dev/faceapi_descriptor_reference.py) on crops of package faces; the chip cut
with the landmarks is upright at dlib's scale; incomplete weights are refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.dev.faceapi_descriptor_reference import crop, crop_digest, load_source
from moodplayer.vision.faceapi import weights as fw
from moodplayer.vision.faceapi.align import LandmarkNet, chip_transform, face_chip
from moodplayer.vision.faceapi.descriptor import FaceDescriptorNet, distance, to_input, weight_names
from moodplayer.vision.models import ModelUnavailable

REFERENCE = Path(__file__).parent / "data" / "faceapi_descriptors.json"


@pytest.fixture(scope="module")
def net() -> FaceDescriptorNet:
    """From the folder ``make setup`` converted the nets into (tests/conftest.py remembers
    it before it points DEEPFACE_HOME at a temporary folder)."""
    folder = Path(os.environ.get("MOODPLAYER_SETUP_DEEPFACE_HOME", "")) / "faceapi"
    if not fw.is_current("recognition", folder):
        pytest.skip(f"face-api's nets are not converted in {folder}: run 'make setup'")
    return FaceDescriptorNet.load(folder)


def test_numpy_net_reproduces_faceapi(net: FaceDescriptorNet) -> None:
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert ref["versions"]["faceapi"] == "1.7.15"
    assert len(ref["faces"]) >= 4
    for face in ref["faces"]:
        rgb = crop(face["source"], tuple(face["box"]))
        assert crop_digest(rgb) == face["crop_sha256"], f"{face['source']} decodes to other pixels"
        mine = net.describe(rgb)
        assert mine.shape == (128,) and mine.dtype == np.float32
        assert np.abs(mine - np.array(face["descriptor"])).max() < 1e-3, face["name"]
        bgr = np.ascontiguousarray(rgb[..., ::-1])
        assert np.abs(net.describe_bgr(bgr) - mine).max() < 1e-6


def test_landmark_net_reproduces_faceapi(net: FaceDescriptorNet) -> None:
    folder = Path(os.environ.get("MOODPLAYER_SETUP_DEEPFACE_HOME", "")) / "faceapi"
    if not fw.is_current("landmarks", folder):
        pytest.skip(f"face-api's landmark net is not converted in {folder}: run 'make setup'")
    landmarks = LandmarkNet.load(folder)
    for face in json.loads(REFERENCE.read_text(encoding="utf-8"))["faces"]:
        points = landmarks.landmarks(crop(face["source"], tuple(face["box"])))
        assert points.shape == (68, 2)
        # in the crop's pixels (tall and wide crops too): within 1e-3 of its side
        side = max(face["box"][2:])
        assert np.abs(points - np.array(face["landmarks"])).max() < 1e-3 * side, face["name"]


def test_the_chip_puts_the_face_where_the_descriptor_wants_it(net: FaceDescriptorNet) -> None:
    ref = {f["name"]: f for f in json.loads(REFERENCE.read_text(encoding="utf-8"))["faces"]}
    face = ref["astronaut_wide"]
    x, y, _, _ = face["box"]
    points = np.array(face["landmarks"]) + (x, y)  # in the picture's pixels
    chip = face_chip(load_source(face["source"]), points)
    assert chip.shape == (150, 150, 3) and chip.dtype == np.uint8
    warped = cv2.transform(points[None], chip_transform(points))[0]
    eyes = warped[36:48].reshape(2, 6, 2).mean(axis=1)  # the two eyes' centres
    assert abs(eyes[0, 1] - eyes[1, 1]) < 3  # level
    # dlib's mean face with padding 0.25: eyes ~53 px apart, ~47 px from the top, centred
    assert 48 < np.linalg.norm(eyes[0] - eyes[1]) < 60
    assert 40 < eyes[:, 1].mean() < 53 and abs(eyes[:, 0].mean() - 74) < 5


def test_input_is_padded_to_a_centred_square_then_resized() -> None:
    tall = np.full((40, 20, 3), 200, np.uint8)
    x = to_input(tall)
    assert x.shape == (150, 150, 3) and x.dtype == np.float32
    assert x[:, :30].max() == 0 and x[:, -30:].max() == 0  # black on both sides
    assert np.allclose(x[:, 50:100], 200)
    square = np.random.default_rng(0).integers(0, 256, (150, 150, 3)).astype(np.uint8)
    assert np.array_equal(to_input(square), square.astype(np.float32))  # no resize
    with pytest.raises(ValueError):
        to_input(np.zeros((10, 10), np.uint8))


def test_distance_separates_people_and_keeps_a_face_near_itself(net: FaceDescriptorNet) -> None:
    ref = {f["name"]: np.array(f["descriptor"]) for f in
           json.loads(REFERENCE.read_text(encoding="utf-8"))["faces"]}
    assert distance(ref["astronaut"], ref["astronaut"]) == 0.0
    rgb = crop("skimage:astronaut", (173, 62, 101, 101))
    slightly_darker = np.clip(rgb.astype(np.int16) - 12, 0, 255).astype(np.uint8)
    assert distance(net.describe(slightly_darker), ref["astronaut"]) < 0.15
    assert distance(ref["astronaut"], ref["happy_f15"]) > 0.6


def test_incomplete_weights_are_refused(net: FaceDescriptorNet, tmp_path: Path) -> None:
    weights = {name: np.zeros((1,), np.float32) for name in weight_names()[:-1]}
    with pytest.raises(ModelUnavailable, match="lack 1 tensors"):
        FaceDescriptorNet(weights)
    with pytest.raises(ModelUnavailable, match="missing"):
        FaceDescriptorNet.load(tmp_path)
    (tmp_path / fw.NETS["recognition"].npz).write_bytes(b"not a zip")
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        FaceDescriptorNet.load(tmp_path)
