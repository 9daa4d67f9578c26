"""The system-tray icon: the mood as its picture and tooltip, and a menu with play/pause,
next, show/hide and quit. It only shows things and emits intents (the app wires them).

Without a system tray on the desktop (``available`` False) nothing is shown; the app then
never keeps running with its window closed, since nothing would bring it back.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from moodplayer.core.emotions import EMOTIONS
from moodplayer.ui.icons import icon_for


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


class TrayIcon(QObject):
    play_pause_requested = Signal()
    next_requested = Signal()
    show_hide_requested = Signal()
    quit_requested = Signal()

    def __init__(self, app_icon: QIcon, window: QWidget | None = None, available: bool | None = None) -> None:
        super().__init__(window)
        self.available = tray_available() if available is None else available
        self.app_icon = app_icon
        self.icon = QSystemTrayIcon(app_icon, self)
        self.menu = QMenu(window)
        self.actions: dict[str, QAction] = {}
        for name, signal in (("Play", self.play_pause_requested), ("Next", self.next_requested),
                             ("Hide window", self.show_hide_requested), ("Quit", self.quit_requested)):
            action = self.menu.addAction(name)
            action.triggered.connect(signal.emit)
            self.actions[name] = action
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.mood: str | None = None
        self.show_mood(None)
        if self.available:
            self.icon.show()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:  # a click on the icon
            self.show_hide_requested.emit()

    def show_mood(self, mood: str | None, why: str = "") -> None:
        self.mood = mood
        self.icon.setIcon(icon_for(mood) if mood in EMOTIONS else self.app_icon)
        self.icon.setToolTip(f"MoodPlayer — {mood}" + (f"\n{why}" if why else "") if mood
                             else "MoodPlayer — no mood yet")

    def show_playing(self, playing: bool) -> None:
        self.actions["Play"].setText("Pause" if playing else "Play")

    def show_window_shown(self, shown: bool) -> None:
        self.actions["Hide window"].setText("Hide window" if shown else "Show window")

    @property
    def tooltip(self) -> str:
        return self.icon.toolTip()

    def close(self) -> None:
        self.icon.hide()
