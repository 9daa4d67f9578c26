"""MPRIS values from a hostile or careless desktop client, sent by a real D-Bus client
(dbus-send, a process) to the real app on a private bus: a Volume that is not a number
changes nothing (never 100, never saved), a Rate the player cannot play is ignored (0.0
pauses, as the specification asks), a position outside the track is ignored."""

from __future__ import annotations

import pytest
from pages import MainPage
from test_mpris import client, null_player, playerctl  # noqa: F401 (fixtures: pytest finds them by name)

from moodplayer.core.settings.schema import load_settings
from moodplayer.desktop.mpris import PATH, PLAYER_IFACE, SERVICE
from moodplayer.playback.backend import PAUSED, PLAYING


def set_property(qtbot, name: str, variant: str):
    return client(qtbot, "dbus-send", "--session", "--print-reply", f"--dest={SERVICE}", PATH,
                  "org.freedesktop.DBus.Properties.Set", f"string:{PLAYER_IFACE}",
                  f"string:{name}", variant)


def call(qtbot, method: str, *args: str):
    return client(qtbot, "dbus-send", "--session", "--print-reply", f"--dest={SERVICE}", PATH,
                  f"{PLAYER_IFACE}.{method}", *args)


@pytest.mark.usefixtures("session_bus")
@pytest.mark.parametrize("value, expected", [
    ("nan", 40), ("inf", 40), ("-inf", 40), ("-0.5", 0), ("7.5", 100), ("0.25", 25)])
def test_volume_that_is_not_a_volume_changes_nothing_and_is_not_saved(qtbot, tmp_path, value, expected):
    from moodplayer.app import AppOptions, MoodPlayerApp

    config = tmp_path / "s.toml"
    config.write_text("volume = 40\n")
    app = MoodPlayerApp(AppOptions(overrides={"source": "demo"}, backend="null", config=str(config)))
    try:
        assert app.mpris is not None and app.backend.volume == 40
        done = set_property(qtbot, "Volume", f"variant:double:{value}")
        assert done.returncode == 0, done.stderr
        qtbot.wait(100)
        assert app.backend.volume == expected
        assert MainPage(app.window).volume.value() == expected
    finally:
        app.shutdown()
        app.window.close()
    assert load_settings(config).settings.volume == expected  # NaN never becomes a saved 100


def test_mpris_volume_reads_only_finite_numbers():
    from moodplayer.desktop.mpris import mpris_volume

    assert [mpris_volume(v) for v in (float("nan"), float("inf"), "0.5", True, None)] == [None] * 5
    assert [mpris_volume(v) for v in (-3, 0, 0.504, 1, 2**70)] == [0, 0, 50, 100, 100]


def test_rate_other_than_one_is_ignored_and_zero_pauses(qtbot, null_player):  # noqa: F811 (the fixture imported above)
    for value in ("2.0", "nan", "-1.0"):
        done = set_property(qtbot, "Rate", f"variant:double:{value}")
        assert done.returncode == 0, done.stderr
        assert null_player.state == PLAYING
    assert playerctl(qtbot, "metadata", "mpris:trackid")  # still answering
    done = set_property(qtbot, "Rate", "variant:double:0.0")
    assert done.returncode == 0, done.stderr
    assert null_player.state == PAUSED


def test_set_position_outside_the_track_or_of_another_track_is_ignored(qtbot, null_player):  # noqa: F811 (the fixture imported above)
    track = playerctl(qtbot, "metadata", "mpris:trackid").strip("'")  # playerctl quotes a path
    length_us = null_player.position()[1] * 1000
    for track_id, position in [(track, length_us + 1), (track, -1), (track, 2**63 - 1),
                               ("/org/moodplayer/load99/track0", 1_000_000)]:
        before = null_player.position()[0]
        done = call(qtbot, "SetPosition", f"objpath:{track_id}", f"int64:{position}")
        assert done.returncode == 0, done.stderr
        assert null_player.position()[0] - before < 1000  # not moved (only played on)
    done = call(qtbot, "SetPosition", f"objpath:{track}", "int64:5000000")
    assert done.returncode == 0, done.stderr
    assert null_player.position()[0] >= 5000
