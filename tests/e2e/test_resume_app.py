"""Resume: quit at a position, start again, and the music plays on from there (real libvlc,
afile's WAV read back: the track is a rising tone, so its pitch says where in it we are)."""

from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from moodplayer.core.files.locations import resume_file
from moodplayer.core.settings.schema import Profile, Settings, save_settings
from moodplayer.dev.audio_formats import write_pcm_wav
from moodplayer.playback.backend import PLAYING

F0, SLOPE, RATE = 300.0, 40.0, 22050  # the tone's pitch: F0 + SLOPE * t Hz


def write_chirp(path, seconds=30.0):
    t = np.arange(int(RATE * seconds)) / RATE
    return write_pcm_wav(path, 0.4 * np.sin(2 * np.pi * (F0 * t + 0.5 * SLOPE * t**2)), RATE)


def where_it_starts(wav_path) -> float:
    """Seconds into the chirp at which a WAV begins (from the pitch of its first 0.25 s)."""
    with wave.open(str(wav_path), "rb") as wf:
        rate, ch = wf.getframerate(), wf.getnchannels()
        x = np.frombuffer(wf.readframes(wf.getnframes()), "<i2").astype(float).reshape(-1, ch)[:, 0]
    start = np.flatnonzero(np.abs(x) > 300)[0]  # past any leading silence
    head = x[start:start + rate // 4] * np.hanning(rate // 4)
    spectrum = np.abs(np.fft.rfft(head, 16 * len(head)))
    freq = np.fft.rfftfreq(16 * len(head), 1 / rate)[spectrum.argmax()]
    return (freq - F0) / SLOPE


@pytest.fixture
def config(tmp_path):
    write_chirp(tmp_path / "music" / "chirp.wav")
    path = tmp_path / "settings.toml"
    save_settings(path, Settings(profiles={"Default": Profile(playlists={"happy": str(tmp_path / "music")})}))
    return path


def test_after_a_quit_at_p_the_next_start_plays_on_from_p(make_app, qtbot, tmp_path, config):
    first = make_app(backend="vlc", audio_out=f"afile:{tmp_path / 'first.wav'}", config=str(config))
    first.start()
    first.window.player.picker.setCurrentIndex(first.window.player.picker.findData("happy"))
    qtbot.waitUntil(lambda: first.backend.state == PLAYING and first.backend.position()[0] >= 6000,
                    timeout=15000)
    p = first.backend.position()[0] / 1000
    first.shutdown()
    saved = json.loads(resume_file().read_text())["Default"]
    assert saved["override"] and saved["playlist"] == "happy" and saved["track"].endswith("chirp.wav")
    assert abs(saved["position_ms"] / 1000 - p) < 0.5

    wav = tmp_path / "second.wav"
    second = make_app(backend="vlc", audio_out=f"afile:{wav}", config=str(config))
    second.start()
    qtbot.waitUntil(lambda: second.backend.state == PLAYING, timeout=5000)
    assert second.window.player.picker.currentData() == "happy"  # the dropdown shows the pick
    assert second.session.selector.override == "happy"
    qtbot.wait(1000)
    second.shutdown()
    assert abs(where_it_starts(wav) - p) <= 1.5, (where_it_starts(wav), p)
    assert where_it_starts(tmp_path / "first.wav") < 0.5  # the measure tells a start from P


def test_start_fresh_when_resume_is_off(make_app, qtbot, tmp_path, config):
    from moodplayer.core.session.resume import ResumePoint, save_resume

    save_resume(resume_file(), "Default", ResumePoint("happy", True, str(tmp_path / "music" / "chirp.wav"), 9000))
    app = make_app(config=str(config), resume=False)
    app.start()
    assert app.backend.playlist is None and app.window.player.picker.currentData() is None
