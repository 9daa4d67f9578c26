"""Resume in the session (fake player) and the resume file."""

from __future__ import annotations

from helpers import feel, of

from moodplayer.core.session import events
from moodplayer.core.session.resume import ResumePoint, load_resume, save_resume
from moodplayer.core.settings.schema import Lift, Profile


def test_auto_resumes_the_moods_music_until_the_mood_says_otherwise(make_session):
    session, player, seen = make_session(sizes={"sad": 3})
    assert session.resume("sad", "/music/sad2.wav", 4000, override=False)
    assert player.playing == "sad2" and player.start_ms == 4000 and session.selector.override is None
    loads = len(player.fades)
    feel(session, "sad")  # the mood it stopped in: the music goes on
    assert len(player.fades) == loads
    feel(session, "happy")
    assert player.playlist.name == "happy"
    assert session.resume_point(1234) == ResumePoint("happy", False, "/music/happy0.wav", 1234)


def test_an_override_resumes_as_the_users_pick(make_session):
    session, player, seen = make_session()
    assert session.resume("angry", "/music/angry1.wav", 500, override=True)
    assert session.selector.override == "angry" and of(seen, events.OverrideChanged)[-1].name == "angry"
    feel(session, "happy")
    assert player.playlist.name == "angry"  # the pick wins over the mood, as before the quit


def test_a_track_gone_from_the_playlist_starts_it_from_the_top(make_session):
    session, player, _ = make_session()
    assert session.resume("sad", "/music/gone.wav", 9000, override=False)
    assert player.current_index == 0 and player.start_ms == 0
    session2, _, _ = make_session(missing={"fear"})
    assert not session2.resume("fear", "/music/fear0.wav", 0, override=False)  # cannot play: fresh


def test_a_lift_resumes_at_its_track(make_session):
    session, player, _ = make_session(Profile(lift={"sad": Lift("happy", 3)}), sizes={"sad": 3})
    assert session.resume("sad", "/music/happy0.wav", 0, override=False)
    assert player.planned and player.playing == "happy0" and session.lift.left == 2


def test_the_file_keeps_each_profile_and_survives_damage(tmp_path):
    path = tmp_path / "resume.json"
    a, b = ResumePoint("sad", False, "/m/a.wav", 10), ResumePoint("happy", True, "/m/b.wav", 20)
    save_resume(path, "Anna", a)
    save_resume(path, "Ben", b)
    assert load_resume(path, "Anna") == a and load_resume(path, "Ben") == b
    save_resume(path, "Anna", None)
    assert load_resume(path, "Anna") is None and load_resume(path, "Ben") == b
    path.write_text("{broken")
    assert load_resume(path, "Ben") is None
    path.write_text('{"Ben": {"playlist": "sad"}}')
    assert load_resume(path, "Ben") is None
