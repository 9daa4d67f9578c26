"""The camera preview: the frame, the face box and its label, and a banner."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QRegion,
    QStaticText,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

PAUSE_SHORTCUT = "Ctrl+K"
BACKGROUND = QColor("#111")
BOX_COLOUR = QColor("#00e676")


NO_SCALE_ABOVE = 0.9  # a frame that nearly fits is shown 1:1, its edges cut (no scaling pass)


class FramePicture(QWidget):
    """The newest frame, fitted into the widget when it is painted: one pass of Qt's
    raster engine scales it straight into the window's backing store (no QPixmap, no
    scaled copy); a frame that nearly fits (≥ 90 %) is copied 1:1, centred, its edges cut,
    and a smaller window than the frame gets a smooth scale. Frames come as 32-bit BGRX
    arrays, the layout of ``Format_RGB32`` on a little-endian machine, so that pass
    converts nothing. Without a frame: a line of text."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # every pixel painted
        self._text = text
        self._image: QImage | None = None
        self._pixels: np.ndarray | None = None  # the QImage's memory, kept alive with it
        self._box: tuple[int, int, int, int] | None = None
        self._label = ""
        self._painted = QRect()  # where the last frame went
        # the label's font and laid-out text, kept while they stay the same (laying out a
        # line of text anew for each of 15 frames a second costs more than painting it)
        self._label_text: tuple[str, int, QFont, QStaticText, int] | None = None

    def text(self) -> str:
        return self._text if self._image is None else ""

    def setText(self, text: str) -> None:
        self._text = text
        self.update()

    def clear(self) -> None:
        self._image = self._pixels = self._box = None
        self.update()

    def has_frame(self) -> bool:
        return self._image is not None

    def set_frame(self, bgrx: np.ndarray, box, label: str) -> None:
        h, w = bgrx.shape[:2]
        pixels = np.ascontiguousarray(bgrx)
        self._image = QImage(pixels.data, w, h, pixels.strides[0], QImage.Format.Format_RGB32)
        self._pixels, self._box, self._label = pixels, box, label
        target = self.target().toAlignedRect()
        if target == self._painted:  # the same place as the last frame: repaint only that
            self.update(target)
        else:
            self._painted = target
            self.update()

    def target(self) -> QRectF:
        """Where the frame goes: centred, its aspect ratio kept, never enlarged; as large
        as fits, or 1:1 if it nearly fits."""
        if self._image is None:
            return QRectF()
        w, h = self._image.width(), self._image.height()
        scale = min(self.width() / w, self.height() / h, 1.0)
        if scale >= NO_SCALE_ABOVE:
            scale = 1.0
        tw, th = w * scale, h * scale
        return QRectF((self.width() - tw) / 2, (self.height() - th) / 2, tw, th)

    def resizeEvent(self, event) -> None:
        self._painted = QRect()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._image is None:
            painter.fillRect(self.rect(), BACKGROUND)
            painter.setPen(QColor("#ddd"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._text)
            painter.end()
            return
        target = self.target()
        painter.setClipRegion(QRegion(event.rect()).subtracted(QRegion(target.toAlignedRect())))
        painter.fillRect(event.rect(), BACKGROUND)  # only what the frame leaves uncovered
        painter.setClipping(False)
        if target.width() == self._image.width():
            painter.drawImage(target.topLeft(), self._image)  # a plain copy
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._image)
        if self._box is not None:
            scale = target.width() / self._image.width()
            x, y, bw, bh = (v * scale for v in self._box)
            x, y = x + target.x(), y + target.y()
            pen = QPen(BOX_COLOUR)
            pen.setWidth(max(2, int(target.width()) // 240))
            painter.setPen(pen)
            painter.drawRect(QRect(int(x), int(y), int(bw), int(bh)))
            if self._label:
                font, text, line_h = self._laid_out(self._label, max(14, int(target.height()) // 24))
                painter.setFont(font)
                top = max(int(target.y()), int(y) - font.pixelSize() - 8)  # inside the frame
                # at the bottom of a line 6 px taller than the font, as AlignBottom put it
                painter.drawStaticText(int(x), top + font.pixelSize() + 6 - line_h, text)
        painter.end()

    def _laid_out(self, label: str, pixels: int) -> tuple[QFont, QStaticText, int]:
        """The label's font, laid-out text and line height (drawText's AlignBottom puts
        the line's bottom, font metrics' height below its top, at the rectangle's)."""
        cached = self._label_text
        if cached is None or cached[:2] != (label, pixels):
            font = QFont()
            font.setPixelSize(pixels)
            font.setBold(True)
            text = QStaticText(label)
            text.prepare(font=font)
            cached = self._label_text = (label, pixels, font, text, QFontMetrics(font).height())
        return cached[2], cached[3], cached[4]


class PreviewView(QWidget):
    camera_pause_requested = Signal(bool)  # True: let go of the camera; False: take it back

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.banner = QLabel(self)
        self.banner.setObjectName("previewBanner")
        self.banner.setStyleSheet("background:#fff3cd;color:#5c4400;padding:4px;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.camera_indicator = QLabel("● camera on", self)
        self.camera_indicator.setObjectName("cameraIndicator")
        self.camera_indicator.setStyleSheet("color:#c62828;font-weight:bold;")
        self.image = FramePicture("Starting the camera…", self)
        self.image.setMinimumSize(320, 240)
        self.image.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pause_button = QPushButton("Pause camera")
        self.pause_button.setObjectName("pauseCamera")
        self.pause_button.setCheckable(True)
        self.pause_button.setShortcut(QKeySequence(PAUSE_SHORTCUT))
        self.pause_button.setToolTip(f"Stop looking: the camera is released ({PAUSE_SHORTCUT})")
        self.pause_button.toggled.connect(self._on_pause_toggled)
        bottom = QHBoxLayout()
        bottom.addWidget(self.camera_indicator, 1)
        bottom.addWidget(self.pause_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.image, 1)
        layout.addLayout(bottom)
        self.frames_shown = 0

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume camera" if paused else "Pause camera")
        self.camera_pause_requested.emit(paused)

    def show_paused(self) -> None:
        self.image.clear()
        self.image.setText("Camera paused: nothing is being watched.")

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def set_camera_active(self, active: bool, text: str = "") -> None:
        self.camera_indicator.setText(text or ("● camera on" if active else "○ camera off"))
        self.camera_indicator.setStyleSheet(
            "color:#c62828;font-weight:bold;" if active else "color:#666;"
        )

    def show_frame(self, bgrx: np.ndarray, box=None, label: str = "") -> None:
        """``bgrx``: the whole frame, 32-bit BGRX (fitted to the view when painted);
        ``box`` in its pixels."""
        self.image.set_frame(bgrx, box, label)
        self.frames_shown += 1
