"""The camera preview: every frame the capture thread decodes, painted on the GUI thread,
with the face box of a fresh reading.

The capture thread decides which frames are decoded (``vision.rate.PreviewPace``: at least
``PREVIEW_HZ`` a second while the preview is on, the analysis's frames among them) and
says when one is there (``FrameSlot.on_new_frame``, a queued signal to this thread); the
camera's frames in between are grabbed and never decoded. Each painted frame costs one
conversion (BGR to 32-bit BGRX, here) and one copy, scaled only if the view is smaller
than the frame (Qt's, straight into the window, ui/preview.py). No frame, no wake-up: a
paused camera costs the GUI nothing; a window hidden in the tray or minimised asks for no
frame beyond the analysis's.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QWindow

from moodplayer.core.emotions import Reading
from moodplayer.pipeline import FrameSlot
from moodplayer.ui.preview import PreviewView

BOX_FRESH_S = 0.6  # draw the face box only while the reading is this recent
_UNSEEN = (QWindow.Visibility.Hidden, QWindow.Visibility.Minimized)


def to_32bit(image):
    """A BGR frame as the 32-bit pixels the preview paints without converting them
    (Qt's Format_RGB32, 0xffRRGGBB: bytes B, G, R, X on the little-endian machines every
    build of the app runs on)."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)


class PreviewFeed(QObject):
    frame_arrived = Signal()  # emitted on the capture thread, delivered on this one

    def __init__(self, slot: FrameSlot, view: PreviewView,
                 last_reading: Callable[[], Reading | None]) -> None:
        super().__init__()
        self.slot = slot
        self.view = view
        self.last_reading = last_reading
        self._shown_seq = 0
        self._running = False
        self.frame_arrived.connect(self.show_latest, Qt.ConnectionType.QueuedConnection)
        # deleted while the capture thread still had its emit: never a call into it
        self.destroyed.connect(lambda *_: setattr(slot, "on_new_frame", None))
        self._watch_window()

    def _watch_window(self) -> None:
        """Follow the window's visibility (shown, hidden, minimised: see _follow_window) by
        its native window's signal. Until it has one (never shown yet, or its native window
        was destroyed) an event filter waits for its next Show: a filter on the window for
        good would call into Python for each of the ~40 events a second it gets while the
        preview plays (0.005 of a core, docs/performance.md, "The fifth round")."""
        if not shiboken6.isValid(self.view):  # the window went first (the app is closing)
            return
        window = self.view.window()
        handle = window.windowHandle()
        if handle is None:
            window.installEventFilter(self)
            return
        handle.visibilityChanged.connect(self._follow_window)
        # destroyed with the widget kept (its window flags changed): watch what comes next,
        # once the old native window is gone
        handle.destroyed.connect(self._window_handle_gone)

    def _window_handle_gone(self, *_) -> None:
        QTimer.singleShot(0, self, self._watch_window)

    def start(self) -> None:
        self._running = True
        self._follow_window()

    def stop(self) -> None:
        self._running = False
        self.slot.on_new_frame = None  # (the window is not asked: it may be gone already)

    @property
    def painting(self) -> bool:
        """Whether frames are decoded and painted for the preview now."""
        return self.slot.on_new_frame is not None

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show:  # its native window exists now
            watched.removeEventFilter(self)
            self._watch_window()
            self._follow_window()
        return False

    def _follow_window(self, visibility: QWindow.Visibility | None = None) -> None:
        """Paint only while the window can be seen: hidden in the tray or minimised, the
        capture thread decodes the analysis's frames alone. ``visibility``: what the native
        window's signal says (it says "hidden" from its destructor too, when the window is
        deleted while shown: then neither it nor the view may be asked anything)."""
        if visibility is None:
            handle = self.view.window().windowHandle() if shiboken6.isValid(self.view) else None
            visibility = handle.visibility() if handle is not None else QWindow.Visibility.Hidden
        seen = self._running and visibility not in _UNSEEN
        self.slot.on_new_frame = self.frame_arrived.emit if seen else None

    def show_latest(self) -> None:
        frame = self.slot.latest()
        if frame is None or frame.seq == self._shown_seq:  # painted already (a backlog of signals)
            return
        self._shown_seq = frame.seq
        reading = self.last_reading()
        box = label = None
        if reading is not None and reading.has_face and frame.t - reading.t < BOX_FRESH_S:
            box, label = reading.box, reading.emotion
        self.view.show_frame(to_32bit(frame.image), box, label or "")
