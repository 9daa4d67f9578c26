"""The tray icon's menu drives the player; closing the window with the tray keeping the app
only hides it. (The offscreen platform has no system tray: the icon is made, not shown.)"""

from __future__ import annotations

from helpers import feel

from moodplayer.playback.backend import PAUSED, PLAYING


def test_the_tray_menu_drives_the_music_and_shows_the_mood(make_app, qtbot):
    app = make_app(tray="icon")
    app.start()
    tray = app.tray
    assert tray is not None and app.tray_mode == "icon"
    assert "no mood yet" in tray.tooltip
    feel(app.session, "happy")
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=5000)
    assert tray.mood == "happy" and tray.tooltip.startswith("MoodPlayer — happy\nhappy: ")
    assert tray.actions["Play"].text() == "Pause"
    tray.actions["Play"].trigger()
    qtbot.waitUntil(lambda: app.backend.state == PAUSED, timeout=3000)
    assert tray.actions["Play"].text() == "Play"
    tray.actions["Play"].trigger()
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
    index = app.backend.current_index
    tray.actions["Next"].trigger()
    assert app.backend.current_index != index
    tray.actions["Hide window"].trigger()
    assert not app.window.isVisible() and tray.actions["Hide window"].text() == "Show window"
    tray.actions["Hide window"].trigger()
    assert app.window.isVisible()


def test_closing_the_window_keeps_the_music_only_where_a_tray_can_bring_it_back(make_app, qtbot):
    app = make_app(tray="background")
    app.start()
    feel(app.session, "sad")
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=5000)
    assert app.tray is not None and not app.tray.available  # offscreen: no system tray
    assert app.tray_mode == "icon"  # so closing quits, as without a tray
    app.window.keep_running_when_closed = True  # as with a tray on the desktop
    hidden = []
    app.window.hidden_to_tray.connect(lambda: hidden.append(1))
    assert not app.window.close()  # refused: only hidden
    assert hidden and not app.window.isVisible() and app.backend.state == PLAYING
    app.toggle_window()
    assert app.window.isVisible()


def test_no_tray_when_off(make_app):
    app = make_app(tray="off")
    assert app.tray is None and app.tray_mode == "off" and not app.window.keep_running_when_closed
