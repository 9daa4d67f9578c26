"""Watched folders: tracks added to and removed from a mood's folder while it plays show up
within seconds, and the playing track is never interrupted (real libvlc, afile's WAV)."""

from __future__ import annotations

import numpy as np
from helpers import envelope, write_tone

from moodplayer.core.settings.schema import Profile, Settings, save_settings
from moodplayer.playback.backend import PLAYING


def test_tracks_added_and_removed_while_playing(make_app, qtbot, tmp_path):
    folder = tmp_path / "happy"
    for k in range(2):
        write_tone(folder / f"{k}.wav", 30.0, 330 + 110 * k)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists={"happy": str(folder)})}))
    wav = tmp_path / "out.wav"
    app = make_app(backend="vlc", audio_out=f"afile:{wav}", config=str(config), switch_fade_s=0.0,
                   replaygain="off")  # one level throughout: a gap or a restart would show
    app.start()
    picker = app.window.player.picker
    picker.setCurrentIndex(picker.findData("happy"))
    qtbot.waitUntil(lambda: app.backend.state == PLAYING and app.backend.position()[0] > 300, timeout=5000)
    changes = []
    app.backend.track_changed.connect(changes.append)
    tracks = app.window.player.tracks

    write_tone(folder / "2.wav", 30.0, 660)  # added
    qtbot.waitUntil(lambda: len(app.backend.playlist.tracks) == 3 and tracks.count() == 3, timeout=5000)
    (folder / "1.wav").unlink()  # removed
    qtbot.waitUntil(lambda: [t.path.name for t in app.backend.playlist.tracks] == ["0.wav", "2.wav"],
                    timeout=5000)
    (folder / "0.wav").unlink()  # the playing one: it plays on, and stays listed while it does
    qtbot.waitUntil(lambda: app.watcher.rereads >= 3, timeout=5000)
    assert [t.path.name for t in app.backend.playlist.tracks] == ["0.wav", "2.wav"]
    assert changes == [] and app.backend.state == PLAYING and app.backend.current_index == 0
    assert tracks.item(0).font().bold()
    elapsed = app.backend.position()[0] / 1000
    app.backend.next()  # the added track plays
    qtbot.waitUntil(lambda: app.backend.current_index == 1, timeout=5000)
    env, w = envelope(wav)  # voice 0's WAV: the first track, from its start to the Next
    app.shutdown()
    first = env[: int(elapsed / w) - 2]
    assert len(first) * w > 2.5 and np.all(first > 0.25), first.min()  # one tone, never a gap or restart
