"""Face detection through DeepFace's detector backends."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from moodplayer.core.emotions import Box
from moodplayer.vision.models import ModelUnavailable, prepare_deepface_home, quiet_tensorflow


@dataclass(frozen=True)
class Face:
    box: Box
    confidence: float
    crop: np.ndarray  # uint8 BGR, aligned when alignment is on

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]


class FaceDetector:
    def __init__(self, backend: str = "opencv", align: bool = False, expand_percentage: int = 10):
        quiet_tensorflow()
        prepare_deepface_home()
        from deepface import DeepFace

        self.backend = backend
        self.align = align
        self.expand_percentage = expand_percentage
        self._extract = DeepFace.extract_faces
        try:  # build once now, so a missing detector file fails here with its name
            DeepFace.build_model(task="face_detector", model_name=backend)
        except Exception as err:
            raise ModelUnavailable(f"face detector {backend!r} cannot start: {err}") from err

    def detect(self, frame_bgr: np.ndarray) -> list[Face]:
        """All faces in the frame, largest first. Never the whole frame: with
        enforce_detection=False DeepFace returns the full image with confidence 0 when it
        found nothing, and that is filtered out here."""
        h, w = frame_bgr.shape[:2]
        results = self._extract(
            frame_bgr,
            detector_backend=self.backend,
            enforce_detection=False,
            align=self.align,
            expand_percentage=self.expand_percentage,
            color_face="bgr",
            normalize_face=False,
        )
        faces = []
        for r in results:
            area = r["facial_area"]
            box = (int(area["x"]), int(area["y"]), int(area["w"]), int(area["h"]))
            whole_frame = box[0] == 0 and box[1] == 0 and box[2] >= w - 2 and box[3] >= h - 2
            if r["confidence"] <= 0 and whole_frame:
                continue
            crop = np.ascontiguousarray(r["face"]).astype(np.uint8)
            if crop.size == 0:
                continue
            faces.append(Face(box=box, confidence=float(max(0.0, min(1.0, r["confidence"]))), crop=crop))
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces
