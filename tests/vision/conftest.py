"""The converted face-api nets make setup left, shared by the numpy net's tests and the
LiteRT build's."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from moodplayer.vision.faceapi import expression as fx
from moodplayer.vision.faceapi import weights as fw
from moodplayer.vision.models import package_data

REFERENCE = Path(__file__).parent / "data" / "faceapi_reference.json"


@pytest.fixture(scope="module")
def setup_models() -> Path:
    """The folder ``make setup`` converted the nets into (tests/conftest.py remembers it
    before it points DEEPFACE_HOME at a temporary folder)."""
    import os

    folder = Path(os.environ.get("MOODPLAYER_SETUP_DEEPFACE_HOME", "")) / "faceapi"
    if not fw.is_current("expression", folder):
        pytest.fail(f"face-api's nets are not converted in {folder}: run 'make setup'")
    return folder


@pytest.fixture
def faceapi_home(setup_models: Path, tmp_path: Path, monkeypatch) -> Path:
    """A DEEPFACE_HOME whose faceapi folder holds the converted expression net."""
    import shutil

    monkeypatch.setenv("DEEPFACE_HOME", str(tmp_path))
    (tmp_path / "faceapi").mkdir()
    shutil.copyfile(setup_models / "face_expression.npz", tmp_path / "faceapi" / "face_expression.npz")
    return tmp_path / "faceapi"


@pytest.fixture(scope="module")
def net(setup_models: Path) -> fx.ExpressionNet:
    return fx.load_expression_net(setup_models)


@pytest.fixture(scope="module")
def reference_crops() -> list:
    """(face, crop) of each face face-api was given in Node, the pixels checked."""
    return list(_reference_crops())


def _reference_crops():
    import cv2

    ref = json.loads(REFERENCE.read_text())
    for face in ref["faces"]:
        file = package_data(face["package"], *face["path"].split("/"))
        if file is None:
            pytest.skip(f"{face['package']} does not ship {face['path']}")
        image = cv2.imread(str(file), cv2.IMREAD_COLOR)
        x0, y0, x1, y1 = face["crop"]
        crop = np.ascontiguousarray(image[y0:y1, x0:x1])
        assert hashlib.sha256(crop.tobytes()).hexdigest() == face["pixels_sha256"], \
            f"{face['path']} decodes to other pixels than face-api was given"
        yield face, crop
