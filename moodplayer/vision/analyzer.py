"""One frame in, one Reading out: detect faces, keep the largest, read its emotion."""

from __future__ import annotations

import numpy as np

from moodplayer.core.emotions import Reading
from moodplayer.vision.detect import FaceDetector
from moodplayer.vision.engines import EmotionEngine, build_engine
from moodplayer.vision.models import EngineChoice, choose_engine


class Analyzer:
    def __init__(self, detector: FaceDetector, engine: EmotionEngine) -> None:
        self.detector = detector
        self.engine = engine

    @classmethod
    def create(
        cls,
        engine: str = "auto",
        detector: str = "opencv",
        align: bool = False,
        expand_percentage: int = 10,
        allow_download: bool = False,
    ) -> "Analyzer":
        """Build on the calling thread (TensorFlow objects stay where they were made)."""
        choice: EngineChoice = choose_engine(engine, allow_download)
        face_detector = FaceDetector(detector, align=align, expand_percentage=expand_percentage)
        return cls(face_detector, build_engine(choice))

    def analyze(self, frame_bgr: np.ndarray, t: float) -> Reading:
        if frame_bgr is None or frame_bgr.ndim != 3 or min(frame_bgr.shape[:2]) < 16:
            return Reading(t=t)
        faces = self.detector.detect(frame_bgr)
        if not faces:
            return Reading(t=t)
        face = faces[0]  # the largest face decides
        scores = self.engine.predict([face.crop])[0]
        return Reading(
            t=t,
            box=face.box,
            face_confidence=face.confidence,
            scores=tuple(float(s) for s in scores),
            faces=len(faces),
        )
