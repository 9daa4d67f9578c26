"""The calibration wizard's window: the prompt, a countdown, whether a face is seen and how
steady it is, each step's outcome, and at the end how well the reader agrees with the
prompts before and after, and the offer to enrol this listener (a few seconds of live
camera, only once clicked: app/enrolment.py). It only shows what app/calibration.py tells
it and emits the user's intents (start, retry, next, skip, finish, enrol, save, cancel)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

ACTIONS = ("start", "retry", "next", "skip", "finish", "enrol", "save")
_TITLES = {"start": "Start", "retry": "Retry", "next": "Next", "skip": "Skip",
           "finish": "Finish now", "enrol": "Enrol this listener", "save": "Save"}


class CalibrationWizard(QDialog):
    start_requested = Signal()
    retry_requested = Signal()
    next_requested = Signal()
    skip_requested = Signal()
    finish_requested = Signal()  # skip every step left and see the result
    save_requested = Signal()
    enrol_requested = Signal()  # enrol this listener now, from the live camera (a face descriptor)
    cancel_requested = Signal()  # Cancel, Escape or the window's close button

    def __init__(self, profile: str, parent: QWidget | None = None, title: str = "Calibrate",
                 cancel_text: str = "Cancel") -> None:
        super().__init__(parent)
        self.setObjectName("calibrationWizard")
        self.setWindowTitle(f"{title} — {profile}")
        self.setModal(True)  # the profile cannot change under a calibration in progress
        layout = QVBoxLayout(self)
        self.step_label = QLabel()
        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("calibrationPrompt")
        font = QFont(self.prompt_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.prompt_label.setFont(font)
        self.prompt_label.setWordWrap(True)
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("calibrationCountdown")
        self.face_label = QLabel()
        self.face_label.setObjectName("calibrationFace")
        self.steadiness = QProgressBar()
        self.steadiness.setRange(0, 100)
        self.steadiness.setFormat("steady %p %")
        self.status_label = QLabel()
        self.status_label.setObjectName("calibrationStatus")
        self.status_label.setWordWrap(True)
        self.overview = QListWidget()  # every step and what came of it
        self.overview.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        meters = QHBoxLayout()
        meters.addWidget(self.countdown_label)
        meters.addWidget(self.face_label)
        meters.addWidget(self.steadiness, 1)
        for widget in (self.step_label, self.prompt_label):
            layout.addWidget(widget)
        layout.addLayout(meters)
        layout.addWidget(self.status_label)
        layout.addWidget(self.overview, 1)

        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        signals = {"start": self.start_requested, "retry": self.retry_requested,
                   "next": self.next_requested, "skip": self.skip_requested,
                   "finish": self.finish_requested, "enrol": self.enrol_requested,
                   "save": self.save_requested}
        for action in ACTIONS:
            button = QPushButton(_TITLES[action])
            button.setObjectName(f"calibration_{action}")
            button.setAutoDefault(False)
            button.clicked.connect(signals[action].emit)
            buttons.addWidget(button)
            self.buttons[action] = button
        buttons.addStretch(1)
        self.cancel_button = QPushButton(cancel_text)
        self.cancel_button.setObjectName("calibration_cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.resize(520, 460)
        self.show_actions()

    # --- what the controller shows ------------------------------------------------------------
    def show_actions(self, *enabled: str) -> None:
        """Only these actions can be taken now; the others are disabled."""
        for action, button in self.buttons.items():
            button.setEnabled(action in enabled)

    def show_step(self, number: int, total: int, prompt: str, optional: bool) -> None:
        self.show_heading(f"Step {number} of {total}" + (" (optional)" if optional else ""), prompt)

    def show_heading(self, small: str, big: str) -> None:
        self.step_label.setText(small)
        self.prompt_label.setText(big)

    def show_countdown(self, seconds: float | None) -> None:
        self.countdown_label.setText("" if seconds is None else f"{max(seconds, 0.0):.0f} s")

    def show_face(self, found: bool | None) -> None:
        text = {None: "", True: "● face found", False: "○ no face"}[found]
        self.face_label.setText(text)

    def show_steadiness(self, fraction: float | None) -> None:
        self.steadiness.setValue(0 if fraction is None else round(100 * fraction))
        self.steadiness.setEnabled(fraction is not None)
        self.steadiness.setTextVisible(fraction is not None)

    def show_meters(self, visible: bool) -> None:
        """The countdown, face and steadiness meters (hidden once the steps are over)."""
        for widget in (self.countdown_label, self.face_label, self.steadiness):
            widget.setVisible(visible)

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_overview(self, lines: list[str]) -> None:
        self.overview.clear()
        self.overview.addItems(lines)

    def reject(self) -> None:
        super().reject()
        self.cancel_requested.emit()
