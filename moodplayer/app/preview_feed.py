"""The camera preview: the newest frame, fitted to the view on the GUI thread at a fixed
rate, with the face box of a fresh reading."""

from __future__ import annotations

from collections.abc import Callable

import cv2
from PySide6.QtCore import QObject, QTimer

from moodplayer.core.emotions import Reading
from moodplayer.pipeline import FrameSlot
from moodplayer.ui.preview import PreviewView

PREVIEW_HZ = 20  # smooth to the eye; a 30 fps camera is not painted frame by frame
BOX_FRESH_S = 0.6  # draw the face box only while the reading is this recent


def fit(image, width: int, height: int):
    """The frame shrunk to fit (width, height), and the scale used: cheaper on the numpy
    array than a smooth QPixmap scale on the GUI thread. Bilinear is enough down to half
    size; below that, area averaging avoids aliasing."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h, 1.0)
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, int(w * scale)), max(1, int(h * scale)))
    method = cv2.INTER_LINEAR if scale >= 0.5 else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=method), scale


class PreviewFeed(QObject):
    def __init__(self, slot: FrameSlot, view: PreviewView,
                 last_reading: Callable[[], Reading | None]) -> None:
        super().__init__()
        self.slot = slot
        self.view = view
        self.last_reading = last_reading
        self._shown_seq = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.show_latest)

    def start(self) -> None:
        self.timer.start(1000 // PREVIEW_HZ)

    def stop(self) -> None:
        self.timer.stop()

    def show_latest(self) -> None:
        frame = self.slot.latest()
        if frame is None or frame.seq == self._shown_seq:
            return
        self._shown_seq = frame.seq
        reading = self.last_reading()
        box = label = None
        if reading is not None and reading.has_face and frame.t - reading.t < BOX_FRESH_S:
            box, label = reading.box, reading.emotion
        image, scale = fit(frame.image, *self.view.display_size())
        if box is not None:
            x, y, w, h = (int(round(v * scale)) for v in box)
            box = (x, y, w, h)
        self.view.show_frame(image, box, label or "")
