"""The seven emotion bars and the windowed mood."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QFormLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from moodplayer.core.emotions import EMOTIONS

EMOJI = {
    "angry": "😠", "disgust": "🤢", "fear": "😨", "happy": "😊",
    "sad": "😢", "surprise": "😮", "neutral": "😐",
}


class ScoreBar(QWidget):
    """A percentage bar that repaints with the rest of the window. (QProgressBar repaints
    synchronously on every setValue: seven of them 20 times a second cost the GUI thread
    milliseconds it needs for the preview.)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(160, 20)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        value = max(0, min(100, int(value)))
        if value != self._value:
            self._value = value
            self.update()  # queued; coalesced into the next paint

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = self.rect().adjusted(0, 2, -1, -3)
        painter.setPen(QColor("#999"))
        painter.setBrush(QColor("#f2f2f2"))
        painter.drawRect(rect)
        filled = QRect(rect.x() + 1, rect.y() + 1, (rect.width() - 1) * self._value // 100, rect.height() - 1)
        painter.fillRect(filled, QColor("#4caf50"))
        painter.setPen(QColor("#222"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{self._value}%")
        painter.end()


class MoodPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mood_label = QLabel("Mood: waiting for a face…")
        self.mood_label.setObjectName("moodLabel")
        self.mood_label.setStyleSheet("font-size:20px;font-weight:bold;")
        self.faces_label = QLabel("")
        self.faces_label.setObjectName("facesLabel")
        self.faces_label.setStyleSheet("color:#555;")
        self.bars: dict[str, ScoreBar] = {}
        form = QFormLayout()
        for name in EMOTIONS:
            bar = ScoreBar()
            self.bars[name] = bar
            form.addRow(f"{EMOJI[name]} {name}", bar)
        layout = QVBoxLayout(self)
        layout.addWidget(self.mood_label)
        layout.addWidget(self.faces_label)
        layout.addLayout(form)

    def show_faces(self, count: int) -> None:
        _set_text(self.faces_label, f"{count} faces in view: the largest one decides" if count > 1 else "")

    def show_scores(self, scores: dict[str, float]) -> None:
        for name, bar in self.bars.items():
            bar.setValue(round(100 * scores.get(name, 0.0)))

    def show_mood(self, mood: str | None, confidence: float, note: str = "") -> None:
        if mood is None:
            text = "Mood: waiting for a face…"
        else:
            text = f"Mood: {EMOJI[mood]} {mood} ({confidence:.0%})"
        _set_text(self.mood_label, f"{text}  {note}".rstrip())


def _set_text(label: QLabel, text: str) -> None:
    """setText relays out the window even when the text is the same: skip that."""
    if label.text() != text:
        label.setText(text)
