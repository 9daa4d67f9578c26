"""A playlist the player gave up on (nothing in it played) is not sent back to by the mood:
the session says so (PlaylistRefused) until the user picks it or the playlists reload."""

from __future__ import annotations

from helpers import feel, of

from moodplayer.core.session.events import PlaylistRefused


def test_the_mood_is_told_and_the_user_may_try_again(make_session):
    session, player, seen = make_session()
    feel(session, "happy")
    assert player.playlist.name == "happy"
    session.on_playlist_failed("nothing in the happy playlist plays (20 files tried of 5000); stopped")
    feel(session, "sad")
    feel(session, "happy")
    refused = of(seen, PlaylistRefused)[-1]
    assert refused.name == "happy" and "20 files tried" in refused.why
    assert player.playlist.name == "sad"  # what played goes on
    session.choose("happy")  # the user picks it: tried once more
    assert player.playlist.name == "happy"
    session.on_playlist_failed("again")
    session.load_playlists()  # the settings changed: a fresh start
    session.choose(None)
    feel(session, "sad")
    feel(session, "happy")
    assert player.playlist.name == "happy"
