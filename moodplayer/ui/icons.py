"""The bundled SVG icons (resources/icons/ui), drawn in the palette's text colour.

Emoji glyphs depend on the fonts installed (a stock Debian shows some as empty boxes);
these SVGs render the same everywhere. Each file paints with ``currentColor``, which is
replaced by the widget's palette colour before rendering, so the icons follow a light
or dark theme. Rendering goes through QtSvg's QSvgRenderer directly: no image-format or
icon-engine plugin has to be found at run time.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QWidget

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.locations import resource_root

log = logging.getLogger("moodplayer")

SIZES = (16, 20, 24, 32, 48)
UI_ICONS = ("play", "pause", "next", "previous", "repeat", "repeat-one", "shuffle",
            "volume", "mute")


def icon_dir():
    return resource_root() / "resources" / "icons" / "ui"


def icon_names() -> tuple[str, ...]:
    return UI_ICONS + tuple(f"mood-{e}" for e in EMOTIONS)


@cache
def _svg(name: str) -> bytes | None:
    path = icon_dir() / f"{name}.svg"
    try:
        return path.read_bytes()
    except OSError as err:
        log.warning("icon %s is missing (%s): buttons show their names instead", path, err)
        return None


def render(name: str, size: int, color: QColor | str) -> QPixmap:
    """The icon ``name`` at ``size`` px in ``color``; a null pixmap if it cannot be read."""
    data = _svg(name)
    if data is None:
        return QPixmap()
    hex_color = QColor(color).name().encode()
    renderer = QSvgRenderer(QByteArray(data.replace(b"currentColor", hex_color)))
    if not renderer.isValid():
        log.warning("icon %s.svg is not valid SVG", name)
        return QPixmap()
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@lru_cache(maxsize=256)
def _icon(name: str, normal: str, disabled: str) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        for mode, color in ((QIcon.Mode.Normal, normal), (QIcon.Mode.Disabled, disabled)):
            pixmap = render(name, size, color)
            if not pixmap.isNull():
                icon.addPixmap(pixmap, mode)
    return icon


def _palette(widget: QWidget | None) -> QPalette:
    if widget is not None:
        return widget.palette()
    return QApplication.palette() if QApplication.instance() is not None else QPalette()


def ui_icon(name: str, widget: QWidget | None = None,
            role: QPalette.ColorRole = QPalette.ColorRole.ButtonText) -> QIcon:
    """A transport/volume icon in the colour ``widget`` draws its text with."""
    palette = _palette(widget)
    normal = palette.color(QPalette.ColorGroup.Active, role).name()
    disabled = palette.color(QPalette.ColorGroup.Disabled, role).name()
    return _icon(name, normal, disabled)


def icon_for(emotion: str, widget: QWidget | None = None) -> QIcon:
    """The face icon of one of the seven moods (instead of an emoji glyph)."""
    return ui_icon(f"mood-{emotion}", widget, QPalette.ColorRole.WindowText)


def pixmap_for(emotion: str, size: int = 20, widget: QWidget | None = None) -> QPixmap:
    """The mood's face as a pixmap, for labels."""
    return icon_for(emotion, widget).pixmap(QSize(size, size))
