"""The main window: preview on the left, mood and music on the right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from moodplayer.ui.mood_panel import MoodPanel
from moodplayer.ui.player_controls import PlayerPanel
from moodplayer.ui.preview import PAUSE_SHORTCUT, PreviewView
from moodplayer.ui.profile_bar import ProfileBar
from moodplayer.ui.steady import SteadyBox
from moodplayer.ui.timeline import TimelinePanel

K = Qt.Key
# (what it does, its keys: the first is the one the Help lists first)
PLAYBACK_SHORTCUTS = (
    ("Play / pause", ("Space", K.Key_MediaTogglePlayPause, K.Key_MediaPlay)),
    ("Next track", ("Ctrl+Right", K.Key_MediaNext)),
    ("Previous track", ("Ctrl+Left", K.Key_MediaPrevious)),
    ("Seek forward 5 s", ("Right",)),
    ("Seek back 5 s", ("Left",)),
    ("Volume up", ("Ctrl+Up", K.Key_VolumeUp)),
    ("Volume down", ("Ctrl+Down", K.Key_VolumeDown)),
    ("Mute / unmute", ("M", K.Key_VolumeMute)),
    ("Repeat one track", ("R",)),
    ("Shuffle", ("S",)),
)


class MainWindow(QMainWindow):
    music_dropped = Signal(list)  # [Path]: folders, playlists or audio files dropped on the window
    sessions_requested = Signal()  # the Sessions window (the profile's session records)
    hidden_to_tray = Signal()  # closed while the tray keeps the app running: only hidden

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("MoodPlayer")
        self.setAcceptDrops(True)
        self.resize(1100, 760)
        self.profile_bar = ProfileBar()
        self.addToolBar(self.profile_bar)
        self.preview = PreviewView()
        self.mood = MoodPanel()
        self.player = PlayerPanel()
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color:#8a1c00;")
        self.notice.hide()
        self.messages: list[str] = []
        self.keep_running_when_closed = False  # the tray keeps the app (app/wiring.py)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.mood)
        right_layout.addWidget(self.player, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.preview)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.notice)
        # The timeline under the rest, in a splitter: dragged (or folded) away it leaves the
        # window as small as it was without it.
        self.timeline = TimelinePanel()  # the last minutes of moods (collapsible)
        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(splitter)
        vertical.addWidget(self.timeline)
        vertical.setStretchFactor(0, 1)
        vertical.setCollapsible(0, False)
        layout.addWidget(vertical, 1)
        self.setCentralWidget(central)

        self.loading = QProgressBar()
        self.loading.setRange(0, 0)  # busy indicator
        self.loading.setMaximumWidth(120)
        self.loading_label = QLabel("Loading the emotion model…")
        self.loading_label.setObjectName("loadingLabel")
        self.engine_label = QLabel("engine: –")
        self.engine_label.setObjectName("engineLabel")
        # one line when the engine is not the one asked for (face-api's net missing or damaged)
        self.engine_notice = QLabel()
        self.engine_notice.setObjectName("engineNotice")
        self.engine_notice.setStyleSheet("color:#8a1c00;")
        # clipped rather than widening the window (the whole line is in its tooltip)
        self.engine_notice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.engine_notice.hide()
        self.fps_label = QLabel("analysis: – fps")
        self.fps_label.setObjectName("fpsLabel")
        self.source_label = QLabel("source: –")
        self.source_label.setObjectName("sourceLabel")
        self.recording_label = QLabel("● recording")
        self.recording_label.setObjectName("recordingLabel")
        self.recording_label.setStyleSheet("color:#c62828;font-weight:bold;")
        self.recording_label.setToolTip("This session is recorded (moods, why, tracks; no images)")
        self.recording_label.hide()
        bar = self.statusBar()
        bar.addWidget(self.timeline.toggle)  # folds the timeline away
        for w in (self.loading_label, self.loading, self.engine_notice):
            bar.addWidget(w)
        # the rate changes every second: in a SteadyBox, no new layout of the window for it
        permanent: tuple[QWidget, ...] = (self.recording_label, self.engine_label,
                                          SteadyBox(self.fps_label), self.source_label)
        for widget in permanent:
            bar.addPermanentWidget(widget)
        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()

    def _build_menus(self) -> None:
        """Playback actions with their keyboard shortcuts, and Help. Each action only asks
        the transport controls to emit the matching intent."""
        c = self.player.controls
        slots = {
            "Play / pause": c.play_pause_requested.emit,
            "Next track": c.next_requested.emit,
            "Previous track": c.previous_requested.emit,
            "Seek forward 5 s": lambda: c.seek_by(c.SEEK_STEP_MS),
            "Seek back 5 s": lambda: c.seek_by(-c.SEEK_STEP_MS),
            "Volume up": lambda: c.change_volume(c.VOLUME_STEP),
            "Volume down": lambda: c.change_volume(-c.VOLUME_STEP),
            "Mute / unmute": c.toggle_mute,
            "Repeat one track": c.toggle_repeat,
            "Shuffle": c.toggle_shuffle,
        }
        playback = self.menuBar().addMenu("&Playback")
        for name, keys in PLAYBACK_SHORTCUTS:
            action = QAction(name, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            # Window-wide, but not while a text field or the settings dialog has the keys.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slots[name])
            playback.addAction(action)
            self.actions_by_name[name] = action
        sessions = QAction("&Sessions…", self)
        sessions.setToolTip("The profile's recorded sessions: timeline, report, delete")
        sessions.triggered.connect(self.sessions_requested.emit)
        self.menuBar().addMenu("&Record").addAction(sessions)
        self.profile_bar.addAction(sessions)
        self.actions_by_name["Sessions…"] = sessions
        help_menu = self.menuBar().addMenu("&Help")
        shortcuts = QAction("&Keyboard shortcuts", self)
        shortcuts.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        shortcuts.triggered.connect(self.show_shortcuts)
        help_menu.addAction(shortcuts)
        self.actions_by_name["Keyboard shortcuts"] = shortcuts

    def shortcuts_text(self) -> str:
        rows = [(name, ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                                 for k in keys)) for name, keys in PLAYBACK_SHORTCUTS]
        rows.append(("Pause / resume the camera", PAUSE_SHORTCUT))
        rows.append(("This list", QKeySequence(QKeySequence.StandardKey.HelpContents).toString(
            QKeySequence.SequenceFormat.NativeText) or "F1"))
        body = "".join(f"<tr><td>{name}</td><td>&nbsp;&nbsp;<b>{keys}</b></td></tr>"
                       for name, keys in rows)
        return f"<table>{body}</table>"

    def show_shortcuts(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", self.shortcuts_text(),
                          QMessageBox.StandardButton.Close, self)
        box.setObjectName("shortcutsBox")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()  # non-modal: the music keeps going
        self.shortcuts_box = box
        return box

    def closeEvent(self, event) -> None:
        """With the tray keeping the app (``keep_running_when_closed``), closing only hides
        the window: the music goes on, the tray icon brings it back or quits."""
        if self.keep_running_when_closed:
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        super().closeEvent(event)

    def show_message(self, text: str) -> None:
        """A problem the user should know about; kept in ``messages`` and on screen."""
        self.messages.append(text)
        self.notice.setText("\n".join(self.messages[-3:]))
        self.notice.show()

    def show_recording(self, on: bool) -> None:
        self.recording_label.setVisible(on)

    def show_loading(self, loading: bool, text: str = "") -> None:
        self.loading.setVisible(loading)
        self.loading_label.setText(text or ("Loading the emotion model…" if loading else ""))

    def show_engine(self, text: str) -> None:
        self.engine_label.setText(f"engine: {text}")

    def show_engine_notice(self, text: str, details: str = "") -> None:
        """One line in the status bar (``details`` in its tooltip); empty text hides it."""
        self.engine_notice.setText(text)
        self.engine_notice.setToolTip(details or text)
        self.engine_notice.setVisible(bool(text))

    def show_fps(self, fps: float) -> None:
        self.fps_label.setText(f"analysis: {fps:.1f} fps")

    def show_source(self, text: str) -> None:
        self.source_label.setText(f"source: {text}")

    # --- drag and drop: music from a file manager -----------------------------------------
    def dragEnterEvent(self, event) -> None:
        if _dropped_music(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        paths = _dropped_music(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.music_dropped.emit(paths)


def _dropped_music(mime) -> list[Path]:
    from moodplayer.core.music.dropped import is_music

    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return paths if any(is_music(p) for p in paths) else []
