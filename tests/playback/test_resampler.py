"""The resampler libvlc puts in every voice's audio chain is the SoX resampler at its high
quality (vlc_backend.RESAMPLER_ARGS), and a 44.1 kHz stereo track comes out of it as it
went in: the same rate, length and tone. A child process plays it, because libvlc writes
the module it chose to the native stderr (and the voices' own options keep it quiet)."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

CHILD = r"""
import sys, time
import vlc
from moodplayer.playback.vlc_backend import voice_args
args = [a for a in voice_args("afile:" + sys.argv[2], 0) if a != "--quiet"] + ["-vv"]
instance = vlc.Instance(args)
player = instance.media_player_new()
player.set_media(instance.media_new(sys.argv[1]))
player.play()
deadline = time.monotonic() + 20
while player.get_state() not in (vlc.State.Ended, vlc.State.Error) and time.monotonic() < deadline:
    time.sleep(0.05)
print(player.get_state())
player.release()
instance.release()
"""


def tone(path: Path, rate: int = 44100, seconds: float = 1.5, hz: float = 441.0) -> None:
    t = np.arange(int(rate * seconds)) / rate
    left = 0.3 * np.sin(2 * np.pi * hz * t)
    samples = (np.stack([left, 0.5 * left], axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def test_each_voice_resamples_with_soxr_and_the_tone_comes_out_unchanged(tmp_path):
    track, written = tmp_path / "tone.wav", tmp_path / "out.wav"
    tone(track)
    done = subprocess.run([sys.executable, "-c", CHILD, str(track), str(written)],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "State.Ended", done.stderr[-2000:]
    assert 'using audio resampler module "soxr"' in done.stderr
    with wave.open(str(written)) as out:
        rate, channels = out.getframerate(), out.getnchannels()
        raw = out.readframes(out.getnframes())
        width = out.getsampwidth()
    assert (rate, channels) == (44100, 2)
    samples = (np.frombuffer(raw, "<f4") if width == 4 else np.frombuffer(raw, "<i2") / 32768.0)
    left = samples.reshape(-1, 2)[:, 0]
    assert abs(len(left) / rate - 1.5) < 0.1
    spectrum = np.abs(np.fft.rfft(left * np.hanning(len(left))))
    assert abs(np.argmax(spectrum) * rate / len(left) - 441.0) < 2.0
    assert 0.2 < np.sqrt(np.mean(left[len(left) // 4: -len(left) // 4] ** 2)) * np.sqrt(2) < 0.4
