"""The therapist's side: the settings dialog driven like a user would, client profiles,
and bad settings files, all in the running app."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import tomllib
from helpers import feel, write_tone
from pages import MainPage
from PySide6.QtWidgets import QDialogButtonBox

from moodplayer.core.settings.schema import Profile, Settings, save_settings


@pytest.fixture
def running(make_app):
    """``with running(config) as app``: the app on the demo clip with the null backend and
    this settings file; shut down (settings written back as on exit) when the block ends,
    as a restart needs. The factory closes it anyway if the test fails inside the block."""
    @contextmanager
    def run(config):
        app = make_app(config=str(config))
        try:
            yield app
        finally:
            app.shutdown()
            app.window.close()
    return run


def music(root, name, n=2, seconds=0.6):
    for k in range(n):
        write_tone(root / name / f"{name}{k}.wav", seconds, 200 + 40 * k)
    return root / name


def test_map_sad_to_a_new_folder_with_lift_save_and_restart(running, qtbot, tmp_path):
    config = tmp_path / "settings.toml"
    calm = music(tmp_path, "calm", n=3)
    with running(config) as app:
        dialog = app.open_settings()
        qtbot.addWidget(dialog)
        row = dialog.rows["sad"]
        row.playlist.setText(str(calm))
        row.strategy.setCurrentText("lift")
        row.target.setCurrentText("happy")
        row.tracks.setValue(3)
        assert app.settings.profile.playlists["sad"] == str(calm)  # applied live
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        assert not dialog.isVisible()
    saved = tomllib.loads(config.read_text())
    assert saved["profiles"]["Default"]["playlists"]["sad"] == str(calm)
    assert saved["profiles"]["Default"]["lift"]["sad"] == {"target": "happy", "tracks": 3}
    with running(config) as again:  # a restart from the same file
        feel(again.session, "sad")
        tracks = again.backend.playlist.tracks
        assert again.backend.playlist.name == "sad → happy"
        assert tracks[0].path.parent == calm and tracks[1].path.parent != calm  # lift started


def test_invalid_values_are_refused_in_the_field_with_the_reason(running, qtbot, tmp_path):
    with running(tmp_path / "settings.toml") as app:
        dialog = app.open_settings()
        qtbot.addWidget(dialog)
        row = dialog.rows["angry"]
        row.playlist.setText(str(tmp_path / "no such folder"))
        assert row.problem.text() == "not found" and "ffd7d7" in row.playlist.styleSheet()
        assert "angry" not in app.settings.profile.playlists  # refused: nothing applied
        assert not dialog.ok_button.isEnabled()
        text_file = tmp_path / "notes.txt"
        text_file.write_text("x")
        row.playlist.setText(str(text_file))
        assert "folder or an .m3u" in row.problem.text()
        row.playlist.setText("")
        row.strategy.setCurrentText("lift")
        row.target.setCurrentText(str(tmp_path / "gone"))
        assert row.problem.text() == "lift target: not found"
        row.target.setCurrentText("happy")
        assert row.problem.text() == "" and dialog.ok_button.isEnabled()
        dialog.window_s.setValue(500)  # beyond the range: the field keeps to 120
        assert app.settings.profile.window_s == 120
        dialog.source.setCurrentText(str(tmp_path / "missing.mp4"))
        assert "not a camera, demo or an existing video file" in dialog.source_problem.text()
        dialog.reject()


def test_changes_apply_live_and_cancel_restores(running, qtbot, tmp_path):
    config = tmp_path / "settings.toml"
    with running(config) as app:
        dialog = app.open_settings()
        qtbot.addWidget(dialog)
        dialog.window_s.setValue(9.0)
        dialog.switch_policy.setCurrentText("after_track")
        assert app.session.window.config.window_s == 9.0 and app.session.selector.switch_policy == "after_track"
        dialog.reject()  # Cancel
        assert app.session.window.config.window_s == 5.0 and app.session.selector.switch_policy == "now"
        assert app.settings.profile == Profile()


def test_profiles_from_the_toolbar_and_the_app_starts_on_the_last_one(running, qtbot, tmp_path):
    config = tmp_path / "settings.toml"
    sad = music(tmp_path, "sad")
    with running(config) as app:
        profiles = MainPage(app.window).profiles
        app.profile_command("new", name="Anna")
        assert app.settings.active_profile == "Anna" and profiles.currentText() == "Anna"
        settings = app.settings
        settings.profile.playlists["sad"] = str(sad)
        app.apply_settings(settings)
        app.profile_command("duplicate", name="Anna (quiet)")
        assert app.settings.profiles["Anna (quiet)"].playlists["sad"] == str(sad)
        app.profile_command("rename", name="Anna Q.")
        assert [profiles.itemText(i) for i in range(profiles.count())] == [
            "Default", "Anna", "Anna Q."]
        app.profile_command("delete")
        assert "Anna Q." not in app.settings.profiles
        profiles.setCurrentText("Anna")  # the user picks a profile in the toolbar
        assert app.settings.active_profile == "Anna"
        assert app.session.playlists["sad"].source == sad  # its mapping is in effect
        app.profile_command("new", name="Anna")  # a name that exists: refused, said
        assert "already a profile called 'Anna'" in app.window.messages[-1]
    with running(config) as again:
        assert again.settings.active_profile == "Anna"
        assert MainPage(again.window).profiles.currentText() == "Anna"


def test_export_then_import_flags_paths_missing_here(running, qtbot, tmp_path):
    sad = music(tmp_path, "sad")
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(active_profile="Anna", profiles={
        "Anna": Profile(playlists={"sad": str(sad), "angry": str(tmp_path / "elsewhere")})}))
    exported = tmp_path / "anna.toml"
    with running(config) as app:
        app.profile_command("export", path=str(exported))
        app.profile_command("import", path=str(exported))
        assert app.settings.active_profile == "Anna (2)"  # a second copy, not overwritten
        assert app.settings.profiles["Anna (2)"] == app.settings.profiles["Anna"]
        assert any(f"{tmp_path / 'elsewhere'} does not exist on this machine" in m
                   for m in app.window.messages)
        app.profile_command("import", path=str(tmp_path / "missing.toml"))
        assert "cannot read the profile file" in app.window.messages[-1]


@pytest.mark.parametrize("content,expected", [
    ("volume = [unclosed", "could not be read"),
    ('schema_version = 2\nvolume = "loud"\n', "volume = 'loud': must be a whole number 0..100"),
    ('schema_version = 2\ncolour = "red"\n', "unknown setting 'colour' ignored"),
    ("schema_version = 99\n", "newer than this MoodPlayer understands"),
    ('schema_version = 2\n[profiles.Default.playlists]\nsad = "/no/such/folder"\n',
     "sad playlist: folder not found"),
])
def test_bad_settings_files_give_a_message_and_the_app_runs(running, qtbot, tmp_path, content, expected):
    config = tmp_path / "settings.toml"
    config.write_text(content)
    with running(config) as app:
        app.start()
        assert any(expected in m for m in app.window.messages), app.window.messages
        feel(app.session, "happy")
        assert app.backend.playlist is not None  # and the music still plays


def test_missing_files_of_an_m3u_are_flagged_in_the_track_list(running, qtbot, tmp_path):
    from moodplayer.core.music.playlist import write_m3u

    folder = music(tmp_path, "sad", n=1, seconds=65.0)
    m3u = tmp_path / "sad.m3u8"
    write_m3u(m3u, [folder / "sad0.wav", tmp_path / "gone.wav"])
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists={"sad": str(m3u)})}))
    with running(config) as app:
        feel(app.session, "sad")
        assert MainPage(app.window).track_titles() == ["sad0  (1:05)", "gone  (missing)"]


def test_window_geometry_volume_and_last_playlist_are_remembered(running, qtbot, tmp_path):
    config = tmp_path / "settings.toml"
    with running(config) as app:
        app.start()
        app.window.setGeometry(40, 50, 720, 600)  # on the offscreen screen (800 × 800)
        page = MainPage(app.window)
        page.set_volume(25)
        page.choose_playlist("neutral")
    with running(config) as again:
        again.start()
        g = again.window.geometry()
        assert (g.width(), g.height()) == (720, 600)
        assert again.backend.volume == 25
        assert MainPage(again.window).chosen_playlist == "neutral"
        assert again.backend.playlist.name == "neutral"  # the override is in effect again
