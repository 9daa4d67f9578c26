"""The "Enrol this listener" window (Profiles > Enrol this listener…): what will be stored,
where, and how to delete it; a Start button (nothing is looked at before it is clicked), a
countdown, whether a face is seen, and the outcome in one line. It only shows what
app/enrolment.py tells it and emits the user's intents (start, cancel)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EnrolDialog(QDialog):
    start_requested = Signal()
    cancel_requested = Signal()  # Cancel/Close, Escape or the window's close button

    def __init__(self, profile: str, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self.setWindowTitle(f"Enrol this listener — {profile}")
        self.setModal(True)  # the profile cannot change under an enrolment in progress
        layout = QVBoxLayout(self)
        self.explanation = QLabel(explanation)
        self.explanation.setObjectName("enrolExplanation")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        meters = QHBoxLayout()
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("enrolCountdown")
        self.face_label = QLabel()
        self.face_label.setObjectName("enrolFace")
        meters.addWidget(self.countdown_label)
        meters.addWidget(self.face_label)
        meters.addStretch(1)
        layout.addLayout(meters)
        self.status_label = QLabel()
        self.status_label.setObjectName("enrolStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("enrol_start")
        self.start_button.setAutoDefault(False)
        self.start_button.clicked.connect(self.start_requested.emit)
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("enrol_cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.resize(480, 260)

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_countdown(self, seconds: float | None) -> None:
        self.countdown_label.setText("" if seconds is None else f"{max(seconds, 0.0):.0f} s")

    def show_face(self, faces: int | None) -> None:
        text = "" if faces is None else ("○ no face" if faces == 0 else
                                         "● face found" if faces == 1 else f"● {faces} faces")
        self.face_label.setText(text)

    def show_startable(self, startable: bool, done: bool = False) -> None:
        """Start offered (or not); once done, Cancel reads Close."""
        self.start_button.setEnabled(startable)
        self.cancel_button.setText("Close" if done else "Cancel")

    def reject(self) -> None:
        super().reject()
        self.cancel_requested.emit()
