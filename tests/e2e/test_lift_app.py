"""The session's decisions in the running app (real Qt loop, null backend): the lift, and
the three bugs of the old app, each proven once end to end (tests/test_session.py has
the fast versions against a fake player)."""

from __future__ import annotations

from helpers import feel, no_face, write_tone
from pages import MainPage

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.settings.schema import Lift, Profile, Settings, save_settings
from moodplayer.playback.backend import PAUSED, PLAYING


def lift_settings(tmp_path, sad=3, happy=2, n=3, seconds=0.6):
    music = tmp_path / "music"
    for k in range(sad):
        write_tone(music / "sad" / f"sad{k}.wav", seconds, 220 + 10 * k)
    for k in range(happy):
        write_tone(music / "happy" / f"happy{k}.wav", seconds, 440 + 10 * k)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(
        playlists={"sad": str(music / "sad"), "happy": str(music / "happy")},
        lift={"sad": Lift(target="happy", tracks=n)})}))
    return config


def test_a_sad_mood_is_lifted_towards_happy_over_three_tracks(qtbot, tmp_path, make_app):
    app = make_app(config=str(lift_settings(tmp_path)))
    played = []
    app.backend.track_changed.connect(
        lambda i: played.append(app.backend.playlist.tracks[i].path.stem))
    feel(app.session, "sad")
    names = [t.path.stem for t in app.backend.playlist.tracks]
    # iso-principle over 3 tracks: matching first, then the target; then the whole target
    assert names == ["sad0", "happy0", "happy1", "happy0", "happy1"]
    assert app.backend.playlist.name == "sad → happy"
    qtbot.waitUntil(lambda: app.backend.playlist.name == "happy", timeout=10000)
    qtbot.waitUntil(lambda: len(played) >= 6, timeout=5000)
    assert played[:3] == names[:3]  # the lift played through in that order
    assert all(p.startswith("happy") for p in played[3:])  # then only the target
    # an override plays the chosen playlist as it is, no lift
    MainPage(app.window).choose_playlist("sad")
    assert [t.path.stem for t in app.backend.playlist.tracks] == ["sad0", "sad1", "sad2"]


def test_a_lift_keeps_its_order_while_the_user_shuffles(qtbot, tmp_path, make_app):
    app = make_app(config=str(lift_settings(tmp_path, sad=3, happy=3, n=4, seconds=0.4)))
    app.backend.set_shuffle(True)
    app.backend.set_repeat("one")
    played = []
    app.backend.track_changed.connect(
        lambda i: played.append(app.backend.playlist.tracks[i].path.stem))
    feel(app.session, "sad")
    qtbot.waitUntil(lambda: app.backend.playlist.name == "happy", timeout=10000)
    assert played[:4] == ["sad0", "sad1", "happy0", "happy1"]  # mood, mood, target, target
    assert app.backend.shuffle  # the user's choice holds for the plain playlists


def test_previous_on_the_first_lift_track_does_not_skip_the_lift(qtbot, tmp_path, make_app):
    app = make_app(config=str(lift_settings(tmp_path, seconds=5.0)))
    feel(app.session, "sad")
    assert app.backend.current_index == 0
    page = MainPage(app.window)
    page.click_previous()
    page.click_next()
    page.click_previous()
    page.click_previous()
    assert app.backend.playlist.name == "sad → happy"  # still lifting, from its first track
    assert app.backend.current_index == 0 and app.session.lift.left == 3


def test_a_returning_face_does_not_undo_the_users_pause(qtbot, tmp_path, make_app):
    music = tmp_path / "music"
    write_tone(music / "a.wav", 20.0)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(
        playlists={e: str(music) for e in EMOTIONS}, no_face_policy="pause", no_face_timeout_s=1.0)}))
    app = make_app(config=str(config))
    feel(app.session, "happy")
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
    no_face(app.session, 2.0)  # the policy pauses ...
    assert app.backend.state == PAUSED
    feel(app.session, "happy")  # ... and resumes when the face is back
    assert app.backend.state == PLAYING
    MainPage(app.window).click_play_pause()  # the user pauses
    assert app.backend.state == PAUSED
    no_face(app.session, 2.0)
    feel(app.session, "happy")
    assert app.backend.state == PAUSED  # the user's pause holds


def test_an_unplayable_playlist_leaves_mood_and_music_in_agreement(qtbot, tmp_path, make_app):
    music = tmp_path / "music"
    write_tone(music / "happy" / "h0.wav", 20.0)
    write_tone(music / "happy" / "h1.wav", 20.0)
    write_tone(music / "sad" / "s.wav", 20.0)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists={
        "happy": str(music / "happy"), "sad": str(music / "sad"), "angry": str(tmp_path / "gone")})}))
    app = make_app(config=str(config))
    feel(app.session, "happy")
    MainPage(app.window).click_next()
    feel(app.session, "angry")  # refused: the happy music goes on
    assert "Cannot play the angry playlist" in app.window.messages[-1]
    assert app.backend.playlist.name == "happy"
    index = app.backend.current_index
    feel(app.session, "happy")  # back to what plays: nothing restarts
    assert app.backend.playlist.name == "happy" and app.backend.current_index == index == 1
    assert app.session.selector.current == "happy"
    feel(app.session, "sad")
    assert app.backend.playlist.name == "sad"


def test_a_lift_towards_a_missing_folder_says_so_and_matches(qtbot, tmp_path, make_app):
    music = tmp_path / "music"
    write_tone(music / "sad" / "sad0.wav", 5.0, 220)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(
        playlists={"sad": str(music / "sad")},
        lift={"sad": Lift(target=str(tmp_path / "gone"), tracks=3)})}))
    app = make_app(config=str(config))
    feel(app.session, "sad")
    assert app.backend.playlist.name == "sad"
    assert any("Cannot lift sad towards" in m and "not found" in m for m in app.window.messages)
