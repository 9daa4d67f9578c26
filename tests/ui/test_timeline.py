"""The live mood timeline: fed by the session's events, bounded, explains its markers, and
visible on a real X screen."""

from __future__ import annotations

from helpers import feel, needs_xvfb, no_face, screenshot_under_xvfb
from pages import MainPage
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QToolTip

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.records.timeline import TimelineData
from moodplayer.ui.timeline import MOOD_COLOURS


def test_timeline_memory_is_bounded():
    data = TimelineData(span_s=600.0, resolution_s=0.5)
    shares = {e: 1 / 7 for e in EMOTIONS}
    for k in range(20 * 3600):  # an hour of readings at 20 a second
        data.add_shares(k / 20, shares, "neutral")
        if k % 600 == 0:
            data.mark("track", "a track")
    assert len(data.samples) <= 600 / 0.5 + 1
    assert len(data.markers) <= 600 / 30 + 1
    assert data.samples[0].t >= data.now - 600 - 0.5


def test_the_window_timeline_shows_moods_markers_and_their_why(qtbot, make_app):
    app = make_app()
    with qtbot.waitExposed(app.window):
        app.window.show()
    page = MainPage(app.window)
    view = page.timeline
    feel(app.session, "sad")
    feel(app.session, "happy")
    app.session.choose("neutral")
    no_face(app.session, 12.0)
    data = view.data
    assert {s.mood for s in data.samples} >= {"sad", "happy"}
    kinds = [m.kind for m in data.markers]
    assert kinds.count("mood") == 2 and "track" in kinds and "override" in kinds
    assert data.no_face and data.no_face[-1][1] is None  # no face, still
    view.repaint()  # paint now: the markers' places are known after a paint
    assert view.marker_positions(), view.repaints
    [(x, why)] = [(x, t) for x, t in view.marker_positions() if t.startswith("happy: ") and "→" not in t]
    assert "%" in why and "ahead of sad" in why
    qtbot.mouseMove(view, QPoint(int(round(x)), view.height() // 2))  # the pointer rests on it
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text() == why, timeout=3000)
    before = view.repaints
    for _ in range(5):
        feel(app.session, "sad")
        feel(app.session, "angry")
    assert view.repaints - before <= 10 / 1  # capped: not one repaint per batch of readings
    page.timeline_toggle.click()  # folded away
    assert not view.isVisible()


@needs_xvfb
def test_the_timeline_is_visible_in_an_xvfb_screenshot(tmp_path):
    image = screenshot_under_xvfb("timeline.png", tmp_path / "s.toml", 22)
    colours = {image.pixel(x, y) & 0xFFFFFF for x in range(0, image.width(), 2)
               for y in range(image.height() // 2, image.height())}
    moods = {m for m, c in MOOD_COLOURS.items() if c.rgb() & 0xFFFFFF in colours}
    assert moods, "no mood band in the lower half of the screen"
