"""The vision half of recognising enrolled listeners: a face the detector found, to its
128-d descriptor, to the enrolled profile it is (core/listeners does the rest, Qt-free).

The way was chosen on persons-dev (docs/accuracy.md, "Who is listening"): face-api's
68-point landmarks on the detector's box, the face chip dlib's network expects (upright,
150×150, padding 0.25), face-api's descriptor net on it; all in numpy, from the files
``make setup`` converted (vision/faceapi/).

``describe`` costs one landmark pass (112×112) and one descriptor pass (150×150): about
40 ms of one core, once a second while recognition is on; nothing runs while it is off.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np

from moodplayer.core.emotions import Box
from moodplayer.core.listeners.enrolment import DEFAULT_MODEL, Enrolment
from moodplayer.core.listeners.matching import DEFAULT_THRESHOLD, Match, identify
from moodplayer.vision.detect import FaceDetector
from moodplayer.vision.faceapi.align import LandmarkNet, face_chip, landmarks_in_frame
from moodplayer.vision.faceapi.descriptor import FaceDescriptorNet


class ListenerRecogniser:
    model = DEFAULT_MODEL  # what the enrolments it makes say they were made with

    def __init__(self, descriptor: FaceDescriptorNet, landmarks: LandmarkNet) -> None:
        self.descriptor = descriptor
        self.landmarks = landmarks

    @classmethod
    def load(cls, folder: str | Path | None = None) -> ListenerRecogniser:
        """From the set-up's converted nets (default faceapi_dir()); ModelUnavailable says
        which file is missing and how to make it."""
        return cls(FaceDescriptorNet.load(folder), LandmarkNet.load(folder))

    def chip(self, frame_bgr: np.ndarray, box: Box) -> np.ndarray:
        """The aligned 150×150 RGB chip of the face in ``box``."""
        rgb = np.ascontiguousarray(frame_bgr[..., ::-1])
        x, y, w, h = box
        return face_chip(rgb, landmarks_in_frame(self.landmarks, rgb, (x, y, w, h)))

    def describe(self, frame_bgr: np.ndarray, box: Box) -> np.ndarray:
        """The descriptor of the face in ``box`` (x, y, w, h in frame pixels)."""
        return self.descriptor.describe(self.chip(frame_bgr, box))

    def identify(self, frame_bgr: np.ndarray, box: Box, enrolments: Iterable[Enrolment],
                 threshold: float = DEFAULT_THRESHOLD) -> Match | None:
        """The enrolled profile the face in ``box`` is, or None (nobody enrolled)."""
        return identify(self.describe(frame_bgr, box), enrolments, threshold, model=self.model)


def largest_face_descriptor(frame_bgr: np.ndarray, detector: FaceDetector,
                            recogniser: ListenerRecogniser) -> np.ndarray | None:
    """The descriptor of the frame's largest face, or None when there is none."""
    faces = detector.detect(frame_bgr)
    if not faces:
        return None
    try:
        return recogniser.describe(frame_bgr, faces[0].box)
    except ValueError:  # a box at the very edge: too little face to align
        return None


def video_descriptors(path: str | Path, detector: FaceDetector, recogniser: ListenerRecogniser,
                      every_s: float = 1.0) -> Iterator[tuple[float, np.ndarray | None]]:
    """(media time, descriptor of the largest face or None) about every ``every_s``
    seconds of a video: what ``enrol --video`` and ``analyze --recognise`` read."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise OSError(f"cannot open video {path}")
    fps = cap.get(cv2.CAP_PROP_FPS)
    fps = fps if 1 <= fps <= 240 else 25.0
    step = max(1, int(round(every_s * fps)))
    try:
        n = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if n % step == 0:
                yield round(n / fps, 3), largest_face_descriptor(frame, detector, recogniser)
            n += 1
    finally:
        cap.release()


def picture_descriptors(paths: Sequence[str | Path], detector: FaceDetector,
                        recogniser: ListenerRecogniser) -> list[tuple[Path, np.ndarray | None]]:
    """(path, descriptor of the largest face or None) per picture (None too when the file
    is no picture OpenCV reads)."""
    out = []
    for path in paths:
        frame = cv2.imread(str(path))
        out.append((Path(path), None if frame is None
                    else largest_face_descriptor(frame, detector, recogniser)))
    return out
