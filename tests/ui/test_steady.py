"""A label whose text changes often sits in a SteadyBox: a new text of the same size lays
out nothing above it, a longer one gets its room."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from moodplayer.ui.steady import SteadyBox


class LayoutRequests(QObject):
    """Counts the LayoutRequest events a widget gets (a new layout of it)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def window_with(label: QWidget) -> QWidget:
    """A window, a panel in it, a row in that, the label in the row (as the mood panel's)."""
    window = QWidget()
    panel = QWidget(window)
    QVBoxLayout(window).addWidget(panel)
    row = QHBoxLayout(panel)
    row.addWidget(QLabel("icon"))
    row.addWidget(label, 1)
    return window


def percentages(label: QLabel, values) -> None:
    for value in values:
        label.setText(f"Mood: happy ({value}%)")
        QApplication.processEvents()


def test_a_new_text_of_the_same_size_lays_out_nothing_above_the_box(qtbot):
    steady, bare = QLabel("Mood: happy (50%)"), QLabel("Mood: happy (50%)")
    boxed_window, bare_window = window_with(SteadyBox(steady)), window_with(bare)
    for w in (boxed_window, bare_window):
        qtbot.addWidget(w)
        w.show()
    qtbot.wait(300)
    boxed, plain = LayoutRequests(boxed_window), LayoutRequests(bare_window)
    values = [v for v in range(50, 100) if v % 11]  # two digits: the same width in any font
    percentages(steady, values)
    percentages(bare, values)
    assert plain.count >= len(values) // 2  # Qt lays the window out again for a plain label ...
    assert boxed.count == 0  # ... and for nothing in the box
    assert steady.text() == "Mood: happy (98%)" and steady.isVisible()


def test_a_longer_text_gets_its_room_and_a_shorter_one_gives_it_back(qtbot):
    label = QLabel("0:00 / 0:00")
    box = SteadyBox(label)
    window = window_with(box)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: box.width() >= label.sizeHint().width(), timeout=2000)
    short = window.sizeHint().width()
    label.setText("1:02:03 / 12:34:56 and a long note beside it")
    qtbot.waitUntil(lambda: window.sizeHint().width() > short, timeout=2000)
    window.adjustSize()
    qtbot.waitUntil(lambda: box.width() >= label.sizeHint().width(), timeout=2000)
    assert label.geometry() == box.rect()  # the label fills its box
    label.setText("0:00 / 0:00")
    qtbot.waitUntil(lambda: window.sizeHint().width() == short, timeout=2000)


def test_the_main_window_is_not_laid_out_again_for_a_percentage_a_second_or_a_rate(qtbot):
    from moodplayer.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.mood.show_mood("happy", 0.50)
    window.player.controls.show_position(10_000, 200_000)
    window.show_fps(5.0)
    qtbot.wait(300)  # laid out after being shown and filled
    requests = LayoutRequests(window)
    for k in range(40):
        window.mood.show_mood("happy", 0.51 + k / 100)
        window.player.controls.show_position(11_000 + 1000 * k, 200_000)
        window.show_fps(5.0 + (k % 9) / 10)
        QApplication.processEvents()
    assert requests.count == 0
    assert window.mood.mood_label.text() == "Mood: happy (90%)"


def test_a_text_grown_while_the_window_was_hidden_has_its_room_once_shown(qtbot):
    """Hidden in the tray, the window's labels go on changing (a new track an hour long, a
    faster analysis); Qt posts no layout request to a parent that cannot be seen, so the box
    must look again when it is shown: else the label stays clipped to its old width (paused,
    the position would stay so)."""
    from moodplayer.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    position = window.player.controls.position
    qtbot.waitUntil(lambda: position.width() >= position.sizeHint().width(), timeout=2000)
    window.hide()  # to the tray
    window.player.controls.show_position(5_000, 3_723_000)  # 0:05 / 1:02:03
    window.show_fps(12.5)
    QApplication.processEvents()
    window.show()  # back from the tray
    qtbot.waitExposed(window)
    for _ in range(5):
        QApplication.processEvents()
    for label in (position, window.fps_label):
        assert label.width() >= label.sizeHint().width(), label.text()


def test_a_text_grown_before_the_first_show_has_its_room(qtbot):
    label = QLabel("0:00 / 0:00")
    box = SteadyBox(label)
    window = window_with(box)
    qtbot.addWidget(window)
    window.adjustSize()  # laid out once, not shown yet
    label.setText("1:02:03 / 12:34:56 and a long note beside it")
    window.adjustSize()
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    assert box.width() >= label.sizeHint().width() and label.geometry() == box.rect()
