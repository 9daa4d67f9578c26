"""Run under Xvfb (a real X server, QT_QPA_PLATFORM=xcb) by tests/test_icons.py: shows
the main window with a mood and a playlist, grabs the X screen, saves it as ARGV[1] and
prints, as JSON, how many pixels of each icon differ from the background around it."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from moodplayer.core.emotions import EMOTIONS
from moodplayer.ui.main_window import MainWindow
from moodplayer.ui.mood_panel import MoodIcon, MoodPanel
from moodplayer.ui.player_controls import PlayerPanel, PlaylistPicker

BUTTONS = ("previousButton", "playPauseButton", "nextButton", "repeatButton", "shuffleButton", "muteButton")


def ink(image, rect) -> int:
    """Pixels inside ``rect`` unlike its top-left corner pixel (the background)."""
    background = image.pixelColor(rect.left(), rect.top())
    count = 0
    for x in range(rect.left(), rect.right() + 1):
        for y in range(rect.top(), rect.bottom() + 1):
            c = image.pixelColor(x, y)
            if abs(c.red() - background.red()) + abs(c.green() - background.green()) \
                    + abs(c.blue() - background.blue()) > 60:
                count += 1
    return count


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.findChild(PlaylistPicker, "playlistPicker").set_playlists(list(EMOTIONS))
    window.findChild(MoodPanel, "moodPanel").show_mood("disgust", 0.9)
    window.findChild(PlayerPanel, "playerPanel").show_now_playing("disgust playlist", "disgust")
    window.move(0, 0)
    window.show()
    result = {}

    def grab() -> None:
        shot = window.screen().grabWindow(0)
        shot.save(sys.argv[1])
        image = shot.toImage()
        widgets = {name: window.findChild(QPushButton, name) for name in BUTTONS}
        for k, icon in enumerate(window.findChildren(MoodIcon)):
            if icon.mood:
                widgets[f"mood {icon.mood} #{k}"] = icon
        for name, w in widgets.items():
            if isinstance(w, MoodIcon):
                rect = w.rect()
            else:  # the icon sits in the middle of the button
                size = w.iconSize()
                rect = w.rect()
                rect.setSize(size)
                rect.moveCenter(w.rect().center())
                rect.adjust(-2, -2, 2, 2)
            top_left = w.mapTo(window, rect.topLeft()) + window.geometry().topLeft()
            rect.moveTopLeft(top_left)
            result[name] = ink(image, rect)
        app.quit()

    QTimer.singleShot(1500, grab)
    app.exec()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
