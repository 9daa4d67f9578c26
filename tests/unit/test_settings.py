import pytest
import tomllib

from moodplayer.core.settings.profiles import (
    ProfileError,
    add_profile,
    delete_profile,
    duplicate_profile,
    export_profile,
    import_profile,
    rename_profile,
)
from moodplayer.core.settings.schema import (
    SCHEMA_VERSION,
    Lift,
    Profile,
    Settings,
    load_settings,
    save_settings,
)


def test_missing_file_gives_defaults(tmp_path):
    result = load_settings(tmp_path / "settings.toml")
    assert result.settings == Settings() and result.problems == []
    assert result.settings.profile == Profile() and result.settings.active_profile == "Default"


def test_round_trip_is_atomic_and_complete(tmp_path):
    path = tmp_path / "cfg" / "settings.toml"
    s = Settings(volume=33, window_geometry=[10, 20, 900, 600], last_playlist="sad",
                 active_profile="Anna",
                 profiles={"Default": Profile(),
                           "Anna": Profile(switch_policy="after_track", playlists={"sad": "/music/sad"},
                                           lift={"sad": Lift(target="happy", tracks=3)})})
    save_settings(path, s)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    data = tomllib.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["profiles"]["Anna"]["lift"]["sad"] == {"target": "happy", "tracks": 3}
    loaded = load_settings(path)
    assert loaded.problems == [] and loaded.settings == s
    assert loaded.settings.profile.strategy("sad") == "lift"
    assert loaded.settings.profile.strategy("happy") == "match"


def test_schema_1_is_migrated_into_a_default_profile(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('volume = 40\nwindow_s = 8\nswitch_policy = "after_track"\n'
                    '[playlists]\nsad = "/music/sad"\n')
    result = load_settings(path)
    assert result.problems == []
    s = result.settings
    assert s.volume == 40 and s.active_profile == "Default"
    assert s.profile.window_s == 8.0 and s.profile.switch_policy == "after_track"
    assert s.profile.playlists == {"sad": "/music/sad"}


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
    path.write_text('schema_version = 2\nvolume = "loud"\ncolour = "red"\n'
                    '[profiles.Default]\nwindow_s = 8\nswitch_policy = "after_track"\nmargin = 3\n'
                    'tempo = 5\n[profiles.Default.lift.sad]\ntarget = "happy"\ntracks = 0\n')
    result = load_settings(path)
    s = result.settings
    assert s.volume == Settings().volume
    assert s.profile.window_s == 8.0 and s.profile.switch_policy == "after_track"
    assert s.profile.margin == Profile().margin
    assert s.profile.lift == {"sad": Lift(target="happy", tracks=Lift().tracks)}
    text = " ".join(result.problems)
    for expected in ("volume", "0..100", "unknown setting 'colour'", "profiles.Default.margin = 3",
                     "unknown setting 'profiles.Default.tempo'", "tracks = 0: must be a whole number 1..50"):
        assert expected in text, expected
    assert result.backup and result.backup.exists() and path.exists()


def test_future_schema_is_reported(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(f"schema_version = {SCHEMA_VERSION + 1}\nvolume = 10\n")
    result = load_settings(path)
    assert result.settings.volume == 10
    assert "newer" in result.problems[0]


def test_an_active_profile_that_does_not_exist_is_reported(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('schema_version = 2\nactive_profile = "Bob"\n[profiles.Anna]\nwindow_s = 4\n')
    result = load_settings(path)
    assert result.settings.active_profile == "Anna" and result.settings.profile.window_s == 4.0
    assert "'Bob' does not exist" in result.problems[0]


def test_profiles_create_rename_duplicate_delete():
    s = Settings()
    add_profile(s, "Anna")
    s.profiles["Anna"].playlists["sad"] = "/music/anna/sad"
    duplicate_profile(s, "Anna", "Anna (quiet)")
    assert s.profiles["Anna (quiet)"] == s.profiles["Anna"]
    assert s.profiles["Anna (quiet)"] is not s.profiles["Anna"]
    s.active_profile = "Anna"
    rename_profile(s, "Anna", "Anna B.")
    assert s.active_profile == "Anna B." and "Anna" not in s.profiles
    assert list(s.profiles) == ["Default", "Anna B.", "Anna (quiet)"]  # order kept
    delete_profile(s, "Anna B.")
    assert s.active_profile == "Default"
    for bad in (lambda: add_profile(s, " "), lambda: add_profile(s, "Default"),
                lambda: rename_profile(s, "Default", "Anna (quiet)")):
        with pytest.raises(ProfileError):
            bad()
    delete_profile(s, "Anna (quiet)")
    with pytest.raises(ProfileError, match="last profile"):
        delete_profile(s, "Default")


def test_profile_export_import_round_trip_flags_missing_paths(tmp_path):
    music = tmp_path / "music" / "sad"
    music.mkdir(parents=True)
    s = Settings(profiles={"Anna": Profile(
        window_s=7.0, playlists={"sad": str(music), "angry": "/elsewhere/angry"},
        lift={"sad": Lift(target="happy", tracks=5), "angry": Lift(target="/elsewhere/calm", tracks=2)})},
        active_profile="Anna")
    exported = tmp_path / "anna.toml"
    export_profile(s, "Anna", exported)
    imported = import_profile(exported)
    assert imported.name == "Anna" and imported.profile == s.profiles["Anna"]
    assert imported.problems == []
    assert sorted(imported.missing_paths) == ["/elsewhere/angry", "/elsewhere/calm"]  # flagged, kept
    assert imported.profile.playlists["angry"] == "/elsewhere/angry"


def test_importing_something_else_is_a_clear_error(tmp_path):
    junk = tmp_path / "x.toml"
    junk.write_text("volume = 3\n")
    with pytest.raises(ProfileError, match="not a MoodPlayer profile"):
        import_profile(junk)
    with pytest.raises(ProfileError, match="cannot read"):
        import_profile(tmp_path / "missing.toml")
