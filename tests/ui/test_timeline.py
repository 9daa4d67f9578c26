"""The live mood timeline: fed by the session's events, bounded, explains its markers, and
visible on a real X screen."""

from __future__ import annotations

import math

import pytest
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


def test_the_live_timeline_repaints_as_fast_as_its_axis_moves_two_pixels(qtbot, monkeypatch):
    """Five minutes across 1000 px move two pixels every 0.6 s (the lines hold a point every
    two): repainting sooner draws the same points (and a full timeline costs a repaint three
    times the first seconds' one); ten minutes, once a second."""
    from moodplayer.ui import timeline
    from moodplayer.ui.timeline import MAX_REPAINT_S, MIN_REPAINT_S, TimelineView, repaint_interval

    assert repaint_interval(300.0, 1000) == 0.6 and repaint_interval(600.0, 1000) == MAX_REPAINT_S == 1.0
    assert repaint_interval(60.0, 1000) == MIN_REPAINT_S and repaint_interval(3600.0, 1000) == MAX_REPAINT_S
    assert repaint_interval(float("nan"), 1000) == repaint_interval(600.0, 0) == MIN_REPAINT_S
    view = TimelineView(TimelineData(span_s=300.0))
    qtbot.addWidget(view)
    view.resize(1000, 150)
    view.show()
    asked = []
    monkeypatch.setattr(view, "update", lambda *a: asked.append(now[0]))
    now = [100.0]
    monkeypatch.setattr(timeline.time, "monotonic", lambda: now[0])
    for k in range(60):  # three seconds of readings, 20 a second
        now[0] = 100.0 + k / 20
        view.changed()
    assert len(asked) == 5 and all(round(b - a, 2) >= 0.6 for a, b in zip(asked, asked[1:]))


def test_the_timeline_lines_are_drawn_where_the_shares_say(qapp):
    """The lines go to Qt as one array each (ui/timeline.py ``polyline``): the points are
    the ones given, and a mood's share is drawn at its height."""
    import numpy as np
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from moodplayer.ui.timeline import paint_timeline, polyline

    xs, ys = np.array([1.5, 2.5, 9.0]), np.array([4.0, -3.0, 7.25])
    poly = polyline(xs, ys)
    assert [(poly[i].x(), poly[i].y()) for i in range(poly.size())] == [(1.5, 4.0), (2.5, -3.0), (9.0, 7.25)]
    assert polyline(np.array([]), np.array([])).size() == 0
    data = TimelineData(span_s=60.0, resolution_s=0.0)
    for k in range(121):  # happy at 0.75 of the plot's height, sad at 0.25, for a minute
        data.add_shares(k / 2, {"happy": 0.75, "sad": 0.25}, "happy")
    image = QImage(600, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_timeline(painter, QRectF(0, 0, 600, 200), data, True, QColor("black"), QColor("white"))
    painter.end()

    def rows_near(mood):
        """Rows where the pixel is the mood's colour over white, at some coverage (the
        antialiased line blends its colour with the white around it)."""
        want = MOOD_COLOURS[mood].getRgb()[:3]
        rows = []
        for y in range(200):
            got = QColor(image.pixel(300, y)).getRgb()[:3]
            cover = [(255 - g) / (255 - w) for g, w in zip(got, want) if 255 - w > 30]
            if min(cover) > 0.3 and max(cover) - min(cover) < 0.1:
                rows.append(y)
        return rows

    band = [y for y in range(200) if image.pixel(300, y) & 0xFFFFFF == MOOD_COLOURS["happy"].rgb() & 0xFFFFFF]
    happy = [y for y in rows_near("happy") if y < min(band)]  # the happy band lies under the plot
    sad = rows_near("sad")
    assert happy and sad and band
    # the plot runs from below the legend to above the band: 0.75 and 0.25 of its height
    assert max(happy) < min(sad) and abs((min(band) - max(sad)) - (min(band) - max(happy)) / 3) < 6


def test_a_translucent_line_is_painted_as_one_opaque_colour_over_the_base(qapp):
    """Markers and grid lines are opaque (their colour over the base, blended once: the
    raster engine blends a translucent 1 px line pixel by pixel, ten times the cost);
    without a base to blend with (a report's picture), they stay translucent."""
    from PySide6.QtGui import QColor

    from moodplayer.ui.timeline import _over

    grey = _over(QColor(0, 0, 0), 51, QColor(255, 255, 255))
    assert grey.alpha() == 255 and (grey.red(), grey.green(), grey.blue()) == (204, 204, 204)
    assert _over(QColor(10, 20, 30), 90, None).getRgb() == (10, 20, 30, 90)


@pytest.mark.parametrize("now, span, marker_t", [
    (30.0, 600.0, float("inf")),  # a marker at an infinite time
    (float("nan"), 600.0, 10.0),  # no clock: every x is NaN
    (float("inf"), 600.0, 10.0),
    (30.0, float("nan"), 10.0),
    (30.0, float("inf"), 10.0),
])
def test_a_timeline_with_times_that_are_not_numbers_paints_without_raising(qapp, now, span, marker_t):
    """Records are checked on reading (core/records/record.py), but a TimelineData is
    also built from live events: a NaN or infinite time must not make the paint raise
    (math.floor of one does) and leave the painter half-done. The lines that are numbers
    are still drawn."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from moodplayer.core.records.timeline import Marker
    from moodplayer.ui.timeline import paint_timeline

    data = TimelineData(span_s=span, resolution_s=0.0)
    for k in range(60):
        data.add_shares(k / 2, {"happy": 0.75, "sad": 0.25}, "happy")
    data.markers.append(Marker(marker_t, "mood", "a damaged time"))
    data.now = now
    for relative in (True, False):
        for base in (QColor("white"), None):
            image = QImage(600, 200, QImage.Format.Format_RGB32)
            image.fill(QColor("white"))
            painter = QPainter(image)
            placed = paint_timeline(painter, QRectF(0, 0, 600, 200), data, relative, QColor("black"), base)
            painter.end()
            assert isinstance(placed, list)
            assert any(image.pixel(x, y) & 0xFFFFFF != 0xFFFFFF for x in range(0, 600, 7) for y in range(0, 200, 7))


def test_a_change_too_soon_after_a_repaint_is_painted_once_due_even_if_nothing_follows(qtbot):
    """An override's marker and its track's come together; with the camera paused no
    reading follows them: the second, too soon to repaint for, is still painted once the
    axis would have moved a pixel (not only at the next change, minutes later)."""
    from moodplayer.ui.timeline import TimelineView

    view = TimelineView(TimelineData(span_s=600.0))
    qtbot.addWidget(view)
    view.resize(1000, 150)
    view.show()
    qtbot.waitExposed(view)
    view.data.add_shares(1.0, {"happy": 0.8}, "happy")
    view.data.mark("override", "you chose sad", 1.0)
    view.changed()
    qtbot.waitUntil(lambda: len(view.marker_positions()) == 1)
    view.data.mark("track", "a sad track", 1.0)
    view.changed()  # within the repaint interval of the last one: not at once
    qtbot.waitUntil(lambda: len(view.marker_positions()) == 2, timeout=5000)
    assert [text for _, text in view.marker_positions()] == ["you chose sad", "a sad track"]


def test_a_markers_tick_points_at_its_line_in_its_colour(qapp):
    """The ticks are one antialiased picture per colour, drawn over the marker's line: the
    tick's point is in the line's pixel column, and the columns beside it are the base."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from moodplayer.ui import timeline
    from moodplayer.ui.timeline import MARK_H, MARKER_COLOURS, TICK_HALF_W, paint_timeline

    data = TimelineData(span_s=60.0, resolution_s=0.0)
    data.add_shares(0.0, {"happy": 1.0}, "happy")
    data.add_shares(60.0, {"happy": 1.0}, "happy")
    data.mark("track", "a track", 54.0)  # right of the legend
    data.mark("override", "you chose", 58.0)
    image = QImage(600, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    [(x_track, _), (x_override, _)] = paint_timeline(painter, QRectF(0, 0, 600, 200), data, True,
                                                      QColor("black"), QColor("white"))
    painter.end()
    for x, kind in ((x_track, "track"), (x_override, "override")):
        column = int(x)
        tick_top = 100  # from the plot's middle up the line, through the frame, to the tick's top
        while tick_top > 0 and image.pixel(column, tick_top - 1) & 0xFFFFFF != 0xFFFFFF:
            tick_top -= 1
        # near its top the tick is as wide as 2 × TICK_HALF_W + 1 and in the marker's colour
        row = [QColor(image.pixel(column + dx, tick_top + 1)) for dx in range(-TICK_HALF_W, TICK_HALF_W + 1)]
        want = MARKER_COLOURS[kind]
        assert all(abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 160
                   for c in row[2:-2]), kind
        assert image.pixel(column - TICK_HALF_W - 2, tick_top + 1) & 0xFFFFFF == 0xFFFFFF
        assert image.pixel(column + TICK_HALF_W + 2, tick_top + 1) & 0xFFFFFF == 0xFFFFFF
        assert QColor(image.pixel(column, tick_top + MARK_H - 1)) != QColor("white")  # its point
    assert {MARKER_COLOURS["track"].rgba(), MARKER_COLOURS["override"].rgba()} <= {c for c, _ in timeline._TICKS}


@pytest.mark.parametrize("ratio", [1.0, 2.0, 1.5])
def test_a_markers_tick_is_as_sharp_on_a_high_dpi_screen(qapp, ratio):
    """On a screen of 2 (or 1.5) device pixels a pixel the picture of a tick is made at
    that ratio: the same antialiased triangle as filling it there (as the ticks were drawn
    before they were pictures), not a 1x picture stretched into blocky steps."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPolygonF

    from moodplayer.ui.timeline import MARK_H, MARKER_COLOURS, TICK_HALF_W, paint_timeline

    data = TimelineData(span_s=60.0, resolution_s=0.0)
    data.add_shares(0.0, {"happy": 1.0}, "happy")
    data.add_shares(60.0, {"happy": 1.0}, "happy")
    data.mark("track", "a track", 54.0)  # right of the legend

    def picture() -> QImage:
        image = QImage(int(600 * ratio), int(200 * ratio), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(QColor("white"))
        return image

    drawn = picture()
    painter = QPainter(drawn)
    [(x, _)] = paint_timeline(painter, QRectF(0, 0, 600, 200), data, True, QColor("black"), QColor("white"))
    painter.end()
    middle = math.floor(x) + 0.5  # the tick's point: the middle of its line's pixel column
    column, row = int(middle * ratio), int(100 * ratio)  # on the marker's line, in device pixels
    while row > 0 and drawn.pixel(column, row - 1) & 0xFFFFFF != 0xFFFFFF:  # up the line and the tick
        row -= 1
    top = round(row / ratio)  # the tick's top, in the widget's pixels
    filled = picture()
    painter = QPainter(filled)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(MARKER_COLOURS["track"])
    painter.drawPolygon(QPolygonF([QPointF(middle - TICK_HALF_W, top), QPointF(middle + TICK_HALF_W, top),
                                   QPointF(middle, top + MARK_H)]))
    painter.end()
    worst = 0
    for y in range(int(top * ratio), int((top + MARK_H - 1) * ratio)):  # (the last row: the frame's too)
        for x_px in range(int((middle - TICK_HALF_W - 1) * ratio), int((middle + TICK_HALF_W + 1) * ratio)):
            a, b = QColor(drawn.pixel(x_px, y)), QColor(filled.pixel(x_px, y))
            worst = max(worst, abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue()))
    assert worst <= 8
