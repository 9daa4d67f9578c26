"""The camera preview paints the newest frame fitted into its view, with the face box."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from moodplayer.ui.preview import PreviewView


def frame_with_quadrants():
    """640x480 BGRX: blue left half, red right half (B, G, R, X bytes)."""
    f = np.zeros((480, 640, 4), np.uint8)
    f[:, :320] = (255, 0, 0, 255)
    f[:, 320:] = (0, 0, 255, 255)
    return f


def colour(image, x, y) -> tuple[int, int, int]:
    c = QColor(image.pixel(int(x), int(y)))
    return c.red(), c.green(), c.blue()


@pytest.mark.parametrize("size", [(400, 300), (620, 470), (900, 700)])  # smaller, nearly, larger
def test_a_frame_is_fitted_centred_with_its_box(qtbot, size):
    view = PreviewView()
    qtbot.addWidget(view)
    view.image.setFixedSize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.show_frame(frame_with_quadrants(), box=(100, 100, 120, 120), label="happy")
    picture = view.image.grab().toImage()
    target = view.image.target()
    scale = target.width() / 640
    assert scale == pytest.approx(min(size[0] / 640, size[1] / 480) if size[0] < 576 else 1.0)
    cx, cy = target.center().x(), target.center().y()
    assert colour(picture, cx - 40, cy) == (0, 0, 255)  # blue on the left ...
    assert colour(picture, cx + 40, cy) == (255, 0, 0)  # ... red on the right
    box_x = target.x() + 100 * scale
    box_y = target.y() + 160 * scale
    assert colour(picture, box_x, box_y)[1] > 200  # the green box's left edge
    if size[0] > 640:
        assert colour(picture, 2, 2) == (17, 17, 17)  # the margin around a smaller frame
    assert view.frames_shown == 1


def test_paused_shows_no_picture(qtbot):
    view = PreviewView()
    qtbot.addWidget(view)
    view.show()
    view.show_frame(frame_with_quadrants())
    view.show_paused()
    assert not view.image.has_frame() and "paused" in view.image.text()
    picture = view.image.grab().toImage()
    centre = view.image.rect().center()
    assert colour(picture, centre.x(), centre.y() - 60) == (17, 17, 17)  # no frame left behind


def test_a_deleted_feed_is_never_called_by_the_capture_thread(qtbot):
    import shiboken6

    from moodplayer.app.preview_feed import PreviewFeed
    from moodplayer.pipeline import FrameSlot

    view = PreviewView()
    qtbot.addWidget(view)
    view.show()
    slot = FrameSlot()
    feed = PreviewFeed(slot, view, lambda: None)
    feed.start()
    assert slot.on_new_frame is not None
    slot.put(frame_with_quadrants()[:, :, :3].copy(), 1.0)
    qtbot.waitUntil(lambda: view.frames_shown == 1, timeout=2000)  # pushed, painted
    shiboken6.delete(feed)
    assert slot.on_new_frame is None
    slot.put(frame_with_quadrants()[:, :, :3].copy(), 2.0)  # what the capture thread does next
    feed = PreviewFeed(slot, view, lambda: None)
    view.hide()
    feed.start()  # a hidden view: nothing asked for
    assert slot.on_new_frame is None
    feed.stop()


def test_the_feed_follows_the_window_by_its_signal_not_by_filtering_every_event(qtbot):
    """Shown after the feed was made, hidden, minimised, shown again: the feed follows each,
    and once the window has shown, none of its events (its paints included) reach Python."""
    from moodplayer.app.preview_feed import PreviewFeed
    from moodplayer.pipeline import FrameSlot

    class Counting(PreviewFeed):
        filtered = 0

        def eventFilter(self, watched, event) -> bool:
            Counting.filtered += 1
            return super().eventFilter(watched, event)

    view = PreviewView()
    qtbot.addWidget(view)
    slot = FrameSlot()
    feed = Counting(slot, view, lambda: None)
    feed.start()
    assert not feed.painting  # never shown yet
    view.show()
    qtbot.waitUntil(lambda: feed.painting, timeout=2000)
    before = Counting.filtered
    for k in range(10):
        slot.put(frame_with_quadrants()[:, :, :3].copy(), float(k))
        qtbot.waitUntil(lambda k=k: view.frames_shown == k + 1, timeout=2000)
    view.resize(500, 400)
    qtbot.wait(50)
    assert Counting.filtered == before  # painted and resized, no event through Python
    for hide, show in ((view.hide, view.show), (view.showMinimized, view.showNormal)):
        hide()
        qtbot.waitUntil(lambda: not feed.painting, timeout=2000)
        show()
        qtbot.waitUntil(lambda: feed.painting, timeout=2000)
    feed.stop()
    assert not feed.painting


@pytest.mark.parametrize("stopped", [False, True])
def test_a_window_deleted_while_shown_calls_no_deleted_object(qtbot, stopped):
    """The app's end: the main window (the preview in it) deleted while still on screen,
    the feed still there. Its native window says "hidden" from its destructor: the feed
    answers without asking the half-deleted window anything (pytest-qt fails the test on
    an exception raised in a slot; the app printed a traceback as it closed)."""
    import shiboken6
    from PySide6.QtWidgets import QMainWindow

    from moodplayer.app.preview_feed import PreviewFeed
    from moodplayer.pipeline import FrameSlot

    window = QMainWindow()
    view = PreviewView()
    window.setCentralWidget(view)
    slot = FrameSlot()
    feed = PreviewFeed(slot, view, lambda: None)
    feed.start()
    window.show()
    qtbot.waitUntil(lambda: feed.painting, timeout=2000)
    if stopped:
        feed.stop()  # the app's shutdown stops the feed first
    with qtbot.captureExceptions() as raised:
        shiboken6.delete(window)
    assert raised == [] and not feed.painting
