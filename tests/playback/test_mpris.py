"""MPRIS2 on a private D-Bus session bus, driven by real D-Bus clients (playerctl and
dbus-send, as processes) while the Qt event loop runs: the desktop's view of the player."""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading

import pytest
from helpers import feel, write_tone
from pages import MainPage

from moodplayer.core.music.playlist import load_playlist
from moodplayer.desktop.mpris import SERVICE, start_mpris
from moodplayer.playback.backend import PAUSED, PLAYING, REPEAT_ONE
from moodplayer.playback.null_backend import NullBackend
from moodplayer.playback.vlc_backend import VlcBackend

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None or shutil.which("playerctl") is None,
    reason="dbus and playerctl are installed by make setup")




def client(qtbot, *args: str) -> subprocess.CompletedProcess:
    """Run a D-Bus client process without blocking the Qt thread (which must answer it)."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(
        subprocess.run(args, capture_output=True, text=True, timeout=20)))
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=25000)
    thread.join()
    return result[0]


def playerctl(qtbot, *args: str) -> str:
    done = client(qtbot, "playerctl", "--player=moodplayer", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def music(tmp_path, n=3, seconds=20):
    folder = tmp_path / "music"
    for i in range(n):
        write_tone(folder / f"song_{i}.wav", seconds, 300 + 100 * i)
    return load_playlist("happy", folder)


@pytest.fixture
def null_player(qtbot, session_bus, tmp_path):
    backend = NullBackend(default_track_s=20)
    mpris = start_mpris(backend)
    assert mpris is not None
    backend.load(music(tmp_path))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=3000)
    yield backend
    backend.close()
    assert not mpris.registered


def test_real_vlc_player_metadata_and_next_over_dbus(qtbot, session_bus, tmp_path):
    backend = VlcBackend(audio_out=f"afile:{tmp_path / 'out.wav'}")
    try:
        assert start_mpris(backend) is not None
        backend.load(music(tmp_path))
        qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
        assert "moodplayer" in playerctl(qtbot, "--list-all")
        assert playerctl(qtbot, "metadata", "xesam:title") == "song 0"
        assert playerctl(qtbot, "metadata", "mpris:length") == "20000000"
        assert playerctl(qtbot, "metadata", "mpris:trackid").strip("'").endswith("/track0")
        assert playerctl(qtbot, "metadata", "xesam:url").endswith("/music/song_0.wav")
        playerctl(qtbot, "next")
        assert backend.current_index == 1
        assert playerctl(qtbot, "metadata", "xesam:title") == "song 1"
        playerctl(qtbot, "position", "12")  # SetPosition on the current track id
        qtbot.waitUntil(lambda: backend.position()[0] >= 12000, timeout=5000)
        assert float(playerctl(qtbot, "position")) >= 12.0  # Position is read as int64
    finally:
        backend.close()


def test_play_pause_changes_playback_status(qtbot, null_player):
    assert playerctl(qtbot, "status") == "Playing"
    playerctl(qtbot, "play-pause")
    assert null_player.state == PAUSED
    assert playerctl(qtbot, "status") == "Paused"
    playerctl(qtbot, "play")
    assert playerctl(qtbot, "status") == "Playing"
    playerctl(qtbot, "pause")
    assert null_player.state == PAUSED
    playerctl(qtbot, "stop")
    assert playerctl(qtbot, "status") == "Stopped"


def test_properties_changed_reaches_a_listening_client(qtbot, null_player):
    """playerctl --follow only learns of changes from PropertiesChanged signals."""
    follow = subprocess.Popen(["playerctl", "--player=moodplayer", "--follow", "metadata",
                               "--format", "{{status}} {{xesam:title}}"],
                              stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(follow.stdout), daemon=True)
    reader.start()
    try:
        qtbot.waitUntil(lambda: "Playing song 0" in [x.strip() for x in lines], timeout=10000)
        null_player.next()
        qtbot.waitUntil(lambda: "Playing song 1" in [x.strip() for x in lines], timeout=10000)
        null_player.pause()
        qtbot.waitUntil(lambda: "Paused song 1" in [x.strip() for x in lines], timeout=10000)
    finally:
        follow.terminate()
        follow.wait(10)
        reader.join(10)


def test_seek_volume_loop_and_shuffle_over_dbus(qtbot, null_player):
    playerctl(qtbot, "position", "5+")  # Seek: 5 s forward
    assert null_player.position()[0] >= 5000
    playerctl(qtbot, "volume", "0.25")
    assert null_player.volume == 25
    assert playerctl(qtbot, "volume").startswith("0.25")
    playerctl(qtbot, "loop", "Track")
    assert null_player.repeat == REPEAT_ONE
    playerctl(qtbot, "shuffle", "On")
    assert null_player.shuffle and playerctl(qtbot, "shuffle") == "On"
    null_player.set_repeat("playlist")  # changed in the window: the desktop sees it
    assert playerctl(qtbot, "loop") == "Playlist"


def test_root_interface_identity_and_desktop_entry(qtbot, null_player):
    done = client(qtbot, "dbus-send", "--session", "--print-reply", f"--dest={SERVICE}",
                  "/org/mpris/MediaPlayer2", "org.freedesktop.DBus.Properties.GetAll",
                  "string:org.mpris.MediaPlayer2")
    assert done.returncode == 0, done.stderr
    assert 'string "MoodPlayer"' in done.stdout and 'string "moodplayer"' in done.stdout
    done = client(qtbot, "dbus-send", "--session", "--print-reply", f"--dest={SERVICE}",
                  "/org/mpris/MediaPlayer2", "org.freedesktop.DBus.Properties.Get",
                  "string:org.mpris.MediaPlayer2.Player", "string:Position")
    assert "int64" in done.stdout  # the specification's type, not int32


def test_no_session_bus_means_mpris_off_with_one_log_line(qtbot, monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no bus socket there either
    backend = NullBackend()
    with caplog.at_level(logging.INFO, logger="moodplayer"):
        assert start_mpris(backend) is None
    assert [r.getMessage() for r in caplog.records if "MPRIS" in r.getMessage()] == [
        "MPRIS is off: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"]
    caplog.clear()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'gone'}")
    with caplog.at_level(logging.INFO, logger="moodplayer"):
        assert start_mpris(backend) is None
    lines = [r.getMessage() for r in caplog.records if "MPRIS" in r.getMessage()]
    assert len(lines) == 1 and "cannot be reached" in lines[0]
    backend.close()


def test_the_app_runs_without_a_bus_and_publishes_with_one(qtbot, tmp_path, monkeypatch,
                                                           session_bus):
    from moodplayer.app import AppOptions, MoodPlayerApp

    app = MoodPlayerApp(AppOptions(overrides={"source": "demo"}, backend="null", config=str(tmp_path / "s.toml")))
    try:
        assert app.mpris is not None and app.mpris.registered
        assert app.mpris.intents is app.session  # Next over D-Bus counts a lift track, like the button
        page = MainPage(app.window)
        page.choose_playlist("sad")
        qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
        assert playerctl(qtbot, "metadata", "xesam:album") == "sad playlist"
        playerctl(qtbot, "volume", "0.4")
        assert page.volume.value() == 40  # the slider follows
    finally:
        app.shutdown()
        app.window.close()
    assert not app.mpris.registered  # left the bus with the player
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    app = MoodPlayerApp(AppOptions(overrides={"source": "demo"}, backend="null", config=str(tmp_path / "s.toml")))
    try:
        assert app.mpris is None
        feel(app.session, "happy")
        qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
    finally:
        app.shutdown()
        app.window.close()
