"""The resampler libvlc puts in every voice's audio chain is the SoX resampler at its high
quality (vlc_backend.RESAMPLER_ARGS), and a 44.1 kHz stereo track comes out of it as it
went in: the same rate, length and tone. A child process plays it, because libvlc writes
the module it chose to the native stderr (and the voices' own options keep it quiet)."""

from __future__ import annotations

import shutil
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


# A libvlc whose plugins have no SoX resampler (built without it, or packaged without it):
# the libraries copied beside a plugin folder that lacks libsoxr_plugin.so, as the bundle
# lays them out (libvlc finds its plugins beside libvlccore, and in VLC_PLUGIN_PATH).
CHILD_WITHOUT_SOXR = r"""
import sys, time
import vlc
from PySide6.QtCore import QCoreApplication
from moodplayer.core.music.playlist import load_playlist
from moodplayer.playback.backend import PLAYING
from moodplayer.playback.vlc_backend import VlcBackend
app = QCoreApplication([])
backend = VlcBackend(audio_out="afile:" + sys.argv[2])
backend.load(load_playlist("tone", sys.argv[1]))
deadline = time.monotonic() + 20
while backend.state != PLAYING and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.02)
print("playing", backend.state == PLAYING)
until = time.monotonic() + 1.0
while time.monotonic() < until:
    app.processEvents()
    time.sleep(0.02)
backend.close()
"""


def libvlc_without_soxr(folder: Path) -> dict[str, str]:
    """The environment of a child whose libvlc has every plugin of this one but soxr's."""
    import os

    import pytest
    import vlc

    vlc.libvlc_get_version()
    loaded = {Path(line.split()[-1]) for line in Path("/proc/self/maps").read_text().splitlines()
              if "/libvlc" in line}  # the libraries this process loaded, wherever they are
    core = next((p for p in loaded if p.name.startswith("libvlccore.so")), Path("/nonexistent"))
    lib = next((p for p in loaded if p.name.startswith("libvlc.so")), Path("/nonexistent"))
    plugins = core.parent / "vlc" / "plugins"
    if not (core.exists() and plugins.is_dir() and list(plugins.glob("*/libsoxr_plugin.so"))):
        pytest.skip(f"no libvlccore and plugin folder with soxr beside {lib}")
    shutil.copy(lib, folder / "libvlc.so.5")
    shutil.copy(core, folder / "libvlccore.so.9")  # copied: libvlc looks beside it
    for plugin in plugins.glob("*/*.so"):
        if plugin.name != "libsoxr_plugin.so":
            (folder / "vlc" / "plugins" / plugin.parent.name).mkdir(parents=True, exist_ok=True)
            (folder / "vlc" / "plugins" / plugin.parent.name / plugin.name).symlink_to(plugin)
    env = dict(os.environ, LD_LIBRARY_PATH=str(folder), PYTHON_VLC_LIB_PATH=str(folder / "libvlc.so.5"),
               PYTHON_VLC_MODULE_PATH=str(folder / "vlc" / "plugins"),
               VLC_PLUGIN_PATH=str(folder / "vlc" / "plugins"), QT_QPA_PLATFORM="offscreen")
    return env


def test_a_libvlc_without_the_soxr_plugin_still_plays(tmp_path):
    """``--soxr-resampler-quality`` is the soxr plugin's option: a libvlc without that
    plugin refuses to start with it (an unknown option), and the player would have no
    voice at all; it plays with libvlc's own resampler instead."""
    (tmp_path / "vlc").mkdir()
    env = libvlc_without_soxr(tmp_path / "vlc")
    track, written = tmp_path / "music" / "tone.wav", tmp_path / "out.wav"
    track.parent.mkdir()
    tone(track)
    done = subprocess.run([sys.executable, "-c", CHILD_WITHOUT_SOXR, str(track.parent), str(written)],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.stdout.strip() == "playing True", done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stderr.count("unknown option") <= 1  # the second voice did not ask again
    with wave.open(str(written)) as out:
        raw = out.readframes(out.getnframes())
        width = out.getsampwidth()
    left = (np.frombuffer(raw, "<f4") if width == 4 else np.frombuffer(raw, "<i2") / 32768.0)[::2]
    assert len(left) > 44100 // 2 and np.sqrt(np.mean(left ** 2)) > 0.1  # the tone, heard
