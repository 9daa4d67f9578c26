import tomllib

from moodplayer.core.settings import SCHEMA_VERSION, Settings, load_settings, save_settings


def test_missing_file_gives_defaults(tmp_path):
    result = load_settings(tmp_path / "settings.toml")
    assert result.settings == Settings() and result.problems == []


def test_round_trip_is_atomic_and_complete(tmp_path):
    path = tmp_path / "cfg" / "settings.toml"
    s = Settings(volume=33, switch_policy="after_track", playlists={"sad": "/music/sad"})
    save_settings(path, s)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert tomllib.loads(path.read_text())["schema_version"] == SCHEMA_VERSION
    assert load_settings(path).settings == s


def test_corrupt_file_is_moved_aside_and_defaults_used(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("volume = [unclosed")
    result = load_settings(path)
    assert result.settings == Settings()
    assert result.backup and result.backup.read_text() == "volume = [unclosed"
    assert "could not be read" in result.problems[0]
    assert not path.exists()


def test_a_bad_field_costs_only_that_field(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('volume = "loud"\nwindow_s = 8\nswitch_policy = "after_track"\ncolour = "red"\n')
    result = load_settings(path)
    assert result.settings.volume == Settings().volume
    assert result.settings.window_s == 8.0
    assert result.settings.switch_policy == "after_track"
    text = " ".join(result.problems)
    assert "volume" in text and "0..100" in text and "unknown setting 'colour'" in text
    assert result.backup and result.backup.exists() and path.exists()


def test_future_schema_is_reported(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(f"schema_version = {SCHEMA_VERSION + 1}\nvolume = 10\n")
    result = load_settings(path)
    assert result.settings.volume == 10
    assert "newer" in result.problems[0]
