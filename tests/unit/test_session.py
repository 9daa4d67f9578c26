"""The session's decisions against a fake player: fast, no Qt. (The same rules run in
the real app in tests/test_lift_app.py.)"""

from __future__ import annotations

from pathlib import Path

from helpers import feel, no_face, of

from moodplayer.core.session import events
from moodplayer.core.session.player import PAUSED, PLAYING
from moodplayer.core.settings.schema import Lift, Profile


def test_a_mood_plays_its_playlist_and_says_so(make_session):
    session, player, seen = make_session()
    feel(session, "happy")
    assert player.playlist.name == "happy" and player.state == PLAYING
    assert [e.mood for e in of(seen, events.MoodChanged)] == ["happy"]
    assert [e.name for e in of(seen, events.PlaylistStarted)] == ["happy"]
    assert of(seen, events.TrackChanged)[-1].track.title == "happy0"


def test_the_users_pause_survives_a_returning_face(make_session):
    session, player, seen = make_session(Profile(no_face_policy="pause", no_face_timeout_s=1.0))
    feel(session, "happy")
    no_face(session, 2.0)
    assert player.state == PAUSED and session.paused_by_policy
    feel(session, "happy")
    assert player.state == PLAYING  # the policy's pause is undone by the face
    session.toggle()  # the user pauses
    no_face(session, 2.0)
    feel(session, "happy")
    assert player.state == PAUSED  # ... and that pause is the user's to undo
    assert [e.by for e in of(seen, events.Paused)] == ["policy", "user"]
    assert [e.lost for e in of(seen, events.FacePresence)] == [True, False, True, False]


def test_a_user_pause_while_the_face_is_away_is_kept(make_session):
    session, player, _ = make_session(Profile(no_face_policy="pause", no_face_timeout_s=1.0))
    feel(session, "happy")
    no_face(session, 2.0)
    session.toggle()  # play by hand while nobody is there ...
    session.toggle()  # ... and pause again
    feel(session, "happy")
    assert player.state == PAUSED


def test_lift_ends_after_its_tracks_finish_not_when_the_index_wraps(make_session):
    session, player, seen = make_session(Profile(lift={"sad": Lift("happy", 3)}),
                                         sizes={"sad": 3, "happy": 2})
    feel(session, "sad")
    assert player.names == ["sad0", "happy0", "happy1", "happy0", "happy1"]
    session.previous()  # on the first lift track: it starts again, the lift goes on
    assert player.current_index == 0 and session.lift.left == 3
    session.next()
    session.previous()
    assert session.lift.left == 3
    player.finish()
    player.finish()
    assert session.lift is not None and player.playing == "happy1"
    player.finish()  # the third lift track is over: only the target from now on
    assert session.lift is None and player.playlist.name == "happy" and player.playing == "happy0"
    assert of(seen, events.LiftFinished) == [events.LiftFinished("sad", "happy")]


def test_skipping_through_a_lift_lands_on_the_target_where_it_left(make_session):
    session, player, _ = make_session(Profile(lift={"sad": Lift("happy", 6)}),
                                      sizes={"sad": 3, "happy": 2})
    feel(session, "sad")
    for _ in range(6):
        session.next()
    # lift_order for 6: mood mood target mood target target -> target goes on with happy1
    assert session.lift is None and player.playlist.name == "happy" and player.playing == "happy1"


def test_a_refused_playlist_leaves_the_music_and_the_selector_as_they_were(make_session):
    session, player, seen = make_session(missing={"angry"})
    feel(session, "happy")
    session.next()
    feel(session, "angry")
    assert of(seen, events.PlaylistRefused)[-1].name == "angry"
    assert player.playlist.name == "happy" and session.selector.current == "happy"
    feel(session, "happy")
    assert player.current_index == 1  # what played goes on: not started again


def test_after_track_switches_at_the_end_of_the_track(make_session):
    session, player, _ = make_session(Profile(switch_policy="after_track"))
    feel(session, "happy")
    feel(session, "sad")
    assert player.playlist.name == "happy"
    player.finish()
    assert player.playlist.name == "sad" and player.current_index == 0


def test_override_holds_until_auto_and_plays_a_lifted_moods_own_music(make_session):
    session, player, seen = make_session(Profile(lift={"sad": Lift("happy", 3)}))
    feel(session, "sad")
    assert player.playlist.name == "sad → happy"
    session.choose("sad")  # the mood's own playlist, as it is
    assert player.playlist.name == "sad"
    feel(session, "angry")
    assert player.playlist.name == "sad"  # the override holds
    session.choose(None)
    assert player.playlist.name == "angry"
    assert [e.name for e in of(seen, events.OverrideChanged)] == ["sad", None]


def test_configure_replays_only_when_the_current_moods_music_changed(make_session):
    session, player, _ = make_session()
    feel(session, "happy")
    session.next()
    session.configure(Profile(window_s=8.0, playlists={"sad": "/elsewhere"}))
    assert session.window.config.window_s == 8.0 and player.current_index == 1  # untouched
    session.configure(Profile(window_s=8.0, playlists={"happy": "/elsewhere"}))
    assert player.current_index == 0 and player.playlist.source == Path("/elsewhere")


def test_a_closed_session_decides_nothing(make_session):
    """Readings queued before the analysis stopped may arrive after shutdown."""
    session, player, seen = make_session()
    session.close()
    feel_failed = False
    try:
        feel(session, "happy", most_s=1.0)
    except AssertionError:
        feel_failed = True
    assert feel_failed and player.playlist is None and not of(seen, events.PlaylistStarted)


def test_a_mood_change_while_paused_loads_the_new_music_without_playing_it(make_session):
    session, player, _ = make_session(Profile(no_face_policy="pause", no_face_timeout_s=1.0))
    feel(session, "happy")
    session.toggle()  # the user pauses
    feel(session, "sad")
    assert player.playlist.name == "sad" and player.state != PLAYING  # ready, silent
    session.toggle()
    assert player.state == PLAYING
    no_face(session, 2.0)  # the policy pauses ...
    feel(session, "angry")  # ... the face returns showing another mood: music again, the new one
    assert player.playlist.name == "angry" and player.state == PLAYING


def test_the_users_choice_plays_even_while_paused(make_session):
    session, player, _ = make_session()
    feel(session, "happy")
    session.toggle()
    session.choose("neutral")
    assert player.playlist.name == "neutral" and player.state == PLAYING


def test_another_client_starts_with_no_mood_of_the_last_one(make_session):
    session, player, _ = make_session()
    feel(session, "sad")
    session.configure(Profile(playlists={"happy": "/elsewhere"}), new_client=True)
    assert session.mood is None and session.mood_history == [] and session.window.mood is None
    feel(session, "happy")
    assert player.playlist.source == Path("/elsewhere")


def test_a_stop_from_the_desktop_is_not_undone_by_a_returning_face(make_session):
    session, player, seen = make_session(Profile(no_face_policy="pause", no_face_timeout_s=1.0))
    feel(session, "happy")
    no_face(session, 2.0)
    session.stop()
    feel(session, "happy")
    assert player.state == "stopped"


def test_a_broken_subscriber_does_not_stop_a_decision(make_session):
    session, player, _ = make_session()

    def broken(event):
        raise RuntimeError("subscriber bug")

    session.subscribe(broken)
    feel(session, "happy")
    assert player.playlist.name == "happy" and player.state == PLAYING
