"""The transport widgets emit intents: seek on release, repeat/shuffle/mute toggles,
keyboard shortcuts, the Help list; and the app turns those intents into playback."""

from __future__ import annotations

import pytest
from pages import MainPage
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QStyle, QStyleOptionSlider

from moodplayer.app import AppOptions, MoodPlayerApp
from moodplayer.core.music.play_order import REPEAT_ONE, REPEAT_PLAYLIST
from moodplayer.playback.backend import PLAYING
from moodplayer.ui.main_window import MainWindow
from moodplayer.ui.player_controls import TransportControls, format_ms


@pytest.fixture
def controls(qtbot):
    c = TransportControls()
    c.resize(600, 80)
    qtbot.addWidget(c)
    c.show()
    qtbot.waitExposed(c)
    c.show_position(10_000, 60_000)
    return c


def handle_center(slider) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    return slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                         QStyle.SubControl.SC_SliderHandle, slider).center()


def test_position_text_and_slider_follow_the_player(controls):
    assert controls.position.text() == "0:10 / 1:00"
    assert controls.seek.maximum() == 60_000 and controls.seek.value() == 10_000
    assert format_ms(3_725_000) == "1:02:05"


def test_click_on_the_groove_seeks_there_once_on_release(controls, qtbot):
    seeks = []
    controls.seek_requested.connect(seeks.append)
    slider = controls.seek
    at = QPoint(slider.width() * 3 // 4, slider.height() // 2)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=at)
    assert seeks == []  # not while the button is down
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=at)
    assert len(seeks) == 1
    assert 38_000 < seeks[0] < 52_000  # about three quarters of a minute


def test_drag_seeks_only_on_release_and_holds_the_handle(controls, qtbot):
    seeks = []
    controls.seek_requested.connect(seeks.append)
    slider = controls.seek
    start = handle_center(slider)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for x in range(start.x(), slider.width() - 10, 20):
        qtbot.mouseMove(slider, QPoint(x, start.y()))
    assert slider.isSliderDown() and seeks == []
    dragged_to = slider.value()
    assert dragged_to > 40_000
    controls.show_position(11_000, 60_000)  # the player ticks on: the handle stays put
    assert slider.value() == dragged_to
    assert controls.position.text() == f"{format_ms(dragged_to)} / 1:00"  # where it will go
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.width() - 10, start.y()))
    assert seeks == [slider.value()]


def test_repeat_shuffle_and_mute_toggles_emit_intents(controls, qtbot):
    repeat, shuffle, mute = [], [], []
    controls.repeat_requested.connect(repeat.append)
    controls.shuffle_requested.connect(shuffle.append)
    controls.mute_requested.connect(mute.append)
    icon_before = controls.repeat_button.icon().cacheKey()
    qtbot.mouseClick(controls.repeat_button, Qt.MouseButton.LeftButton)
    assert controls.repeat_button.icon().cacheKey() != icon_before  # repeat-one icon
    qtbot.mouseClick(controls.repeat_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(controls.shuffle_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(controls.mute_button, Qt.MouseButton.LeftButton)
    assert repeat == [REPEAT_ONE, REPEAT_PLAYLIST] and shuffle == [True] and mute == [True]
    assert controls.mute_button.accessibleName() == "Unmute"
    controls.show_shuffle(False)  # what the player reports is shown, not asked for again
    controls.show_repeat(REPEAT_ONE)
    assert shuffle == [True] and repeat == [REPEAT_ONE, REPEAT_PLAYLIST]
    assert controls.repeat_button.isChecked() and not controls.shuffle_button.isChecked()


def test_every_control_has_an_accessible_name_and_an_icon(controls):
    for button in controls.findChildren(QAbstractButton):
        assert button.accessibleName(), button.objectName()
        assert not button.icon().isNull(), button.objectName()
    assert controls.seek.accessibleName() == "Position"
    assert controls.volume.accessibleName() == "Volume"


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    page = MainPage(w)
    page.transport.show_position(30_000, 120_000)
    page.transport.set_volume_quietly(50)
    return w


@pytest.mark.parametrize("key, modifier, signal, expected", [
    (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, "play_pause_requested", []),
    (Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier, "next_requested", []),
    (Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier, "previous_requested", []),
    (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, "seek_requested", [35_000]),
    (Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, "seek_requested", [25_000]),
    (Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier, "volume_requested", [55]),
    (Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier, "volume_requested", [45]),
    (Qt.Key.Key_M, Qt.KeyboardModifier.NoModifier, "mute_requested", [True]),
    (Qt.Key.Key_R, Qt.KeyboardModifier.NoModifier, "repeat_requested", [REPEAT_ONE]),
    (Qt.Key.Key_S, Qt.KeyboardModifier.NoModifier, "shuffle_requested", [True]),
])
def test_keyboard_shortcuts_emit_the_intents(window, qtbot, key, modifier, signal, expected):
    page = MainPage(window)
    page.tracks.setFocus()  # wherever the focus is, the window's keys work
    with qtbot.waitSignal(getattr(page.transport, signal), timeout=2000) as sig:
        qtbot.keyClick(page.tracks, key, modifier)
    assert sig.args == expected


def test_space_on_a_focused_button_does_not_also_click_it(window, qtbot):
    page = MainPage(window)
    page.next_button.setFocus()
    nexts, toggles = [], []
    page.transport.next_requested.connect(lambda: nexts.append(1))
    page.transport.play_pause_requested.connect(lambda: toggles.append(1))
    qtbot.keyClick(page.next_button, Qt.Key.Key_Space)
    assert toggles == [1] and nexts == []


def test_help_menu_lists_the_shortcuts(window, qtbot):
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Help" in menus and "&Playback" in menus
    window.actions_by_name["Keyboard shortcuts"].trigger()
    box = window.shortcuts_box
    qtbot.waitUntil(box.isVisible, timeout=2000)
    assert box.windowTitle() == "Keyboard shortcuts"
    for words in ("Play / pause", "Space", "Ctrl+Right", "Seek forward 5 s", "Ctrl+Up", "Mute"):
        assert words in box.text()
    box.close()


def test_the_app_turns_transport_intents_into_playback(qtbot, tmp_path):
    app = MoodPlayerApp(AppOptions(overrides={"source": "demo"}, backend="null", config=str(tmp_path / "s.toml")))
    try:
        page = MainPage(app.window)
        page.choose_playlist("happy")
        qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
        page.repeat_button.click()
        assert app.backend.repeat == REPEAT_ONE
        page.shuffle_button.click()
        assert app.backend.shuffle
        page.mute_button.click()
        assert app.backend.muted and app.backend.volume == app.settings.volume
        with qtbot.waitSignal(app.backend.seeked, timeout=2000) as sig:
            page.transport.seek_requested.emit(1_000)
        assert sig.args == [1_000] and app.backend.position()[0] >= 1_000
        app.backend.set_shuffle(False)  # e.g. from MPRIS: the button follows
        assert not page.shuffle_button.isChecked()
    finally:
        app.shutdown()
        app.window.close()


def test_the_track_list_shows_only_what_plays_in_bold(qtbot):
    from moodplayer.ui.player_controls import TrackList

    tracks = TrackList()
    qtbot.addWidget(tracks)
    tracks.show_tracks(["a", "b", "c"])
    tracks.mark_current(1)
    tracks.mark_current(2)
    assert [tracks.item(i).font().bold() for i in range(3)] == [False, False, True]
    tracks.show_tracks(["d", "e"])  # a new list: nothing bold until a track plays
    tracks.mark_current(5)
    assert not any(tracks.item(i).font().bold() for i in range(2)) and tracks._bold == -1
    tracks.mark_current(0)
    assert [tracks.item(i).font().bold() for i in range(2)] == [True, False]
