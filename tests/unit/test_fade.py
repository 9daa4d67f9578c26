"""Which changes of music cross-fade, and how long (core/session/fade.py), and the session
asking for them: against the fake player."""

from __future__ import annotations

import math

import pytest
from helpers import feel

from moodplayer.core.session.fade import (
    FADE_MAX_S,
    Fades,
    early_end_ms,
    level_db,
    levels,
    switch_fade_ms,
    track_fade_ms,
)
from moodplayer.core.settings.schema import Profile


def test_a_switch_fades_by_its_own_length_unless_paused_or_at_a_track_end():
    fades = Fades(switch_s=3.0, track_s=1.5)
    assert switch_fade_ms(fades, autoplay=True, at_track_end=False) == 3000
    assert switch_fade_ms(fades, autoplay=True, at_track_end=True) == 1500
    assert switch_fade_ms(fades, autoplay=False, at_track_end=False) == 0  # the new music waits
    assert track_fade_ms(Fades(track_s=0.0)) == 0
    assert track_fade_ms(Fades(track_s=99.0)) == FADE_MAX_S * 1000  # never longer than 12 s


def test_a_track_hands_over_early_but_never_more_than_half_of_it():
    assert early_end_ms(200_000, 4000) == 4000
    assert early_end_ms(3000, 4000) == 1500
    assert early_end_ms(200_000, 0) == 0 and early_end_ms(0, 4000) == 0  # unknown length: at its end


@pytest.mark.parametrize("p", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_the_curve_keeps_the_power(p):
    out, new = levels(p)
    assert out**2 + new**2 == pytest.approx(1.0)
    assert levels(0.0) == (1.0, 0.0) and levels(1.0)[1] == 1.0 and abs(levels(1.0)[0]) < 1e-12
    assert levels(-1) == levels(0) and levels(2) == levels(1)


def test_levels_in_decibels():
    assert level_db(1.0) == 0.0
    assert level_db(0.5) == pytest.approx(20 * math.log10(0.5))
    assert level_db(0.0) < -100


def test_the_session_asks_for_the_switch_fade_on_a_mood_switch(make_session):
    session, player, _ = make_session()
    session.fades = Fades(switch_s=2.0, track_s=0.5)
    feel(session, "happy")
    assert player.fade_ms == 0  # nothing played before: nothing to fade from
    feel(session, "sad")
    assert player.playlist.name == "sad" and player.fade_ms == 2000
    session.activate_track(1)  # a track picked in the list: a track change
    assert player.fade_ms == 500
    session.choose("angry")  # the user's pick fades like a switch
    assert player.fade_ms == 2000


def test_nothing_fades_in_while_paused(make_session):
    session, player, _ = make_session()
    session.fades = Fades(switch_s=2.0)
    feel(session, "happy")
    session.pause()
    feel(session, "sad")
    assert player.playlist.name == "sad" and player.fade_ms == 0


def test_a_switch_waiting_for_the_track_end_fades_like_a_track_change(make_session):
    session, player, _ = make_session(Profile(switch_policy="after_track"))
    session.fades = Fades(switch_s=3.0, track_s=1.0)
    feel(session, "happy")
    feel(session, "sad")
    assert player.playlist.name == "happy"  # waits for the end of the track
    player.finish()
    assert player.playlist.name == "sad" and player.fade_ms == 1000
