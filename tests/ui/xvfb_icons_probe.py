"""Run under Xvfb (a real X server, QT_QPA_PLATFORM=xcb) by tests/test_icons.py: shows
the main window with a mood and a playlist, grabs the X screen, saves it as ARGV[1] and
prints, as JSON, how many pixels of each icon differ from the background around it."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from moodplayer.core.emotions import EMOTIONS
from moodplayer.ui.main_window import MainWindow
from moodplayer.ui.mood_panel import MoodIcon


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
    window.player.picker.set_playlists(list(EMOTIONS))
    window.mood.show_mood("disgust", 0.9)
    window.player.show_now_playing("disgust playlist", "disgust")
    window.move(0, 0)
    window.show()
    result = {}

    def grab() -> None:
        shot = window.screen().grabWindow(0)
        shot.save(sys.argv[1])
        image = shot.toImage()
        c = window.player.controls
        widgets = {b.objectName(): b for b in (c.prev_button, c.play_button, c.next_button,
                                               c.repeat_button, c.shuffle_button, c.mute_button)}
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
