"""The bundled SVG icons: every file renders, they take the palette's colour (light or
dark theme), the moods show faces instead of emoji glyphs, and a real X server (Xvfb)
shows them on screen."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pages import MainPage
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QWidget

from moodplayer.core.emotions import EMOTIONS
from moodplayer.ui import icons
from moodplayer.ui.main_window import MainWindow
from moodplayer.ui.mood_panel import MoodIcon
from moodplayer.ui.player_controls import TransportControls

REPO = Path(__file__).resolve().parents[2]


def opaque_pixels(image: QImage) -> list[QColor]:
    return [c for x in range(image.width()) for y in range(image.height())
            if (c := image.pixelColor(x, y)).alpha() > 128]


def test_the_icon_set_is_complete_and_every_file_is_used():
    files = {p.stem for p in icons.icon_dir().glob("*.svg")}
    assert files == set(icons.icon_names())
    assert {f"mood-{e}" for e in EMOTIONS} <= files


@pytest.mark.parametrize("name", icons.icon_names())
def test_every_icon_parses_and_renders_at_24_px(qapp, name):
    assert QSvgRenderer(str(icons.icon_dir() / f"{name}.svg")).isValid()
    image = icons.render(name, 24, "#000000").toImage()
    assert image.width() == 24
    ink = opaque_pixels(image)
    assert 30 < len(ink) < 24 * 24 * 0.6  # a drawing, neither empty nor a filled square


def test_the_svg_image_format_is_available(qapp):
    from PySide6.QtGui import QImageReader

    # QIcon/QImage can read SVG too (our icons go through QSvgRenderer either way).
    assert b"svg" in [bytes(f) for f in QImageReader.supportedImageFormats()]


def palette(window: str, text: str) -> QPalette:
    p = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Button, QPalette.ColorRole.Base):
        p.setColor(role, QColor(window))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
        p.setColor(role, QColor(text))
    return p


@pytest.mark.parametrize("theme, window, text", [("light", "#f0f0f0", "#101010"),
                                                 ("dark", "#202020", "#f5f5f5")])
def test_icons_take_the_palette_text_colour(qtbot, theme, window, text):
    w = QWidget()
    qtbot.addWidget(w)
    w.setPalette(palette(window, text))
    for icon in (icons.ui_icon("play", w), icons.icon_for("disgust", w)):
        ink = opaque_pixels(icon.pixmap(24, 24).toImage())
        lightness = sum(c.lightness() for c in ink) / len(ink)
        assert abs(lightness - QColor(text).lightness()) < 30, theme


def test_widgets_redraw_their_icons_when_the_palette_changes(qtbot):
    controls = TransportControls()
    face = MoodIcon("happy", 24)
    qtbot.addWidget(controls)
    qtbot.addWidget(face)
    before = controls.play_button.icon().cacheKey(), face.pixmap().cacheKey()
    dark = palette("#202020", "#f5f5f5")
    controls.setPalette(dark)
    face.setPalette(dark)
    ink = opaque_pixels(face.pixmap().toImage())
    assert sum(c.lightness() for c in ink) / len(ink) > 200
    assert (controls.play_button.icon().cacheKey(), face.pixmap().cacheKey()) != before


def test_each_mood_has_its_own_face(qapp):
    images = {e: icons.render(f"mood-{e}", 24, "#000").toImage() for e in EMOTIONS}
    assert len({bytes(img.constBits()) for img in images.values()}) == len(EMOTIONS)


def test_missing_icon_files_are_logged_and_buttons_say_their_name(qtbot, tmp_path, monkeypatch,
                                                                  caplog):
    monkeypatch.setattr(icons, "icon_dir", lambda: tmp_path)
    icons._svg.cache_clear()
    icons._icon.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="moodplayer"):
            controls = TransportControls()
        qtbot.addWidget(controls)
        assert controls.next_button.text() == "Next track"
        assert "icon" in caplog.text and "missing" in caplog.text
    finally:
        icons._svg.cache_clear()
        icons._icon.cache_clear()


def ink_in(image: QImage, rect: QRect) -> int:
    bg = image.pixelColor(rect.topLeft())
    return sum(1 for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1)
               if sum(abs(a - b) for a, b in zip(image.pixelColor(x, y).getRgb()[:3],
                                                 bg.getRgb()[:3])) > 60)


def test_main_window_shows_the_icons_offscreen(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    page = MainPage(window)
    page.mood_panel.show_mood("disgust", 0.8)
    page.player_panel.show_now_playing("disgust playlist", "disgust")
    window.show()
    qtbot.waitExposed(window)
    image = window.grab().toImage()
    faces = [f for f in window.findChildren(MoodIcon) if f.mood]
    assert len(faces) == len(EMOTIONS) + 2  # the seven rows, the mood and the now-playing
    for face in faces:
        rect = QRect(face.mapTo(window, face.rect().topLeft()), face.size())
        assert ink_in(image, rect) > 40, face.mood
    for button in page.transport.findChildren(QAbstractButton):
        rect = QRect(0, 0, button.iconSize().width(), button.iconSize().height())
        rect.moveCenter(button.rect().center())
        rect.moveTopLeft(button.mapTo(window, rect.topLeft()))
        assert ink_in(image, rect) > 20, button.objectName()
        assert button.accessibleName()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is installed by make setup")
def test_an_xvfb_screenshot_shows_every_icon():
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "icons-xvfb.png"
    shot.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["QT_QPA_PLATFORM"] = "xcb"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable,
         str(REPO / "tests" / "ui" / "xvfb_icons_probe.py"), str(shot)],
        capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    ink = json.loads(result.stdout.strip().splitlines()[-1])
    assert shot.is_file()
    moods = {name.split()[1] for name in ink if name.startswith("mood ")}
    assert moods == set(EMOTIONS)
    assert len(ink) == 6 + len(EMOTIONS) + 2, ink
    blank = {name: n for name, n in ink.items() if n < 20}
    assert not blank, f"icons that drew nothing on the X screen: {blank}"
