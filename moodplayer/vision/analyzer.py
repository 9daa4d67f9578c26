"""One frame in, one Reading out: find the face, read its emotion.

``analyze`` is for a stream of frames (camera, video): it follows the face between
detections and reuses the reading of a frame identical to the last one. ``analyze_still``
searches the whole image every time: for photographs (``moodplayer eval``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from moodplayer.core.calibration.model import Calibration
from moodplayer.core.emotions import Reading
from moodplayer.core.settings.schema import Settings
from moodplayer.vision.detect import DetectorConfig, Face, FaceDetector
from moodplayer.vision.engines import EmotionEngine, build_engine, rebalance
from moodplayer.vision.models import choose_engine
from moodplayer.vision.tracking import DuplicateFrames, FaceTracker, TrackerConfig

MIN_SIDE = 16  # smaller frames cannot hold a face the detector can find


@dataclass(frozen=True)
class AnalyzerConfig:
    """The defaults were chosen by ``moodplayer eval`` on faces-dev (docs/accuracy.md)."""

    engine: str = "auto"
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    flip: bool = True  # average the reading of the crop and of its mirror image
    rebalance: float = 0.0  # undo the training set's class prior (engines.rebalance)
    allow_download: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, allow_download: bool = False) -> AnalyzerConfig:
        """The analyzer a configuration asks for (core/config.py's effective settings)."""
        base = cls(engine=settings.engine, allow_download=allow_download)
        return replace(base, detector=replace(base.detector, backend=settings.detector,
                                              align=settings.align,
                                              expand_percentage=settings.expand_percentage))

    def with_options(self, engine: str | None = None, detector: str | None = None) -> AnalyzerConfig:
        """This config with the command line's --engine / --detector, where given."""
        cfg = self
        if engine:
            cfg = replace(cfg, engine=engine)
        if detector:
            cfg = replace(cfg, detector=replace(cfg.detector, backend=detector))
        return cfg


class Analyzer:
    def __init__(self, detector: FaceDetector, engine: EmotionEngine,
                 config: AnalyzerConfig = AnalyzerConfig()) -> None:
        self.detector = detector
        self.engine = engine
        self.config = config
        self.tracker = FaceTracker(detector, config.tracker)
        self.duplicates = DuplicateFrames()
        self._last: Reading | None = None
        self.calibration: Calibration | None = None
        self.keep_raw = False  # remember the uncalibrated scores and features (calibrate, eval)
        self.last_raw: tuple[np.ndarray, np.ndarray | None] | None = None

    def set_calibration(self, calibration: Calibration | None) -> None:
        """Correct every later reading with this person's calibration (None: as the network
        reads). The mood window then follows the calibrated scores."""
        self.calibration = calibration
        self._last = None  # a repeated frame must not reuse a reading made without it

    @classmethod
    def create(cls, config: AnalyzerConfig = AnalyzerConfig()) -> Analyzer:
        """Build on the calling thread (model objects stay where they were made)."""
        choice = choose_engine(config.engine, config.allow_download)
        engine = build_engine(choice)
        detector = config.detector
        if engine.views:  # the other framings this engine reads (face-api's box)
            detector = replace(detector, views=detector.views + engine.views)
        return cls(FaceDetector(detector, config.allow_download), engine, config)

    def analyze(self, frame_bgr: np.ndarray, t: float) -> Reading:
        if not _usable(frame_bgr):
            return Reading(t=t)
        # a repeat of the last frame reuses its reading, unless that one's face count left
        # out the small faces and every face must be counted now (an enrolment began)
        if not self.tracker.recount_due and self.duplicates.is_duplicate(frame_bgr) \
                and self._last is not None:
            return replace(self._last, t=t)
        face, count = self.tracker.track(frame_bgr)
        self._last = self._read(face, count, t)
        if not self.tracker.looked:
            self.duplicates.forget()
        return self._last

    def analyze_still(self, image_bgr: np.ndarray, t: float = 0.0) -> Reading:
        if not _usable(image_bgr):
            return Reading(t=t)
        faces = self.detector.detect(image_bgr)
        return self._read(faces[0] if faces else None, len(faces), t)

    def read_crop(self, face_bgr: np.ndarray, t: float = 0.0) -> Reading:
        """A picture that is already a face crop (``eval --no-detect``)."""
        if not _usable(face_bgr):
            return Reading(t=t)
        h, w = face_bgr.shape[:2]
        return self._read(Face(box=(0, 0, w, h), confidence=1.0, crop=face_bgr), 1, t)

    def _read(self, face: Face | None, count: int, t: float) -> Reading:
        self.last_raw = None
        if face is None:
            return Reading(t=t)
        calibration = self.calibration  # once: the GUI thread may replace it meanwhile
        with_features = self.keep_raw or (calibration is not None and calibration.uses_features)
        probs, features = self.engine.read(face, self.config.flip, with_features)
        scores = rebalance(probs, self.config.rebalance)
        if self.keep_raw:
            self.last_raw = (scores, features)
        if calibration is not None:
            scores = calibration.apply(scores, features)
        return Reading(t=t, box=face.box, face_confidence=face.confidence,
                       scores=tuple(float(s) for s in scores), faces=count)


def _usable(image: np.ndarray | None) -> bool:
    return image is not None and image.ndim == 3 and min(image.shape[:2]) >= MIN_SIDE
