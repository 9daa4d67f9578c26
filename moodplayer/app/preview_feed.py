"""The camera preview: the newest frame, painted on the GUI thread at a fixed rate, with
the face box of a fresh reading.

Each painted frame costs one conversion (BGR to 32-bit BGRX, here) and one scaled copy
(Qt's, straight into the window, ui/preview.py). After each tick the feed asks the
capture thread for a fresh frame (``FrameSlot.ask_for_preview``): the camera's frames in
between, if the analysis does not want them either, are grabbed and never decoded.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
from PySide6.QtCore import QObject, QTimer

from moodplayer.core.emotions import Reading
from moodplayer.pipeline import FrameSlot
from moodplayer.ui.preview import PreviewView

PREVIEW_HZ = 20  # smooth to the eye; a 30 fps camera is not painted frame by frame
BOX_FRESH_S = 0.6  # draw the face box only while the reading is this recent


def to_32bit(image):
    """A BGR frame as the 32-bit pixels the preview paints without converting them
    (Qt's Format_RGB32, 0xffRRGGBB: bytes B, G, R, X on the little-endian machines every
    build of the app runs on)."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)


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
        self.slot.ask_for_preview()  # the next frame is decoded for the next tick
        if frame is None or frame.seq == self._shown_seq:
            return
        self._shown_seq = frame.seq
        reading = self.last_reading()
        box = label = None
        if reading is not None and reading.has_face and frame.t - reading.t < BOX_FRESH_S:
            box, label = reading.box, reading.emotion
        self.view.show_frame(to_32bit(frame.image), box, label or "")
