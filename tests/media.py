"""Test media made on the fly from faces shipped in packages (nothing is committed)."""

from __future__ import annotations

from pathlib import Path

from moodplayer.dev.face_clips import ANGRY_STILL, HAPPY_STILL, SURPRISE_STILL, write_clip

__all__ = ["ANGRY_STILL", "HAPPY_STILL", "SURPRISE_STILL", "expression_video"]


def expression_video(path: Path, segments: list[tuple[str, float]], fps: int = 10,
                     size: tuple[int, int] = (640, 480)) -> Path:
    """A video of real face stills, one after the other: [(still, seconds), ...]."""
    return write_clip(path, segments, fps=fps, size=size)
