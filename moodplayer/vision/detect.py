"""Face detection through DeepFace's detector API, on a downscaled copy of the frame.

We ask DeepFace for the detector client (``deepface.modules.modeling.build_model``) and
call its ``detect_faces``. That imports no TensorFlow for the OpenCV backend, and lets us
run detection on a small copy of the frame while the emotion crop is cut from the
full-resolution frame: Haar cascades cost grows with the pixel count, the emotion net
wants the detail.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from moodplayer.core.emotions import Box
from moodplayer.vision.models import (
    ModelUnavailable,
    downloads_refused,
    prepare_deepface_home,
    quiet_tensorflow,
)

Region = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels


@dataclass(frozen=True)
class CropView:
    """Another framing of the same face, for an engine that wants its own (face-api's net
    wants a tighter box than the Haar one): the box's centre moved down by ``shift`` of its
    width, ``scale`` times as wide, ``aspect`` times as tall as wide; clipped to the frame."""

    name: str
    scale: float = 1.0
    aspect: float = 1.0
    shift: float = 0.0


@dataclass(frozen=True)
class DetectorConfig:
    backend: str = "opencv"
    align: bool = False  # rotate the crop so the eyes are level (needs both eyes found)
    expand_percentage: int = 10  # DeepFace's meaning: the box grows by this % of its size
    detect_width: int = 320  # frames wider than this are shrunk before detection (0: never)
    max_shrink: float = 6.0  # ... but never by more than this: a face in a 4K frame stays findable
    # Haar cascades miss a face that touches the picture's edge (a close-up, a tight crop):
    # the searched image gets a border of repeated edge pixels, this fraction of its size
    border: float = 0.3
    views: tuple[CropView, ...] = ()  # other crops cut beside ``crop`` (the engine asks for them)
    # Look for the eyes in each face found (None: only when ``align`` uses them). DeepFace's
    # OpenCV client runs a second cascade over every face for them: a third of a search.
    eyes: bool | None = None

    @property
    def wants_eyes(self) -> bool:
        return self.align if self.eyes is None else self.eyes


@dataclass(frozen=True)
class Face:
    box: Box  # x, y, w, h in frame pixels, before expansion
    confidence: float
    crop: np.ndarray  # uint8 BGR from the full-resolution frame, expanded (and aligned)
    eyes: tuple | None = None  # ((x, y), (x, y)) in frame pixels, when the detector found both
    views: dict[str, np.ndarray] = field(default_factory=dict, compare=False)  # name -> crop

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]


class FaceDetector:
    def __init__(self, config: DetectorConfig = DetectorConfig(), allow_download: bool = False) -> None:
        quiet_tensorflow()
        prepare_deepface_home()
        self.config = config
        what = f"face detector {config.backend!r}"
        guard = contextlib.nullcontext() if allow_download else downloads_refused(what)
        try:  # build now, so that a missing detector file fails here with its name
            from deepface.modules import modeling

            with guard:
                self._client = modeling.build_model(task="face_detector", model_name=config.backend)
        except ModelUnavailable:
            raise
        except Exception as err:
            raise ModelUnavailable(f"face detector {config.backend!r} cannot start: {err}") from err

    @property
    def backend(self) -> str:
        return self.config.backend

    def detect(self, frame_bgr: np.ndarray, region: Region | None = None,
               width: int | None = None, face_side: float | None = None,
               at_least: float | None = None) -> list[Face]:
        """All faces in the frame (or in ``region`` of it), largest first.

        ``width``: shrink the searched image to this width first (default: the config's
        detect_width). ``face_side``: the side, in frame pixels, of the face looked for (a
        tracker's search around the face it follows): only faces within FACE_SIZE_RANGE of
        that size are looked for. ``at_least``: only faces no smaller than FACE_SIZE_RANGE
        times smaller than this side, however large (the tracker's periodic look for a
        larger face). Boxes come back in frame pixels.
        """
        h, w = frame_bgr.shape[:2]
        x0, y0, x1, y1 = region or (0, 0, w, h)
        image = frame_bgr[y0:y1, x0:x1]
        if image.size == 0:
            return []
        target = self.config.detect_width if width is None else width
        scale = min(1.0, max(target / image.shape[1], 1 / self.config.max_shrink)) if target else 1.0
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        # The border stays all round around a followed face too: without it the cascade's
        # windows fall elsewhere on the face, the boxes move by a few pixels and the readings
        # with them (on a sad/angry near-tie, enough to change the mood: search_study.py)
        pad = int(self.config.border * max(image.shape[:2]))
        if pad:
            image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        sizes: tuple[int, int | None] | None = None if face_side is None else face_sizes(face_side * scale)
        if at_least is not None and face_side is None:
            sizes = (face_sizes(at_least * scale)[0], None)
        try:
            regions = self._regions(image, sizes)
        except cv2.error:  # a degenerate image (e.g. 1 px high after shrinking)
            return []
        fh, fw = frame_bgr.shape[:2]
        faces = []
        for r in regions:
            # back to frame pixels, clipped to the frame (the border is not the frame)
            fx0, fy0 = x0 + (r.x - pad) / scale, y0 + (r.y - pad) / scale
            fx1, fy1 = fx0 + r.w / scale, fy0 + r.h / scale
            fx0, fy0, fx1, fy1 = max(0, fx0), max(0, fy0), min(fw, fx1), min(fh, fy1)
            box = (int(round(fx0)), int(round(fy0)), int(round(fx1 - fx0)), int(round(fy1 - fy0)))
            if box[2] < 8 or box[3] < 8:
                continue
            eyes = None
            if r.left_eye is not None and r.right_eye is not None:
                eyes = tuple((x0 + (e[0] - pad) / scale, y0 + (e[1] - pad) / scale)
                             for e in (r.left_eye, r.right_eye))
            face = self.face_at(frame_bgr, box, float(r.confidence or 0.0), eyes)
            if face is not None:
                faces.append(face)
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def _regions(self, image: np.ndarray, sizes: tuple[int, int | None] | None = None) -> list:
        """DeepFace's client's ``detect_faces``; for the OpenCV backend without eyes, the
        very same face cascade call (the same boxes and confidences), without the eye
        cascade it runs over each face, and only at the face sizes ``sizes`` (smallest,
        largest side in ``image`` pixels; None: no largest) when given. The cascade tries
        the same scales with or without bounds, only fewer of them."""
        cascade = (self._client.model.get("face_detector")
                   if self.config.backend == "opencv" and not self.config.wants_eyes
                   and isinstance(getattr(self._client, "model", None), dict) else None)
        if cascade is None:
            return self._client.detect_faces(image)
        from deepface.models.Detector import FacialAreaRegion

        bounds = {} if sizes is None else {"minSize": (sizes[0],) * 2}
        if sizes is not None and sizes[1] is not None:
            bounds["maxSize"] = (sizes[1],) * 2
        try:  # DeepFace's parameters (deepface/models/face_detection/OpenCv.py)
            faces, _, scores = cascade.detectMultiScale3(image, 1.1, 10, outputRejectLevels=True,
                                                         **bounds)
        except cv2.error:
            return []
        return [FacialAreaRegion(x=x, y=y, w=w, h=h, left_eye=None, right_eye=None,
                                 confidence=(100 - c) / 100)
                for (x, y, w, h), c in zip(faces, scores)]

    def face_at(self, frame_bgr: np.ndarray, box: Box, confidence: float,
                eyes: tuple | None = None) -> Face | None:
        """Cut the emotion crop for ``box`` (and the engine's other views of it) from the
        full-resolution frame."""
        if self.config.align and eyes is not None:
            frame_bgr = _level_eyes(frame_bgr, box, eyes)
        crop = cut_crop(frame_bgr, box, self.config.expand_percentage)
        if crop is None:
            return None
        views = {}
        for view in self.config.views:
            x0, y0, x1, y1 = view_region(box, view, frame_bgr.shape[1], frame_bgr.shape[0])
            if x1 - x0 >= 8 and y1 - y0 >= 8:
                views[view.name] = np.ascontiguousarray(frame_bgr[y0:y1, x0:x1])
        return Face(box=box, confidence=max(0.0, min(1.0, confidence)), crop=crop, eyes=eyes,
                    views=views)


# A face followed from one reading to the next keeps its size within this factor (the
# Haar box of one face wobbles ~10 % from frame to frame; a listener leaning in between two
# readings, far less than this); the smaller and larger scales are not searched, which
# leaves the box found the same in 99 % of the searches for 28 % less CPU
# (dev/search_study.py); a face that did change more is found by the whole-frame search
# the tracker falls back to.
FACE_SIZE_RANGE = 1.6
CASCADE_WINDOW = 24  # the frontal-face cascade's own window: nothing smaller can be found


def face_sizes(side: float) -> tuple[int, int]:
    """The smallest and largest face side worth searching for a face of side ``side``."""
    return (max(CASCADE_WINDOW, int(side / FACE_SIZE_RANGE)),
            max(CASCADE_WINDOW + 1, int(math.ceil(side * FACE_SIZE_RANGE))))


def view_region(box: Box, view: CropView, frame_w: int, frame_h: int) -> Region:
    """``box`` framed as ``view`` says, in whole frame pixels, clipped to the frame."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2 + view.shift * w
    nw, nh = view.scale * w, view.aspect * view.scale * w
    return (max(0, int(round(cx - nw / 2))), max(0, int(round(cy - nh / 2))),
            min(frame_w, int(round(cx + nw / 2))), min(frame_h, int(round(cy + nh / 2))))


def expand(box: Box, expand_percentage: int, frame_w: int, frame_h: int) -> Region:
    x, y, w, h = box
    grow_w, grow_h = w * expand_percentage // 100, h * expand_percentage // 100
    return (max(0, x - grow_w // 2), max(0, y - grow_h // 2),
            min(frame_w, x + w + grow_w - grow_w // 2), min(frame_h, y + h + grow_h - grow_h // 2))


def cut_crop(frame_bgr: np.ndarray, box: Box, expand_percentage: int,
             eyes: tuple | None = None) -> np.ndarray | None:
    fh, fw = frame_bgr.shape[:2]
    if eyes is not None:
        frame_bgr = _level_eyes(frame_bgr, box, eyes)
    x0, y0, x1, y1 = expand(box, expand_percentage, fw, fh)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return np.ascontiguousarray(frame_bgr[y0:y1, x0:x1])


def _level_eyes(frame_bgr: np.ndarray, box: Box, eyes: tuple) -> np.ndarray:
    """Rotate the frame about the face centre so the line between the eyes is level."""
    (ax, ay), (bx, by) = sorted(eyes)  # left to right in the image
    angle = math.degrees(math.atan2(by - ay, bx - ax))
    if abs(angle) < 1.0 or abs(angle) > 45.0:  # level already, or an implausible pair
        return frame_bgr
    x, y, w, h = box
    matrix = cv2.getRotationMatrix2D((x + w / 2, y + h / 2), angle, 1.0)
    fh, fw = frame_bgr.shape[:2]
    return cv2.warpAffine(frame_bgr, matrix, (fw, fh), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
