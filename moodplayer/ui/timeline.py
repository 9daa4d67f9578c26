"""The mood timeline: the seven moods' windowed shares over the last minutes, the decided
mood as a band, markers for switches, track changes, overrides and pauses (each shows its
explanation under the pointer), and the spans with no face.

Drawn with QPainter, by one function (``paint_timeline``) that the live view, the Sessions
window and the PDF/HTML report share (docs/performance.md says why not a chart library).
Cheap on purpose, as its cost grows with what it holds (ten minutes of a session that
switches every few seconds hold hundreds of markers: a repaint cost 24-34 ms of the GUI
thread, now 5-8): the live view repaints no more often than its axis moves two pixels
(``repaint_interval``: ten minutes on 1000 px, 1.2 s, so once a second; between
``MIN_REPAINT_S`` and ``MAX_REPAINT_S`` whatever the span), each line is thinned to about
one point per two pixels and handed to Qt as one array, the straight lines are opaque filled rectangles,
neither stroked nor blended, and each marker's tick is one small picture per colour,
antialiased once (docs/performance.md, "The mood timeline").
"""

from __future__ import annotations

import math
import time

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolButton, QToolTip, QVBoxLayout, QWidget

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.records.timeline import TimelineData

MOOD_COLOURS = {
    "angry": QColor("#d32f2f"), "disgust": QColor("#689f38"), "fear": QColor("#7b1fa2"),
    "happy": QColor("#f9a825"), "sad": QColor("#1976d2"), "surprise": QColor("#f57c00"),
    "neutral": QColor("#757575"),
}
MARKER_COLOURS = {
    "mood": QColor("#000000"), "track": QColor("#00897b"), "override": QColor("#c2185b"),
    "pause": QColor("#5d4037"), "resume": QColor("#5d4037"), "lift": QColor("#f9a825"),
}
MARKER_LINE_ALPHA = 90
PX_PER_REPAINT = 2  # the live view repaints once its axis has moved this far (the lines' thinning)
MIN_REPAINT_S = 0.25  # at most 4 repaints a second (a short span's axis moves fast) ...
MAX_REPAINT_S = 1.0  # ... and at least one (a new marker shows within a second)
BAND_H = 12
MARK_H = 10


def _fmt_time(seconds: float) -> str:
    minutes, s = divmod(int(round(abs(seconds))), 60)
    return f"{'-' if seconds < 0 else ''}{minutes}:{s:02d}"


def _grid_step(span: float) -> float:
    """Every minute, every 5 or 15 when long, then hours: never more than ~24 grid lines,
    however long the span (a damaged record must not draw millions)."""
    for step, most in ((60.0, 900), (300.0, 5400), (900.0, 21600), (3600.0, 86400), (14400.0, 345600)):
        if span <= most:
            return step
    return span / 24


def repaint_interval(span_s: float, width_px: float) -> float:
    """How long the live axis takes to move ``PX_PER_REPAINT`` pixels, within
    [MIN_REPAINT_S, MAX_REPAINT_S]: the lines hold about a point every two pixels, so
    repainting sooner redraws the same points a pixel or so further left."""
    if not (math.isfinite(span_s) and width_px > 0):
        return MIN_REPAINT_S
    return min(MAX_REPAINT_S, max(MIN_REPAINT_S, PX_PER_REPAINT * span_s / width_px))


def polyline(xs: np.ndarray, ys: np.ndarray) -> QPolygonF:
    """The points as one QPolygonF, written straight into its array (a QPointF made per
    point costs the live repaint more than Qt's drawing of the line)."""
    polygon = QPolygonF()
    polygon.resize(len(xs))
    if len(xs):
        # QPolygonF's storage is contiguous (x, y) doubles; data() is its first point
        address = shiboken6.getCppPointer(polygon.data())[0]
        memory = memoryview(shiboken6.VoidPtr(address, 16 * len(xs), True))  # type: ignore[call-arg, arg-type]  # shiboken6 stubs: VoidPtr takes (address, size, writable) and is a buffer
        points = np.frombuffer(memory, dtype=np.float64).reshape(-1, 2)
        points[:, 0], points[:, 1] = xs, ys
    return polygon


def _over(colour: QColor, alpha: int, base: QColor | None) -> QColor:
    """``colour`` at ``alpha`` (0-255) over ``base``, as one opaque colour: a translucent
    1 px line is blended pixel by pixel, ten times the raster engine's cost of an opaque
    one (a session minutes old has hundreds of markers). Without a base: translucent."""
    if base is None:
        translucent = QColor(colour)
        translucent.setAlpha(alpha)
        return translucent
    a = alpha / 255
    return QColor(*(round(c * a + b * (1 - a)) for c, b in
                    zip((colour.red(), colour.green(), colour.blue()), (base.red(), base.green(), base.blue()))))


TICK_HALF_W = 4  # a marker's tick: a triangle 2 × 4 + 1 px wide, MARK_H high, its point down
_TICKS: dict[tuple[int, float], QImage] = {}  # (colour, device pixel ratio) -> its tick


def _tick(colour: QColor, ratio: float = 1.0) -> QImage:
    """A marker's tick in ``colour``, antialiased once and kept: a session minutes old has
    hundreds of ticks, and a polygon built and filled for each cost a fifth of a repaint.
    Made at the device's whole pixel ratio (a high-DPI screen: 2), so that it is as sharp as
    the triangle filled there, not a 1× picture stretched (a fractional ratio has the
    triangle filled: _tick_polygon). The GUI thread's alone (the live view, the Sessions
    window and the report all paint there)."""
    key = (colour.rgba(), ratio)
    image = _TICKS.get(key)
    if image is None:
        image = QImage(math.ceil((2 * TICK_HALF_W + 1) * ratio), math.ceil(MARK_H * ratio),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        middle = TICK_HALF_W + 0.5  # the centre of the line's pixel column
        p.drawPolygon(_tick_polygon(middle, 0.0))
        p.end()
        _TICKS[key] = image
    return image


def _tick_polygon(middle: float, top: float) -> QPolygonF:
    return QPolygonF([QPointF(middle - TICK_HALF_W, top), QPointF(middle + TICK_HALF_W, top),
                      QPointF(middle, top + MARK_H)])


def _vlines(p: QPainter, xs: list[float], top: float, bottom: float, colours: list[QColor]) -> None:
    """1 px vertical lines on whole pixels, as filled rectangles (no antialiasing, no
    stroking: the raster engine's fastest path). A position that is not a number (data
    with a NaN or an infinite time) draws nothing: math.floor would raise on it."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    for x, colour in zip(xs, colours):
        if math.isfinite(x):
            p.fillRect(QRectF(math.floor(x), top, 1.0, bottom - top), colour)
    p.restore()


def paint_timeline(p: QPainter, rect: QRectF, data: TimelineData, relative: bool = True,
                   text: QColor | None = None, base: QColor | None = None,
                   line_width: float = 1.0, band_h: float = BAND_H) -> list[tuple[float, str]]:
    """Draws ``data`` in ``rect``. ``relative``: the axis ends at "now" (live), else it runs
    from the record's start. Returns the markers' x positions and texts (for tooltips)."""
    text = text or QColor("#202020")
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if base is not None:
        p.fillRect(rect, base)
    font = QFont(p.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
    else:  # a picture's font, set in pixels
        font.setPixelSize(max(8, int(font.pixelSize() * 0.8)))
    p.setFont(font)
    legend_h = p.fontMetrics().height() + 2
    axis_h = p.fontMetrics().height() + 2
    plot = QRectF(rect.left() + 4, rect.top() + legend_h + MARK_H,
                  rect.width() - 8, rect.height() - legend_h - MARK_H - band_h - axis_h - 4)
    band = QRectF(plot.left(), plot.bottom() + 2, plot.width(), band_h)
    t1 = data.now if relative else max(data.now, data.start + 1.0)
    t0 = t1 - data.span_s if relative else data.start
    span = max(t1 - t0, 1e-6) if math.isfinite(t1 - t0) else 1.0

    def x_of(t: float) -> float:
        return plot.left() + (t - t0) / span * plot.width()

    # legend: the seven moods' colours
    x = rect.left() + 4
    for mood in EMOTIONS:
        p.fillRect(QRectF(x, rect.top() + 4, 10, legend_h - 8), MOOD_COLOURS[mood])
        p.setPen(text)
        p.drawText(QPointF(x + 13, rect.top() + legend_h - 4), mood)
        x += 18 + p.fontMetrics().horizontalAdvance(mood)

    # frame, grid (every minute, or every 5 when long), time labels
    grid = QColor(text)
    grid.setAlpha(40)
    p.setPen(QPen(grid, 1))
    p.drawRect(plot)
    step = _grid_step(span)
    ticks = int(span // step) + 1
    grid_xs = []
    for k in range(ticks):
        # live: back from "now"; a record: on from its start
        at, label = (t1 - k * step, "now" if k == 0 else f"-{_fmt_time(k * step)}") if relative \
            else (t0 + k * step, _fmt_time(k * step))
        gx = x_of(at)
        grid_xs.append(gx)
        p.setPen(text)
        lx = min(max(gx - p.fontMetrics().horizontalAdvance(label) / 2, rect.left()),
                 rect.right() - p.fontMetrics().horizontalAdvance(label))
        p.drawText(QPointF(lx, band.bottom() + axis_h), label)
    _vlines(p, grid_xs, plot.top(), plot.bottom(), [_over(text, 40, base)] * len(grid_xs))

    # no-face spans, shaded
    shade = QColor(text)
    shade.setAlpha(30)
    for start, end in data.no_face:
        a, b = max(x_of(start), plot.left()), min(x_of(t1 if end is None else end), plot.right())
        if b > a:
            p.fillRect(QRectF(a, plot.top(), b - a, plot.height() + band_h + 2), shade)

    # markers: a thin line through the plot (under the shares' lines), a tick above it
    shown = [(x_of(m.t), m) for m in data.markers if m.t >= t0]
    lines = {kind: _over(colour, MARKER_LINE_ALPHA, base) for kind, colour in MARKER_COLOURS.items()}
    other = _over(text, MARKER_LINE_ALPHA, base)
    _vlines(p, [mx for mx, _ in shown], plot.top(), plot.bottom(),
            [lines.get(m.kind, other) for _, m in shown])

    # the shares, one line per mood, thinned to ~one point per 2 px
    samples = [s for s in data.samples if s.t >= t0]
    stride = max(1, int(len(samples) / max(plot.width() / 2, 1)))
    thinned = samples[::stride]
    if thinned:
        left, scale = plot.left() - t0 / span * plot.width(), plot.width() / span
        bottom, height = plot.bottom(), plot.height()
        times = np.fromiter((s.t for s in thinned), np.float64, len(thinned))
        shares = np.array([s.shares for s in thinned], np.float64).reshape(len(thinned), -1)
        xs_array = left + times * scale
        for i, mood in enumerate(EMOTIONS):
            p.setPen(QPen(MOOD_COLOURS[mood], line_width))  # 1 px: the raster engine's fast path
            p.drawPolyline(polyline(xs_array, bottom - shares[:, i] * height))
        xs = xs_array.tolist()
        # the decided mood, as a band: one rectangle per run of the same mood, no
        # antialiasing (no seams between them)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        runs: list[list] = []  # [mood, x from, x to]
        for x, s in zip(xs, thinned):
            if runs and runs[-1][0] == s.mood:
                runs[-1][2] = x
            else:
                if runs:
                    runs[-1][2] = x
                runs.append([s.mood, x, x])
        runs[-1][2] = x_of(t1)
        for mood, a, b in runs:
            if mood in MOOD_COLOURS:
                p.fillRect(QRectF(a, band.top(), max(b - a, 1.0), band.height()), MOOD_COLOURS[mood])

    # the markers' ticks, over their lines' pixel columns
    top = plot.top() - MARK_H
    ratio = p.device().devicePixelRatioF()
    whole = ratio == round(ratio) and ratio >= 1  # a picture lands on whole device pixels
    if not whole:  # 1.25, 1.5 ...: each triangle filled where it is
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
    for mx, m in shown:
        if not math.isfinite(mx):
            continue
        colour = MARKER_COLOURS.get(m.kind, text)
        if whole:
            p.drawImage(QPointF(math.floor(mx) - TICK_HALF_W, top), _tick(colour, ratio))
        else:
            p.setBrush(colour)
            p.drawPolygon(_tick_polygon(math.floor(mx) + 0.5, top))
    p.restore()
    return [(mx, m.text) for mx, m in shown]


class TimelineView(QWidget):
    """The timeline, live or of a record. Shows data; emits nothing (no intents here)."""

    def __init__(self, data: TimelineData | None = None, relative: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data or TimelineData()
        self.relative = relative
        self.repaints = 0
        self._last_update = 0.0
        # the repaint of a change that came too soon after the last one, once it is due
        # (a track's marker right after an override's, then nothing: still shown)
        self._due = QTimer(self)
        self._due.setSingleShot(True)
        self._due.timeout.connect(self._repaint_due)
        self._markers: list[tuple[float, str]] = []
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("mood timeline")

    def sizeHint(self) -> QSize:
        return QSize(600, 150)

    def set_data(self, data: TimelineData) -> None:
        self.data = data
        self.update()

    def changed(self) -> None:
        """New data: repainted when the axis has moved PX_PER_REPAINT pixels since the last repaint
        (``repaint_interval``), however often readings come; a change that comes sooner
        is painted then, even if nothing follows it."""
        if not self.isVisible():
            return
        now = time.monotonic()
        wait = repaint_interval(self.data.span_s, self.width()) - (now - self._last_update)
        if wait <= 0:
            self._due.stop()
            self._last_update = now
            self.update()
        elif not self._due.isActive():  # later, once: what changed meanwhile is painted then
            self._due.start(max(1, math.ceil(wait * 1000)))

    def _repaint_due(self) -> None:
        self._last_update = time.monotonic()
        self.update()

    def hideEvent(self, event) -> None:
        self._due.stop()  # hidden: nothing to repaint (shown again, it is repainted whole)
        super().hideEvent(event)

    def stop(self) -> None:
        """No repaint pending any more (the app shuts down: no change will come)."""
        self._due.stop()

    def paintEvent(self, event) -> None:
        self.repaints += 1
        p = QPainter(self)
        pal = self.palette()
        self._markers = paint_timeline(p, QRectF(self.rect()), self.data, self.relative,
                                       pal.color(pal.ColorRole.Text), pal.color(pal.ColorRole.Base))
        p.end()

    def marker_positions(self) -> list[tuple[float, str]]:
        """Where the last paint put the markers: (x, explanation)."""
        return list(self._markers)

    def marker_text_at(self, x: float, tolerance: float = 5.0) -> str | None:
        near = [(abs(mx - x), text) for mx, text in self._markers if abs(mx - x) <= tolerance]
        return min(near)[1] if near else None

    def mouseMoveEvent(self, event) -> None:
        text = self.marker_text_at(event.position().x())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)


class TimelinePanel(QWidget):
    """The live timeline, and a button that folds it away. The button is not in the panel:
    the window puts it in its status bar, so the timeline costs no height when folded."""

    toggled = Signal(bool)

    def __init__(self, minutes: int = 10, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = TimelineView(TimelineData(span_s=60.0 * minutes))
        self.view.setObjectName("timelineView")
        self.toggle = QToolButton()
        self.toggle.setObjectName("timelineToggle")
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setText(f"Mood timeline (last {minutes} min)")
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._show)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def _show(self, shown: bool) -> None:
        self.setVisible(shown)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.toggled.emit(shown)
        if shown:
            self.view.update()
