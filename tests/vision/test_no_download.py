"""A detector whose weights are missing, without --allow-download: one line naming the
file and the way out, and no host name is ever looked up (issue 19)."""

from __future__ import annotations

import socket

import pytest

from moodplayer.vision.detect import DetectorConfig, FaceDetector
from moodplayer.vision.models import ModelUnavailable


@pytest.mark.parametrize("backend, weights", [("retinaface", "retinaface.h5"),
                                              ("yunet", "face_detection_yunet_2023mar.onnx")])
def test_missing_detector_weights_are_named_without_a_lookup(backend, weights, monkeypatch):
    looked_up = []

    def spy(*args, **kwargs):
        looked_up.append(args[:1])
        raise OSError("no lookups in this test")

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, spy)
    with pytest.raises(ModelUnavailable) as caught:
        FaceDetector(DetectorConfig(backend=backend))
    message = str(caught.value)
    assert f"needs {weights}" in message and "--allow-download" in message
    assert "\n" not in message
    assert looked_up == []  # DeepFace never got as far as asking DNS for its host
