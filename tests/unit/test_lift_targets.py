"""A lift towards its own mood, or towards a mood that does not exist, is refused with a
message wherever it comes from: the settings file, a profile built elsewhere (the session
checks too), the settings dialog (tests/ui)."""

from __future__ import annotations

import pytest
from helpers import feel, of

from moodplayer.core.session.events import Notice, PlaylistStarted
from moodplayer.core.settings.schema import Lift, Profile, load_settings


def test_the_settings_file_refuses_a_lift_towards_itself_or_an_unknown_mood(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('''
[profiles.Default.lift.sad]
target = "sad"
[profiles.Default.lift.angry]
target = "hapy"
[profiles.Default.lift.fear]
target = "Happy"
[profiles.Default.lift.happy]
tracks = 3
[profiles.Default.lift.neutral]
target = "happy"
[profiles.Default.lift.disgust]
target = "~/music/calm"
''')
    loaded = load_settings(path)
    lift = loaded.settings.profile.lift
    assert sorted(lift) == ["disgust", "neutral"]  # the good ones are kept
    text = "\n".join(loaded.problems)
    assert "lift.sad.target = 'sad': cannot lift sad towards itself; sad plays its own music" in text
    assert "lift.angry.target = 'hapy': unknown mood 'hapy'" in text
    assert "unknown mood 'Happy' (did you mean happy?)" in text
    assert "lift.happy.target = 'happy': cannot lift happy towards itself" in text  # the default target


@pytest.mark.parametrize("mood, target, problem", [
    ("sad", "sad", "cannot lift sad towards itself"),
    ("sad", "joy", "unknown mood 'joy'"),
    ("sad", " ", "choose a mood"),
    ("sad", "happy", None),
    ("sad", "/music/calm", None),
    ("sad", "calm.m3u", None),
])
def test_lift_target_problem(mood, target, problem):
    from moodplayer.core.session.lift import lift_target_problem

    found = lift_target_problem(mood, target)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("target", ["sad", "hapy"])
def test_the_session_refuses_it_too_and_plays_the_mood_s_own_music(make_session, target):
    session, player, seen = make_session(Profile(lift={"sad": Lift(target=target, tracks=3)}))
    feel(session, "sad")
    notices = [n.text for n in of(seen, Notice)]
    assert any(n.startswith("Cannot lift sad: ") and "playing the sad playlist" in n for n in notices), notices
    started = of(seen, PlaylistStarted)[-1]
    assert started.name == "sad" and started.lifting_towards is None
    assert player.playlist.name == "sad" and set(player.names) == {"sad0", "sad1"}
