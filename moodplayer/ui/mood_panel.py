"""The seven emotion bars and the windowed mood."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from moodplayer.core.emotions import EMOTIONS

EMOJI = {
    "angry": "😠", "disgust": "🤢", "fear": "😨", "happy": "😊",
    "sad": "😢", "surprise": "😮", "neutral": "😐",
}


class MoodPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mood_label = QLabel("Mood: waiting for a face…")
        self.mood_label.setObjectName("moodLabel")
        self.mood_label.setStyleSheet("font-size:20px;font-weight:bold;")
        self.faces_label = QLabel("")
        self.faces_label.setObjectName("facesLabel")
        self.faces_label.setStyleSheet("color:#555;")
        self.bars: dict[str, QProgressBar] = {}
        form = QFormLayout()
        for name in EMOTIONS:
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setFormat("%p%")
            self.bars[name] = bar
            form.addRow(f"{EMOJI[name]} {name}", bar)
        layout = QVBoxLayout(self)
        layout.addWidget(self.mood_label)
        layout.addWidget(self.faces_label)
        layout.addLayout(form)

    def show_faces(self, count: int) -> None:
        self.faces_label.setText(
            f"{count} faces in view: the largest one decides" if count > 1 else "")

    def show_scores(self, scores: dict[str, float]) -> None:
        for name, bar in self.bars.items():
            bar.setValue(round(100 * scores.get(name, 0.0)))

    def show_mood(self, mood: str | None, confidence: float, note: str = "") -> None:
        if mood is None:
            text = "Mood: waiting for a face…"
        else:
            text = f"Mood: {EMOJI[mood]} {mood} ({confidence:.0%})"
        self.mood_label.setText(f"{text}  {note}".rstrip())
