"""The main window: preview on the left, mood and music on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from moodplayer.ui.mood_panel import MoodPanel
from moodplayer.ui.player_controls import PlayerPanel
from moodplayer.ui.preview import PreviewView
from moodplayer.ui.profile_bar import ProfileBar


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("MoodPlayer")
        self.resize(1100, 640)
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
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self.loading = QProgressBar()
        self.loading.setRange(0, 0)  # busy indicator
        self.loading.setMaximumWidth(120)
        self.loading_label = QLabel("Loading the emotion model…")
        self.engine_label = QLabel("engine: –")
        self.fps_label = QLabel("analysis: – fps")
        self.source_label = QLabel("source: –")
        bar = self.statusBar()
        for w in (self.loading_label, self.loading):
            bar.addWidget(w)
        for w in (self.engine_label, self.fps_label, self.source_label):
            bar.addPermanentWidget(w)

    def show_message(self, text: str) -> None:
        """A problem the user should know about; kept in ``messages`` and on screen."""
        self.messages.append(text)
        self.notice.setText("\n".join(self.messages[-3:]))
        self.notice.show()

    def show_loading(self, loading: bool, text: str = "") -> None:
        self.loading.setVisible(loading)
        self.loading_label.setText(text or ("Loading the emotion model…" if loading else ""))

    def show_engine(self, text: str) -> None:
        self.engine_label.setText(f"engine: {text}")

    def show_fps(self, fps: float) -> None:
        self.fps_label.setText(f"analysis: {fps:.1f} fps")

    def show_source(self, text: str) -> None:
        self.source_label.setText(f"source: {text}")
