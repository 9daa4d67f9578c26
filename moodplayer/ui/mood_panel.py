"""The seven emotion bars and the windowed mood."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from moodplayer.core.emotions import EMOTIONS
from moodplayer.ui.icons import pixmap_for
from moodplayer.ui.steady import SteadyBox

FILL = QColor("#4caf50")


class MoodIcon(QLabel):
    """A mood's face icon (drawn from SVG, not an emoji glyph: those depend on the fonts
    installed). Redrawn in the new text colour when the palette changes."""

    def __init__(self, mood: str | None = None, size: int = 20, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self._mood: str | None = None
        self.setFixedSize(size, size)
        self.set_mood(mood)

    @property
    def mood(self) -> str | None:
        return self._mood

    def set_mood(self, mood: str | None) -> None:
        if mood == self._mood and (mood is None or not self.pixmap().isNull()):
            return
        self._mood = mood
        self._draw()

    def _draw(self) -> None:
        if self._mood in EMOTIONS:
            self.setPixmap(pixmap_for(self._mood, self._size, self))
            self.setAccessibleName(self._mood)
        else:
            self.clear()
            self.setAccessibleName("")

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._draw()
        super().changeEvent(event)


def mood_row_label(mood: str) -> QWidget:
    """Face icon and name, for a form row."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(MoodIcon(mood, 18))
    layout.addWidget(QLabel(mood))
    row.setAccessibleName(mood)
    return row


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
        # Palette colours: the bar follows a light or a dark theme.
        palette = self.palette()
        painter = QPainter(self)
        rect = self.rect().adjusted(0, 2, -1, -3)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRect(rect)
        filled = QRect(rect.x() + 1, rect.y() + 1, (rect.width() - 1) * self._value // 100, rect.height() - 1)
        painter.fillRect(filled, FILL)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{self._value}%")
        painter.end()


class MoodPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moodPanel")
        self.mood_icon = MoodIcon(None, 26)
        self.mood_icon.setObjectName("moodIcon")
        self.mood_label = QLabel("Mood: waiting for a face…")
        self.mood_label.setObjectName("moodLabel")
        self.mood_label.setStyleSheet("font-size:20px;font-weight:bold;")
        self.why_label = QLabel("")
        self.why_label.setObjectName("whyLabel")
        self.why_label.setWordWrap(True)  # one sentence: why this mood, why this music
        self.why_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.faces_label = QLabel("")
        self.faces_label.setObjectName("facesLabel")
        self.faces_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.bars: dict[str, ScoreBar] = {}
        form = QFormLayout()
        for name in EMOTIONS:
            bar = ScoreBar()
            bar.setAccessibleName(f"{name} score")
            self.bars[name] = bar
            form.addRow(mood_row_label(name), bar)
        heading = QHBoxLayout()
        heading.addWidget(self.mood_icon)
        heading.addWidget(SteadyBox(self.mood_label), 1)  # a new percentage: no new layout
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.why_label)
        layout.addWidget(self.faces_label)
        layout.addLayout(form)

    def show_why(self, text: str) -> None:
        _set_text(self.why_label, text)
        self.why_label.setToolTip(text)

    def show_faces(self, count: int) -> None:
        _set_text(self.faces_label, f"{count} faces in view: the largest one decides" if count > 1 else "")

    def show_scores(self, scores: dict[str, float]) -> None:
        for name, bar in self.bars.items():
            bar.setValue(round(100 * scores.get(name, 0.0)))

    def show_mood(self, mood: str | None, confidence: float, note: str = "") -> None:
        self.mood_icon.set_mood(mood)
        if mood is None:
            text = "Mood: waiting for a face…"
        else:
            text = f"Mood: {mood} ({confidence:.0%})"
        _set_text(self.mood_label, f"{text}  {note}".rstrip())


def _set_text(label: QLabel, text: str) -> None:
    """setText relays out the window even when the text is the same: skip that (and a label
    whose text changes often sits in a SteadyBox: ui/steady.py)."""
    if label.text() != text:
        label.setText(text)
