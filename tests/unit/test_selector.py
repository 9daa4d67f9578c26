import pytest

from moodplayer.core.session.selector import PlaylistSelector


def accepted(selector, proposal):
    """The session's part: the player started what was proposed."""
    if proposal is not None:
        selector.started(proposal)
    return proposal


def test_mood_switches_now_by_default():
    s = PlaylistSelector()
    assert accepted(s, s.on_mood("sad")) == "sad"
    assert accepted(s, s.on_mood("happy")) == "happy"
    assert s.on_mood("happy") is None  # already playing


def test_a_proposal_not_started_is_not_current():
    s = PlaylistSelector()
    accepted(s, s.on_mood("sad"))
    assert s.on_mood("angry") == "angry"  # proposed, but the player refused it
    assert s.current == "sad"
    assert s.on_mood("sad") is None  # sad still plays: nothing to restart


def test_after_track_policy_waits_for_the_end_of_the_track():
    s = PlaylistSelector("after_track")
    assert accepted(s, s.on_mood("sad")) == "sad"  # nothing playing yet: start at once
    assert s.on_mood("happy") is None
    assert s.pending == "happy"
    assert accepted(s, s.on_track_finished()) == "happy"
    assert s.on_track_finished() is None


def test_mood_flipping_back_before_the_track_ends_cancels_the_switch():
    s = PlaylistSelector("after_track")
    accepted(s, s.on_mood("sad"))
    s.on_mood("happy")
    assert s.on_mood("sad") is None
    assert s.pending is None
    assert s.on_track_finished() is None


def test_override_wins_until_auto():
    s = PlaylistSelector()
    accepted(s, s.on_mood("sad"))
    assert accepted(s, s.on_override("neutral")) == "neutral"
    assert s.on_mood("angry") is None  # the mood is remembered, the music stays
    assert s.on_override(None) == "angry"  # Auto: back to the mood's playlist


def test_override_applies_at_once_even_with_after_track():
    s = PlaylistSelector("after_track")
    accepted(s, s.on_mood("sad"))
    assert s.on_override("happy") == "happy"


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        PlaylistSelector("sometimes")
    with pytest.raises(ValueError):
        PlaylistSelector().on_mood("bored")
