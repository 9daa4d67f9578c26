"""Playlist picker, track list and transport controls. Intents only."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
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
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.music.play_order import REPEAT_ONE, REPEAT_PLAYLIST
from moodplayer.ui.cover_art import CoverArt
from moodplayer.ui.icons import icon_for, ui_icon
from moodplayer.ui.mood_panel import MoodIcon
from moodplayer.ui.steady import SteadyBox

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
        self._draw_icons()
        self._quiet = False

    def show_opened(self, key: str, label: str) -> None:
        """Music the user opened: an entry of its own (replacing the last one opened)."""
        self._quiet = True
        index = self.findData(key)
        if index < 0:
            self.addItem(label, key)
        else:
            self.setItemText(index, label)
        self.setItemData(self.findData(key), f"opened: {label}", Qt.ItemDataRole.ToolTipRole)
        self._quiet = False

    def show_choice(self, name: str | None) -> None:
        """Show ``name`` (None: Auto) as chosen, without asking for it again."""
        index = self.findData(name) if name is not None else 0
        if index >= 0:
            self._quiet = True
            self.setCurrentIndex(index)
            self._quiet = False

    def _draw_icons(self) -> None:
        for i in range(self.count()):
            name = self.itemData(i)
            if name in EMOTIONS:  # the seven moods get their face
                self.setItemIcon(i, icon_for(name, self))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._draw_icons()
        super().changeEvent(event)

    def _emit(self, index: int) -> None:
        if not self._quiet and index >= 0:
            self.override_requested.emit(self.itemData(index))


class TrackList(QListWidget):
    track_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trackList")
        self.setAccessibleName("Tracks")
        self._bold = -1  # the row shown bold: what plays
        self.itemActivated.connect(lambda item: self.track_activated.emit(self.row(item)))

    def show_tracks(self, titles: list[str], missing: frozenset[int] | set[int] = frozenset()) -> None:
        self.clear()
        self._bold = -1
        for i, title in enumerate(titles):
            item = QListWidgetItem(title + ("  (missing)" if i in missing else ""))
            if i in missing:
                item.setForeground(QBrush(QColor("#999")))
            self.addItem(item)

    def mark_current(self, index: int) -> None:
        # only the row that was bold and the new one change (every row: 0.2 s in 5,000 tracks)
        for i, bold in ((self._bold, False), (index, True)):
            if 0 <= i < self.count():
                font = self.item(i).font()
                font.setBold(bold)
                self.item(i).setFont(font)
        self._bold = index if 0 <= index < self.count() else -1
        if 0 <= index < self.count():
            self.setCurrentRow(index)

    def mark_broken(self, index: int) -> None:
        if 0 <= index < self.count():
            item = self.item(index)
            if not item.text().endswith("(cannot play)"):
                item.setText(item.text() + "  (cannot play)")
            item.setForeground(QBrush(QColor("#b00020")))


def format_ms(ms: int) -> str:
    """m:ss (h:mm:ss past an hour)."""
    s = max(0, int(ms)) // 1000
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class SeekSlider(QSlider):
    """A position slider that jumps to where it is clicked and can be dragged. It asks
    for a seek once, when the mouse is released, never while the user is dragging."""

    seek_requested = Signal(int)  # ms into the current track

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("seekSlider")
        self.setAccessibleName("Position")
        self.setToolTip("Position: click or drag to seek")
        self.setRange(0, 0)
        self.setSingleStep(5000)
        self.setPageStep(30000)
        # Keyboard seeking is the window's Left/Right shortcut: one place, one step.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sliderReleased.connect(lambda: self.seek_requested.emit(self.value()))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            # Jump the handle under the pointer first: the base class then takes the
            # press as the start of a drag, and the release emits one seek.
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            handle = self.style().subControlRect(
                QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self)
            if not handle.contains(event.position().toPoint()):
                span = max(1, self.width() - handle.width())
                x = int(event.position().x()) - handle.width() // 2
                self.setValue(QStyle.sliderValueFromPosition(
                    self.minimum(), self.maximum(), x, span, self.invertedAppearance()))
        super().mousePressEvent(event)

    def show_position(self, elapsed_ms: int, length_ms: int) -> None:
        if self.isSliderDown():
            return  # the user is dragging: the handle is theirs
        self.blockSignals(True)
        self.setRange(0, max(0, int(length_ms)))
        self.setValue(max(0, min(int(elapsed_ms), int(length_ms))))
        self.blockSignals(False)


class TransportControls(QWidget):
    previous_requested = Signal()
    play_pause_requested = Signal()
    next_requested = Signal()
    volume_requested = Signal(int)
    seek_requested = Signal(int)  # ms into the current track
    repeat_requested = Signal(str)  # REPEAT_PLAYLIST | REPEAT_ONE
    shuffle_requested = Signal(bool)
    mute_requested = Signal(bool)

    SEEK_STEP_MS = 5000
    VOLUME_STEP = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transportControls")
        self._playing = False
        self.prev_button = self._button("previous", "Previous track")
        self.play_button = self._button("play", "Play")
        self.play_button.setObjectName("playPauseButton")  # its icon follows the state
        self.next_button = self._button("next", "Next track")
        self.repeat_button = self._button("repeat", "Repeat one track", checkable=True)
        self.shuffle_button = self._button("shuffle", "Shuffle", checkable=True)
        self.mute_button = self._button("volume", "Mute", checkable=True)
        self.mute_button.setObjectName("muteButton")
        self.seek = SeekSlider()
        self.position = QLabel("0:00 / 0:00")
        self.position.setObjectName("positionLabel")
        self.position.setAccessibleName("Position and length")
        self.position.setFont(QFont("monospace"))
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("volumeSlider")
        self.volume.setRange(0, 100)
        self.volume.setToolTip("Volume")
        self.volume.setAccessibleName("Volume")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        seek_row = QHBoxLayout()
        seek_row.addWidget(self.seek, 1)
        seek_row.addWidget(SteadyBox(self.position))  # a new second: no new layout
        layout.addLayout(seek_row)
        buttons = QHBoxLayout()
        for w in (self.prev_button, self.play_button, self.next_button,
                  self.repeat_button, self.shuffle_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.mute_button)
        buttons.addWidget(self.volume, 1)
        layout.addLayout(buttons)

        self.prev_button.clicked.connect(self.previous_requested)
        self.play_button.clicked.connect(self.play_pause_requested)
        self.next_button.clicked.connect(self.next_requested)
        self.volume.valueChanged.connect(self.volume_requested)
        self.seek.seek_requested.connect(self.seek_requested)
        self.seek.valueChanged.connect(self._show_drag_target)
        self.repeat_button.toggled.connect(self._on_repeat_toggled)
        self.shuffle_button.toggled.connect(self._on_shuffle_toggled)
        self.mute_button.toggled.connect(self._on_mute_toggled)

    def _button(self, icon: str, name: str, checkable: bool = False) -> QPushButton:
        button = QPushButton()
        button.setObjectName(f"{icon}Button")
        button.setIcon(ui_icon(icon, self))
        if button.icon().isNull():  # the icon files are missing (logged): say it in words
            button.setText(name)
        button.setToolTip(name)
        button.setAccessibleName(name)
        button.setCheckable(checkable)
        return button

    # --- intents from keys and menus (the window's shortcuts call these) ----------------------
    def seek_by(self, delta_ms: int) -> None:
        if self.seek.maximum() > 0:
            target = max(0, min(self.seek.value() + delta_ms, self.seek.maximum()))
            self.seek.show_position(target, self.seek.maximum())
            self.seek_requested.emit(target)

    def change_volume(self, delta: int) -> None:
        self.volume.setValue(self.volume.value() + delta)  # emits volume_requested

    def toggle_mute(self) -> None:
        self.mute_button.toggle()

    def toggle_repeat(self) -> None:
        self.repeat_button.toggle()

    def toggle_shuffle(self) -> None:
        self.shuffle_button.toggle()

    # --- what the player reports -------------------------------------------------------------
    def show_playing(self, playing: bool) -> None:
        self._playing = playing
        self.play_button.setIcon(ui_icon("pause" if playing else "play", self))
        name = "Pause" if playing else "Play"
        self.play_button.setToolTip(name)
        self.play_button.setAccessibleName(name)

    def show_position(self, elapsed_ms: int, length_ms: int) -> None:
        self.seek.show_position(elapsed_ms, length_ms)
        if not self.seek.isSliderDown():
            self._set_position_text(elapsed_ms, length_ms)

    def show_repeat(self, mode: str) -> None:
        _set_checked_quietly(self.repeat_button, mode == REPEAT_ONE)
        self._show_repeat_icon()

    def show_shuffle(self, on: bool) -> None:
        _set_checked_quietly(self.shuffle_button, on)

    def show_muted(self, muted: bool) -> None:
        _set_checked_quietly(self.mute_button, muted)
        self._show_mute_icon()

    def set_volume_quietly(self, volume: int) -> None:
        self.volume.blockSignals(True)
        self.volume.setValue(volume)
        self.volume.blockSignals(False)

    # --- internals -----------------------------------------------------------------------------
    def _set_position_text(self, elapsed_ms: int, length_ms: int) -> None:
        text = f"{format_ms(elapsed_ms)} / {format_ms(length_ms)}"
        if self.position.text() != text:
            self.position.setText(text)

    def _show_drag_target(self, value: int) -> None:
        if self.seek.isSliderDown():
            self._set_position_text(value, self.seek.maximum())

    def _on_repeat_toggled(self, one: bool) -> None:
        self._show_repeat_icon()
        self.repeat_requested.emit(REPEAT_ONE if one else REPEAT_PLAYLIST)

    def _on_shuffle_toggled(self, on: bool) -> None:
        self.shuffle_requested.emit(on)

    def _on_mute_toggled(self, muted: bool) -> None:
        self._show_mute_icon()
        self.mute_requested.emit(muted)

    def _show_repeat_icon(self) -> None:
        one = self.repeat_button.isChecked()
        self.repeat_button.setIcon(ui_icon("repeat-one" if one else "repeat", self))
        name = "Repeat one track (on)" if one else "Repeat one track"
        self.repeat_button.setAccessibleName(name)

    def _show_mute_icon(self) -> None:
        muted = self.mute_button.isChecked()
        self.mute_button.setIcon(ui_icon("mute" if muted else "volume", self))
        self.mute_button.setAccessibleName("Unmute" if muted else "Mute")
        self.mute_button.setToolTip("Unmute" if muted else "Mute")

    def changeEvent(self, event) -> None:
        # The icons take the palette's text colour: follow a light/dark theme switch.
        if event.type() == QEvent.Type.PaletteChange:
            self.show_playing(self._playing)
            for button, icon in ((self.prev_button, "previous"), (self.next_button, "next"),
                                 (self.shuffle_button, "shuffle")):
                button.setIcon(ui_icon(icon, self))
            self._show_repeat_icon()
            self._show_mute_icon()
        super().changeEvent(event)


def _set_checked_quietly(button: QPushButton, checked: bool) -> None:
    button.blockSignals(True)
    button.setChecked(checked)
    button.blockSignals(False)


class PlayerPanel(QWidget):
    """Picker + track list + transport, stacked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playerPanel")
        self.picker = PlaylistPicker()
        self.picker.setAccessibleName("Playlist")
        self.now_playing_icon = MoodIcon(None, 20)
        self.now_playing = QLabel("Nothing playing")
        self.now_playing.setObjectName("nowPlaying")
        self.now_playing.setWordWrap(True)
        self.cover = CoverArt()  # hidden while the track has no picture
        self.tracks = TrackList()
        self.controls = TransportControls()
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Playlist:"))
        row.addWidget(self.picker, 1)
        layout.addLayout(row)
        now = QHBoxLayout()
        now.addWidget(self.cover)
        now.addWidget(self.now_playing_icon)
        now.addWidget(self.now_playing, 1)
        layout.addLayout(now)
        layout.addWidget(self.tracks, 1)
        layout.addWidget(self.controls)

    def show_now_playing(self, text: str, mood: str | None = None) -> None:
        """What plays, with the face of its mood (when it is one of the seven)."""
        self.now_playing_icon.set_mood(mood if mood in EMOTIONS else None)
        self.now_playing.setText(text)
