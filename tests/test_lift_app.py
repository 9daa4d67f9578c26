"""The lift strategy in the running app: which playlist each track comes from."""

from __future__ import annotations

from conftest import write_tone
from moodplayer.app import AppOptions, MoodPlayerApp
from moodplayer.core.settings import Lift, Profile, Settings, save_settings


def test_a_sad_mood_is_lifted_towards_happy_over_three_tracks(qtbot, tmp_path):
    music = tmp_path / "music"
    for k in range(3):
        write_tone(music / "sad" / f"sad{k}.wav", 0.6, 220 + 10 * k)
    for k in range(2):
        write_tone(music / "happy" / f"happy{k}.wav", 0.6, 440 + 10 * k)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(
        playlists={"sad": str(music / "sad"), "happy": str(music / "happy")},
        lift={"sad": Lift(target="happy", tracks=3)})}))
    app = MoodPlayerApp(AppOptions(source="demo", backend="null", config=str(config)))
    played = []
    app.backend.track_changed.connect(
        lambda i: played.append(app.backend.playlist.tracks[i].path.stem))
    try:
        app._on_mood("sad")
        names = [t.path.stem for t in app.backend.playlist.tracks]
        # iso-principle over 3 tracks: matching first, then the target; then the whole target
        assert names == ["sad0", "happy0", "happy1", "happy0", "happy1"]
        assert app.backend.playlist.name == "sad → happy"
        qtbot.waitUntil(lambda: app.backend.playlist.name == "happy", timeout=10000)
        assert played[:5] == names  # the lift played through in that order
        qtbot.waitUntil(lambda: len(played) >= 7, timeout=5000)
        assert all(p.startswith("happy") for p in played[5:])  # then only the target
        # an override plays the chosen playlist as it is, no lift
        app._on_override("sad")
        assert [t.path.stem for t in app.backend.playlist.tracks] == ["sad0", "sad1", "sad2"]
    finally:
        app.shutdown()
        app.window.close()


def test_a_lift_towards_a_missing_folder_says_so_and_matches(qtbot, tmp_path):
    music = tmp_path / "music"
    write_tone(music / "sad" / "sad0.wav", 5.0, 220)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(
        playlists={"sad": str(music / "sad")},
        lift={"sad": Lift(target=str(tmp_path / "gone"), tracks=3)})}))
    app = MoodPlayerApp(AppOptions(source="demo", backend="null", config=str(config)))
    try:
        app._on_mood("sad")
        assert app.backend.playlist.name == "sad"
        assert any("Cannot lift sad towards" in m and "not found" in m for m in app.window.messages)
    finally:
        app.shutdown()
        app.window.close()
