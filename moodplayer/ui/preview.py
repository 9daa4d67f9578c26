"""The camera preview: the frame, the face box and its label, and a banner."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

PAUSE_SHORTCUT = "Ctrl+K"


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
        self.image = QLabel("Starting the camera…", self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(320, 240)
        self.image.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image.setStyleSheet("background:#111;color:#ddd;")
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

    def display_size(self) -> tuple[int, int]:
        """Where frames go, in pixels: the caller shrinks frames to fit it (cheaper off
        the GUI's paint path than a smooth QPixmap scale)."""
        size = self.image.size()
        return max(1, size.width()), max(1, size.height())

    def show_frame(self, bgr: np.ndarray, box=None, label: str = "") -> None:
        """``bgr`` is shown as it is (already fitted to ``display_size``); ``box`` is in
        its pixels."""
        h, w = bgr.shape[:2]
        bgr = np.ascontiguousarray(bgr)
        qimage = QImage(bgr.data, w, h, bgr.strides[0], QImage.Format.Format_BGR888)
        pixmap = QPixmap.fromImage(qimage)  # copies the pixels: bgr may be freed after
        if box is not None:
            painter = QPainter(pixmap)
            pen = QPen(QColor("#00e676"))
            pen.setWidth(max(2, w // 240))
            painter.setPen(pen)
            x, y, bw, bh = box
            painter.drawRect(QRect(x, y, bw, bh))
            if label:
                font = QFont()
                font.setPixelSize(max(14, h // 24))
                font.setBold(True)
                painter.setFont(font)
                painter.drawText(x, max(font.pixelSize(), y - 6), label)
            painter.end()
        self.image.setPixmap(pixmap)
        self.frames_shown += 1
