"""The now-playing cover: shows image bytes (from ``core.cover_art.cover_for``), or nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

COVER_SIZE = 96  # px, square: beside the now-playing line, never pushing the track list away


class CoverArt(QLabel):
    def __init__(self, parent: QWidget | None = None, size: int = COVER_SIZE) -> None:
        super().__init__(parent)
        self.setObjectName("coverArt")
        self.setAccessibleName("Cover art")
        self.setFixedSize(size, size)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._size = size
        self.has_cover = False
        self.setVisible(False)

    def show_cover(self, data: bytes | None) -> bool:
        """Show the picture in ``data`` scaled to fit; hide when there is none or it is not
        an image Qt can decode (a damaged tag must not leave a stale cover). Returns whether
        a picture is shown."""
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data) and not pixmap.isNull():
            self.setPixmap(pixmap.scaled(self._size, self._size, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation))
            self.has_cover = True
        else:
            self.clear()
            self.has_cover = False
        self.setVisible(self.has_cover)
        return self.has_cover
