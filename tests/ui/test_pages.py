"""The page object's names match the widgets': every control MainPage names is found in a
real main window, so a renamed control fails here, by its name."""

from __future__ import annotations

from pages import MainPage
from PySide6.QtCore import QObject

from moodplayer.ui.main_window import MainWindow
from moodplayer.ui.profile_bar import PROFILE_COMMANDS


def test_every_named_control_is_in_the_window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    page = MainPage(window)
    controls = [name for name, member in vars(MainPage).items()
                if isinstance(member, property) and isinstance(getattr(page, name), QObject)]
    assert len(controls) >= 25
    for command in PROFILE_COMMANDS:
        assert page.profile_action(command).text()
    # each name is one control: none is found twice under the window
    names = [getattr(page, name).objectName() for name in controls]
    for name in names:
        assert len(window.findChildren(QObject, name)) == 1, name
