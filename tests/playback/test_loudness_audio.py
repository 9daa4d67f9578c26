"""Even loudness for real: untagged tracks measured in the background (libvlc decodes,
libebur128 measures), applied by the player's gain stage, measured again in afile's WAV."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import envelope, wav_rms, write_tone

from moodplayer.core.music.loudness import LoudnessCache
from moodplayer.core.music.playlist import load_playlist
from moodplayer.playback.backend import PLAYING
from moodplayer.playback.loudness import LoudnessService
from moodplayer.playback.vlc_backend import VlcBackend


@pytest.fixture
def leveled(tmp_path, qtbot):
    """A real player whose gains come from a loudness service, wired as the app does."""
    out = tmp_path / "out.wav"
    backend = VlcBackend(audio_out=f"afile:{out}")
    service = LoudnessService(LoudnessCache(tmp_path / "cache" / "loudness.json"),
                              tmp_path / "cache" / "decoding.wav")
    backend.gain_for = service.gain_for
    service.measured.connect(lambda path: backend.refresh_gain())
    yield backend, service, out
    service.close()
    backend.close()


def db(x: float) -> float:
    return 20 * math.log10(x)


def play_for(backend, qtbot, folder, seconds=1.5):
    backend.load(load_playlist(folder.name, folder))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    qtbot.wait(int(seconds * 1000))
    backend.stop()


def test_two_untagged_tracks_18_db_apart_come_out_within_2_db(leveled, qtbot, tmp_path):
    backend, service, out = leveled
    loud = write_tone(tmp_path / "loud" / "loud.wav", 4.0, 440, amplitude=0.8)
    quiet = write_tone(tmp_path / "quiet" / "quiet.wav", 4.0, 440, amplitude=0.1)
    assert db(0.8 / 0.1) == pytest.approx(18.06, abs=0.01)
    service.want([loud, quiet])
    qtbot.waitUntil(lambda: service.measurements == 2 and service.idle(), timeout=20000)
    levels = {}
    for track in (loud, quiet):
        play_for(backend, qtbot, track.parent)
        seconds, rms = wav_rms(out)  # afile wrote this track alone
        assert seconds > 0.5
        levels[track.stem] = rms
    assert abs(db(levels["loud"] / levels["quiet"])) < 2.0, levels
    assert levels["loud"] < 0.8 / math.sqrt(2) / 2 and levels["quiet"] > 0.1 / math.sqrt(2) * 1.5
    # measured once: a new service on the same cache measures nothing again
    again = LoudnessService(LoudnessCache(tmp_path / "cache" / "loudness.json"), tmp_path / "x.wav")
    again.want([loud, quiet])
    qtbot.waitUntil(again.idle, timeout=5000)
    again.close()
    assert again.measurements == 0 and again.gain_for(loud) == service.gain_for(loud)


def test_a_track_measured_while_it_plays_moves_smoothly_to_its_level(leveled, qtbot, tmp_path):
    backend, service, out = leveled
    loud = write_tone(tmp_path / "loud" / "loud.wav", 20.0, 440, amplitude=0.8)
    backend.load(load_playlist("loud", loud.parent))
    service.want([loud])
    qtbot.waitUntil(lambda: service.measurements == 1, timeout=20000)
    qtbot.wait(2500)
    backend.stop()
    env, _ = envelope(out, 0.1)
    assert env[0] == pytest.approx(0.8 / math.sqrt(2), rel=0.05)  # as it is, until measured
    assert db(env[-3:].mean() / env[0]) < -10  # then about 12 dB down
    assert np.all(np.diff(env) < 0.02)  # stepping down, never up
    assert np.abs(np.diff(env)).max() < 0.2  # in steps, no jump
