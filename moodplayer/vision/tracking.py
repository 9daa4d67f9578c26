"""Follow a face from frame to frame, so that the detector does not run on every frame.

A Haar search over a whole 640x480 frame costs tens of milliseconds; the emotion net
costs one. Faces move little in 1/30 s, so:

- a full-frame search (shrunk to ``detect_width``) finds the faces and the largest one
  becomes the track, and it is repeated every ``full_every`` frames to notice a new,
  larger face: then only faces no smaller than the followed one's side / FACE_SIZE_RANGE
  are looked for (the cascade's smallest scales hold most of its windows: 28 instead of
  65 ms for bench's 224 px face, nothing saved for a face under ~80 px, whose bound is
  the cascade's own window); nothing found so, the whole frame is searched;
- the faces counted ("N faces in view: the largest one decides") are those no smaller
  than the largest one's side / FACE_SIZE_RANGE, whichever search found them, so the
  count does not change with the kind of search; with ``count_every_face`` (set while
  enrolling: an enrolment refuses a frame with two faces, however small the other) every
  face is counted and every whole-frame search is whole, and when it is set after a
  count that left small faces out, the next frame is searched whole at once
  (``recount_due``);
- every ``redetect_every`` frames the track is re-found in a small region around it,
  shrunk to ``roi_width`` pixels, which costs a fraction of the full search;
- on the frames in between the last box is reused, and the emotion crop is cut afresh
  from the new frame: every frame still gets its own emotion reading.

When nobody is in view, the full search runs only every ``redetect_every`` frames and the
frames in between read "no face".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from moodplayer.vision.detect import FACE_SIZE_RANGE, Face, FaceDetector


@dataclass(frozen=True)
class TrackerConfig:
    redetect_every: int = 3
    full_every: int = 30
    roi_scale: float = 1.8  # search region side, in face sizes
    roi_width: int = 112  # the region is shrunk to this width for the search


class FaceTracker:
    def __init__(self, detector: FaceDetector, config: TrackerConfig = TrackerConfig()) -> None:
        self.detector = detector
        self.config = config
        self._face: Face | None = None
        self._faces_seen = 0
        self._since_detect = 0
        self._since_full = 0
        self._never_searched = True
        self.looked = False
        self.count_every_face = False  # the periodic search looks for faces of every size
        self._partial_count = False  # the last count left the small faces out
        self._seen: np.ndarray | None = None  # thumbnail of the face when last detected
        self.searches = {"full": 0, "larger": 0, "region": 0, "reused": 0}

    def reset(self) -> None:
        self._face, self._faces_seen = None, 0
        self._since_detect = self._since_full = 0
        self._never_searched = True
        self._partial_count = False

    @property
    def recount_due(self) -> bool:
        """Every face must be counted but the count at hand left the small ones out (an
        enrolment began after a bounded look): the next frame gets a whole search."""
        return self.count_every_face and self._partial_count

    def track(self, frame_bgr: np.ndarray) -> tuple[Face | None, int]:
        """(the face to read, how many faces the last full search saw)."""
        cfg = self.config
        self._since_detect += 1
        self._since_full += 1
        self.looked = True  # False: this frame was not searched (nobody in view lately)
        if self._face is None:
            if self._never_searched or self._since_full >= cfg.redetect_every:
                self._full_search(frame_bgr)
            else:
                self.looked = False
            return self._face, self._faces_seen
        if self._since_full >= cfg.full_every or self.recount_due:
            self._full_search(frame_bgr, None if self.count_every_face else self._face)
        elif self._since_detect >= cfg.redetect_every:
            self._region_search(frame_bgr, self._face)
        else:
            face = self.detector.face_at(frame_bgr, self._face.box, self._face.confidence, self._face.eyes)
            if face is not None and _looks_alike(face.crop, self._seen):
                self.searches["reused"] += 1
                self._face = face
            else:  # the picture in the box changed too much (face left, lights off): look
                self._region_search(frame_bgr, self._face)
        return self._face, self._faces_seen if self._face else 0

    def _found(self, face: Face | None) -> None:
        self._face = face
        self._seen = _thumb(face.crop) if face is not None else None

    def _full_search(self, frame_bgr: np.ndarray, followed: Face | None = None) -> None:
        """The whole frame; with ``followed``, only faces about its size or larger (the
        whole search if that finds none)."""
        self._never_searched = False
        if followed is not None:
            faces = self.detector.detect(frame_bgr, at_least=max(followed.box[2], followed.box[3]))
            if faces:
                self.searches["larger"] += 1
                self._found(faces[0])
                self._faces_seen = self._count(faces)
                self._since_detect = self._since_full = 0
                return
        self.searches["full"] += 1
        faces = self.detector.detect(frame_bgr)
        self._found(faces[0] if faces else None)
        self._faces_seen = self._count(faces)
        self._since_detect = self._since_full = 0

    def _count(self, faces: list[Face]) -> int:
        """The faces to count: all with ``count_every_face``, else ``comparable_faces``
        (and the count is then partial)."""
        self._partial_count = not self.count_every_face
        return len(faces) if self.count_every_face else comparable_faces(faces)

    def _region_search(self, frame_bgr: np.ndarray, around: Face) -> None:
        self.searches["region"] += 1
        self._since_detect = 0
        x, y, w, h = around.box
        half = self.config.roi_scale * max(w, h) / 2
        cx, cy = x + w / 2, y + h / 2
        fh, fw = frame_bgr.shape[:2]
        region = (int(max(0, cx - half)), int(max(0, cy - half)),
                  int(min(fw, cx + half)), int(min(fh, cy + half)))
        faces = self.detector.detect(frame_bgr, region, width=self.config.roi_width, face_side=max(w, h))
        if faces:
            self._found(faces[0])
        else:  # lost it: look at the whole frame at once
            self._full_search(frame_bgr)


def comparable_faces(faces: list[Face]) -> int:
    """How many of ``faces`` (largest first) are of about the largest one's size: no smaller
    than its side / FACE_SIZE_RANGE (the ones a bounded look for a larger face finds too)."""
    if not faces:
        return 0
    smallest = max(faces[0].box[2], faces[0].box[3]) / FACE_SIZE_RANGE
    return sum(1 for f in faces if max(f.box[2], f.box[3]) >= smallest)


def _thumb(crop: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    return cv2.resize(grey, (16, 16), interpolation=cv2.INTER_AREA).astype(np.int16)


def _looks_alike(crop: np.ndarray, seen: np.ndarray | None, max_mean_diff: float = 20.0) -> bool:
    """Still the face the detector found? A changing expression moves the 16x16 thumbnail
    a few grey levels on average; a face leaving, a black frame, far more."""
    return seen is not None and float(np.abs(_thumb(crop) - seen).mean()) <= max_mean_diff


class DuplicateFrames:
    """Says when a frame shows the same picture as the last one analysed (a camera that
    repeats frames, a paused video): its reading can be reused. Compares 32x24 grey
    thumbnails, where sensor noise averages out but a changing mouth does not."""

    def __init__(self, max_diff: float = 1.5) -> None:
        self.max_diff = max_diff
        self._last: np.ndarray | None = None
        self.skipped = 0

    def forget(self) -> None:
        """The last frame was not fully analysed: do not reuse its reading."""
        self._last = None

    def is_duplicate(self, frame_bgr: np.ndarray) -> bool:
        grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if frame_bgr.ndim == 3 else frame_bgr
        thumb = cv2.resize(grey, (32, 24), interpolation=cv2.INTER_AREA).astype(np.int16)
        same = self._last is not None and self._last.shape == thumb.shape and \
            int(np.abs(thumb - self._last).max()) <= self.max_diff
        if same:
            self.skipped += 1
        else:
            self._last = thumb
        return same
