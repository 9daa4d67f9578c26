"""A remembered window geometry off the screen (a monitor that is gone) or huge (a hand
edit) opens the window on a screen present now, no larger than it (app/geometry.py)."""

from __future__ import annotations

import pytest

from moodplayer.core.settings.schema import Settings, save_settings

LEFT, RIGHT = (-1920, 0, 1920, 1080), (0, 0, 2560, 1440)


@pytest.mark.parametrize("saved", [[5000, 4000, 720, 600], [-3000, -3000, 720, 600],
                                   [0, 0, 100000, 100000], [790, 790, 720, 600]])
def test_the_window_opens_on_the_screen_and_fits_it(make_app, qtbot, tmp_path, saved):
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(window_geometry=saved))
    app = make_app(config=str(config))
    app.start()
    screen = app.window.screen().availableGeometry()
    g = app.window.frameGeometry()  # the window with its frame
    assert screen.contains(g), (g, screen)
    if saved[2] < screen.width():
        assert app.window.size().toTuple() == (saved[2], saved[3])  # only moved, not resized


def test_fit_to_screens_keeps_what_fits_and_moves_what_does_not():
    from moodplayer.app.geometry import fit_to_screens

    assert fit_to_screens((100, 100, 800, 600), [RIGHT, LEFT]) == (100, 100, 800, 600)
    assert fit_to_screens((-1800, 50, 800, 600), [RIGHT, LEFT]) == (-1800, 50, 800, 600)  # left monitor
    assert fit_to_screens((-5000, 50, 800, 600), [RIGHT]) == (0, 50, 800, 600)  # that monitor is gone
    assert fit_to_screens((2400, 1300, 800, 600), [RIGHT]) == (1760, 840, 800, 600)  # half off
    assert fit_to_screens((0, 0, 10**6, 10**6), [RIGHT]) == (0, 0, 2560, 1440)
    assert fit_to_screens((0, 0, 10, 10), [RIGHT]) == (0, 0, 320, 240)
    assert fit_to_screens((0, 0, 10, 10), [RIGHT], minimum=(705, 582)) == (0, 0, 705, 582)
    # with a frame (4 px, a 30 px title bar) the window's inside keeps clear of the edges
    assert fit_to_screens((0, 0, 10**6, 10**6), [RIGHT], frame=(4, 30, 4, 4)) == (4, 30, 2552, 1406)
    assert fit_to_screens((0, 0, 800, 600), [(0, 0, 640, 480)], minimum=(705, 582)) == (0, 0, 705, 582)
    assert fit_to_screens((0, 0, 0, 500), [RIGHT]) is None
    assert fit_to_screens((0, 0, 800, 600), []) is None
