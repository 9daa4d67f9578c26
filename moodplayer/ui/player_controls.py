"""Playlist picker, track list and transport controls. Intents only."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

AUTO = "Auto"


class PlaylistPicker(QComboBox):
    """"Auto" follows the mood; any other entry overrides it until Auto is picked."""

    override_requested = Signal(object)  # playlist name, or None for Auto

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playlistPicker")
        self.currentIndexChanged.connect(self._emit)
        self._quiet = False

    def set_playlists(self, names: list[str], labels: dict[str, str] | None = None) -> None:
        self._quiet = True
        self.clear()
        self.addItem(AUTO, None)
        for name in names:
            self.addItem((labels or {}).get(name, name), name)
        self._quiet = False

    def _emit(self, index: int) -> None:
        if not self._quiet and index >= 0:
            self.override_requested.emit(self.itemData(index))


class TrackList(QListWidget):
    track_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trackList")
        self.itemActivated.connect(lambda item: self.track_activated.emit(self.row(item)))

    def show_tracks(self, titles: list[str], missing: set[int] = frozenset()) -> None:
        self.clear()
        for i, title in enumerate(titles):
            item = QListWidgetItem(title + ("  (missing)" if i in missing else ""))
            if i in missing:
                item.setForeground(QBrush(QColor("#999")))
            self.addItem(item)

    def mark_current(self, index: int) -> None:
        for i in range(self.count()):
            font = self.item(i).font()
            font.setBold(i == index)
            self.item(i).setFont(font)
        if 0 <= index < self.count():
            self.setCurrentRow(index)

    def mark_broken(self, index: int) -> None:
        if 0 <= index < self.count():
            item = self.item(index)
            if not item.text().endswith("(cannot play)"):
                item.setText(item.text() + "  (cannot play)")
            item.setForeground(QBrush(QColor("#b00020")))


class TransportControls(QWidget):
    previous_requested = Signal()
    play_pause_requested = Signal()
    next_requested = Signal()
    volume_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self.prev_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward), "")
        self.play_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "")
        self.next_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward), "")
        for button, tip in ((self.prev_button, "Previous"), (self.play_button, "Play/Pause"),
                            (self.next_button, "Next")):
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setToolTip("Volume")
        self.position = QLabel("0:00 / 0:00")
        self.position.setFont(QFont("monospace"))
        layout = QHBoxLayout(self)
        for w in (self.prev_button, self.play_button, self.next_button):
            layout.addWidget(w)
        layout.addWidget(self.position)
        layout.addWidget(QLabel("🔊"))
        layout.addWidget(self.volume, 1)
        self.prev_button.clicked.connect(self.previous_requested)
        self.play_button.clicked.connect(self.play_pause_requested)
        self.next_button.clicked.connect(self.next_requested)
        self.volume.valueChanged.connect(self.volume_requested)

    def show_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))

    def show_position(self, elapsed_ms: int, length_ms: int) -> None:
        def fmt(ms: int) -> str:
            s = max(0, ms) // 1000
            return f"{s // 60}:{s % 60:02d}"

        self.position.setText(f"{fmt(elapsed_ms)} / {fmt(length_ms)}")

    def set_volume_quietly(self, volume: int) -> None:
        self.volume.blockSignals(True)
        self.volume.setValue(volume)
        self.volume.blockSignals(False)


class PlayerPanel(QWidget):
    """Picker + track list + transport, stacked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = PlaylistPicker()
        self.now_playing = QLabel("Nothing playing")
        self.now_playing.setObjectName("nowPlaying")
        self.tracks = TrackList()
        self.controls = TransportControls()
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Playlist:"))
        row.addWidget(self.picker, 1)
        layout.addLayout(row)
        layout.addWidget(self.now_playing)
        layout.addWidget(self.tracks, 1)
        layout.addWidget(self.controls)
