"""Saves that merge, for real (issue 19): the real app on a real Qt event loop while another
program changes its settings file (``moodplayer calibrate`` as a process, an editor), and
the app's save failing on a real full disk (tmpfs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import tomli_w
import tomllib
from helpers import feat_file, fill_up, small_disk
from media import HAPPY_STILL
from pages import MainPage

from moodplayer.core.settings.schema import Profile, Settings, save_settings


def read(path):
    return tomllib.loads(path.read_text(encoding="utf-8"))


def names_shown(app) -> list[str]:
    box = MainPage(app.window).profiles
    return [box.itemText(i) for i in range(box.count())]


def config_with_anna(path):
    save_settings(path, Settings(volume=50, active_profile="Anna", profiles={"Anna": Profile(window_s=8.0)}))
    return path


def edit_by_hand(path, edit):
    """An editor's save: the whole file read, changed and written back in place."""
    data = read(path)
    edit(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def test_calibrate_adds_bob_while_the_app_runs_the_app_shows_bob_and_keeps_him(qtbot, make_app, tmp_path):
    config = config_with_anna(tmp_path / "settings.toml")
    pictures = tmp_path / "bob"
    for label, still in (("neutral", "single_face.jpg"), ("happy", HAPPY_STILL)):
        (pictures / label).mkdir(parents=True)
        shutil.copy(feat_file(still), pictures / label / still)
    app = make_app(config=str(config))
    app.start()
    app._on_volume(20)  # the app's own change, not saved yet
    env = os.environ.copy() | {"XDG_DATA_HOME": str(tmp_path / "data")}
    calibrate = subprocess.Popen(
        [sys.executable, "-m", "moodplayer", "calibrate", "Bob", "--pictures", str(pictures),
         "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        qtbot.waitUntil(lambda: calibrate.poll() is not None, timeout=180_000)
        out, err = calibrate.communicate()
    finally:
        if calibrate.poll() is None:
            calibrate.kill()
            calibrate.wait()
    assert calibrate.returncode == 0, out + err
    assert "profile 'Bob' made in" in out
    qtbot.waitUntil(lambda: "Bob" in names_shown(app), timeout=10_000)  # the window shows him
    assert app.settings.active_profile == "Anna" and "Bob" in app.settings.profiles
    app.shutdown()
    data = read(config)
    assert set(data["profiles"]) == {"Anna", "Bob"} and data["volume"] == 20
    assert data["profiles"]["Anna"]["window_s"] == 8.0


def test_a_hand_edit_while_the_app_runs_is_reloaded_and_survives_its_quit(qtbot, make_app, tmp_path):
    config = config_with_anna(tmp_path / "settings.toml")
    app = make_app(config=str(config))
    app.start()
    edit_by_hand(config, lambda d: (d["profiles"].update(Bob={"margin": 0.4}),
                                    d["profiles"]["Anna"].update(margin=0.3)))
    qtbot.waitUntil(lambda: "Bob" in names_shown(app), timeout=10_000)
    assert app.settings.profiles["Anna"].margin == 0.3 and app.session.profile.margin == 0.3  # live
    app.switch_profile("Bob")  # saved at once: onto the file as it is
    assert read(config)["active_profile"] == "Bob"
    edit_by_hand(config, lambda d: d["profiles"].update(Carl={}))
    app.shutdown()  # quits before the watcher said anything: the save still merges
    data = read(config)
    assert set(data["profiles"]) == {"Anna", "Bob", "Carl"} and data["profiles"]["Bob"]["margin"] == 0.4
    assert data["active_profile"] == "Bob" and data["profiles"]["Anna"]["margin"] == 0.3


def test_the_settings_dialog_open_holds_a_reload_until_it_closes(qtbot, make_app, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox

    config = config_with_anna(tmp_path / "settings.toml")
    app = make_app(config=str(config))
    app.start()
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    edit_by_hand(config, lambda d: d["profiles"].update(Bob={}))
    app.keeper.check_disk()
    assert "Bob" not in app.settings.profiles  # the dialog edits a copy: not now
    dialog.rows["sad"].playlist.setText(str(tmp_path))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "Bob" in names_shown(app), timeout=10_000)
    data = read(config)
    assert set(data["profiles"]) == {"Anna", "Bob"}
    assert data["profiles"]["Anna"]["playlists"]["sad"] == str(tmp_path)


def test_a_save_failing_on_a_full_disk_is_said_in_the_window_and_the_file_kept(qtbot, make_app, tmp_path):
    with small_disk(tmp_path / "disk", "64k") as disk:
        config = config_with_anna(disk / "settings.toml")
        before = config.read_bytes()
        app = make_app(config=str(config))
        app.start()
        filler = fill_up(disk)
        app._on_volume(15)  # saved a moment later, while the window is open
        qtbot.waitUntil(lambda: any("could not be saved" in m for m in app.window.messages), timeout=10_000)
        [message] = [m for m in app.window.messages if "could not be saved" in m]
        assert "No space left on device" in message and str(config) in message
        assert config.read_bytes() == before  # the old file whole
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "settings.toml"]  # no leftovers
        app.profile_command("export", path=str(disk / "anna.toml"))
        assert any("could not be exported" in m and "No space left" in m for m in app.window.messages)
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "settings.toml"]
        filler.unlink()  # room again: the next change is saved, with the one before it
        app._on_override("sad")
        qtbot.waitUntil(lambda: read(config)["last_playlist"] == "sad", timeout=10_000)
        assert read(config)["volume"] == 15
        app.shutdown()
