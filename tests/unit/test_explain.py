"""Every mood switch and track change explains itself in one sentence, the same for every
subscriber (the session computes it), and analyze says the same about a video."""

from __future__ import annotations

from helpers import feel, of
from pages import MainPage

from moodplayer.core.session import events
from moodplayer.core.session.explain import mood_why, playlist_why, track_why
from moodplayer.core.session.mood_window import WindowConfig
from moodplayer.core.settings.schema import Lift, Profile


def test_mood_sentence_names_shares_runner_up_and_rule():
    shares = {"sad": 0.62, "happy": 0.21, "neutral": 0.17}
    text = mood_why("sad", shares, WindowConfig(window_s=5, margin=0.15, min_dwell_s=1.0), "happy")
    assert text == "sad: 62 % of the last 5 s (happy 21 %), ahead of happy by 0.15 or more for 1.0 s"
    first = mood_why("sad", shares, WindowConfig(), None)
    assert first.startswith("sad: 62 % of the last 5 s (happy 21 %), the first mood")


def test_playlist_and_track_sentences():
    assert playlist_why("sad: 62 %", "sad", "happy", 4) == \
        "sad: 62 % → playlist sad, lifting towards happy: track 1 of 4"
    assert track_why("Rain", 1, "sad → happy", (2, 4), "happy") == \
        "Rain: track 2 of 4 of the lift towards happy"
    assert track_why("Sun", 0, "happy") == "Sun: track 1 of the happy playlist"


def test_the_session_attaches_the_why_to_its_events(make_session):
    session, player, seen = make_session(Profile(lift={"sad": Lift("happy", 3)}),
                                         sizes={"sad": 3, "happy": 2})
    feel(session, "happy")
    feel(session, "sad")
    moods = of(seen, events.MoodChanged)
    assert moods[0].why.startswith("happy: 100 % of the last 5 s")
    assert moods[1].why.startswith("sad: ") and "ahead of happy by 0.15 or more for 1.0 s" in moods[1].why
    started = of(seen, events.PlaylistStarted)[-1]
    assert started.why == moods[1].why + " → playlist sad, lifting towards happy: track 1 of 3"
    assert of(seen, events.TrackChanged)[-1].why == "sad0: track 1 of 3 of the lift towards happy"
    session.next()
    assert of(seen, events.TrackChanged)[-1].why == "happy0: track 2 of 3 of the lift towards happy"
    session.choose("neutral")
    assert of(seen, events.PlaylistStarted)[-1].why == "you chose the neutral playlist → playlist neutral"
    player.finish()
    assert of(seen, events.TrackFinished)[-1].index == 0
    assert of(seen, events.TrackChanged)[-1].why == "neutral1: track 2 of the neutral playlist"


def test_the_window_shows_the_why_under_the_mood(make_app):
    app = make_app()
    feel(app.session, "angry")
    why = MainPage(app.window).why_label.text()
    assert why.startswith("angry: 100 % of the last 5 s")
    assert "→ playlist angry" in why
