"""Cross-fades as libvlc really plays them: the two voices' WAVs (afile) measured."""

from __future__ import annotations

import numpy as np
from helpers import envelope, silent_edges, write_tone

from moodplayer.core.music.playlist import load_playlist
from moodplayer.playback.backend import PLAYING
from moodplayer.playback.vlc_backend import VlcBackend, afile_path


def test_a_faded_switch_overlaps_the_two_musics_with_no_silence(qtbot, tmp_path):
    out = tmp_path / "out.wav"
    old = write_tone(tmp_path / "old" / "a.wav", 20.0, 330)
    new = write_tone(tmp_path / "new" / "b.wav", 20.0, 550)
    b = VlcBackend(audio_out=f"afile:{out}")
    try:
        b.load(load_playlist("old", old.parent))
        qtbot.waitUntil(lambda: b.state == PLAYING, timeout=5000)
        qtbot.wait(800)
        b.load(load_playlist("new", new.parent), fade_ms=1500)
        assert b.fading and b.output_file() == afile_path(f"afile:{out}", 1)
        qtbot.waitUntil(lambda: b.voices_sounding() == 2, timeout=3000)  # both heard at once
        qtbot.waitUntil(lambda: not b.fading, timeout=5000)
        qtbot.waitUntil(lambda: b.voices_sounding() == 1, timeout=2000)  # the old one stopped
        qtbot.wait(800)
    finally:
        b.close()
    old_env, w = envelope(out)
    new_env, _ = envelope(afile_path(f"afile:{out}", 1))
    full = 0.4 / np.sqrt(2)  # the tones' RMS
    # the old music: at full level, then falling to (nearly) nothing; no silence before it stops
    assert abs(old_env[:10].mean() - full) < 0.02 and old_env[-3:].mean() < 0.1 * full
    # the new one: from (nearly) nothing up to full level
    assert new_env[:3].mean() < 0.2 * full and abs(new_env[-10:].mean() - full) < 0.02
    rising = new_env[: int(1.2 / w)]
    assert np.all(np.diff(rising) > -0.01), rising  # it only rises while the fade runs
    assert silent_edges(out)[1] <= 0.05 and silent_edges(afile_path(f"afile:{out}", 1))[0] <= 0.05
