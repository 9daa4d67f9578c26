"""The toolbar: the active client profile, its management menu, and the settings button.
Only intents leave it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QToolBar, QToolButton, QWidget

PROFILE_COMMANDS = ("new", "rename", "duplicate", "delete", "export", "import", "calibrate",
                    "forget_calibration", "enrol", "forget_face")
_LABELS = {"new": "New…", "rename": "Rename…", "duplicate": "Duplicate…", "delete": "Delete",
           "export": "Export to a file…", "import": "Import from a file…",
           "calibrate": "Calibrate…", "forget_calibration": "Forget calibration",
           "enrol": "Enrol this listener… (no face enrolled)", "forget_face": "Forget face"}


class ProfileBar(QToolBar):
    profile_selected = Signal(str)
    profile_command = Signal(str)  # one of PROFILE_COMMANDS
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Profile", parent)
        self.setObjectName("profileBar")
        self.setMovable(False)
        self.profiles = QComboBox()
        self.profiles.setObjectName("profileCombo")
        self.profiles.setMinimumContentsLength(14)
        self.profiles.currentTextChanged.connect(self._on_selected)
        menu = QMenu(self)
        self.actions_by_command = {}
        for command in PROFILE_COMMANDS:
            if command == "calibrate":
                menu.addSeparator()  # the person's face, apart from the music settings
            action = menu.addAction(_LABELS[command])
            action.setObjectName(f"profile_{command}")
            action.triggered.connect(lambda _=False, c=command: self.profile_command.emit(c))
            self.actions_by_command[command] = action
        manage = QToolButton()
        manage.setText("Profiles")
        manage.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        manage.setMenu(menu)
        self.addWidget(QLabel(" Client profile: "))
        self.addWidget(self.profiles)
        self.addWidget(manage)
        self.calibration_label = QLabel()
        self.calibration_label.setObjectName("calibrationState")
        self.addWidget(self.calibration_label)
        self.show_calibrated(False)
        self.face_label = QLabel()
        self.face_label.setObjectName("faceState")
        self.addWidget(self.face_label)
        self.show_enrolled(False)
        self.addSeparator()
        self.settings_action = self.addAction("Settings…")
        self.settings_action.setObjectName("openSettings")
        self.settings_action.triggered.connect(self.settings_requested.emit)
        self._quiet = False

    def show_profiles(self, names: list[str], active: str) -> None:
        self._quiet = True
        self.profiles.clear()
        self.profiles.addItems(names)
        self.profiles.setCurrentText(active)
        self.actions_by_command["delete"].setEnabled(len(names) > 1)
        self._quiet = False

    def show_calibrated(self, calibrated: bool, labels: list[str] | None = None) -> None:
        """Whether the active profile knows its person's face (and which expressions)."""
        self.calibration_label.setText("  calibrated ✓ " if calibrated else "  not calibrated ")
        self.calibration_label.setToolTip(
            f"Calibrated on: {', '.join(labels or [])}" if calibrated
            else "Profiles > Calibrate… teaches MoodPlayer this person's face")
        self.actions_by_command["forget_calibration"].setEnabled(calibrated)

    def show_enrolled(self, enrolled: bool) -> None:
        """Whether the active profile's person is enrolled (a face descriptor is kept)."""
        self.face_label.setText("  face enrolled " if enrolled else "")
        self.face_label.setToolTip(
            "A face descriptor (numbers, no image) lets MoodPlayer recognise this listener; "
            "Profiles > Forget face deletes it" if enrolled else "")
        self.actions_by_command["forget_face"].setEnabled(enrolled)
        self.actions_by_command["enrol"].setText(
            "Enrol this listener again… (face enrolled ✓)" if enrolled
            else "Enrol this listener… (no face enrolled)")

    def _on_selected(self, name: str) -> None:
        if not self._quiet and name:
            self.profile_selected.emit(name)
