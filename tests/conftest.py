"""Shared fixtures. Every test runs offscreen, with its config, data and DeepFace folders
in a temporary directory, and with no network."""

from __future__ import annotations

import gc
import os
import subprocess
import tempfile
from pathlib import Path

_SESSION_TMP = Path(tempfile.mkdtemp(prefix="moodplayer-tests-"))
# where `make setup` converted face-api's nets, read before DEEPFACE_HOME is redirected
from moodplayer.vision.models import deepface_home as _setup_home

os.environ.setdefault("MOODPLAYER_SETUP_DEEPFACE_HOME", str(_setup_home()))
os.environ["QT_QPA_PLATFORM"] = os.environ.get("MOODPLAYER_TEST_QPA", "offscreen")
os.environ["XDG_CONFIG_HOME"] = str(_SESSION_TMP / "config")
os.environ["XDG_DATA_HOME"] = str(_SESSION_TMP / "data")
os.environ["XDG_CACHE_HOME"] = str(_SESSION_TMP / "cache")
os.environ["DEEPFACE_HOME"] = str(_SESSION_TMP / "deepface")
# The single-instance lock and socket (app/instance.py) of apps under test: their own, so a
# MoodPlayer the user has open (or another test run) is neither reached nor in the way.
(_SESSION_TMP / "runtime").mkdir(mode=0o700)
os.environ["XDG_RUNTIME_DIR"] = str(_SESSION_TMP / "runtime")
os.environ.pop("MOODPLAYER_CONFIG", None)
# Apps under test stay off the desktop's session bus (no MPRIS player appears there);
# tests/test_mpris.py runs a private bus of its own.
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from moodplayer.system import netguard
from moodplayer.vision.models import prepare_deepface_home, quiet_tensorflow

quiet_tensorflow()  # before anything imports TensorFlow: the same Keras as the app
prepare_deepface_home()
netguard.block_network()  # a test that opens a socket fails loudly


# Markers come from the folder a test lives in (the layer it tests): `pytest -m unit`, `-m "not e2e"`.
LAYERS = {
    "unit": "pure logic of the Qt-free core, with fakes where a part is slow",
    "vision": "the real face detector and emotion model on real faces",
    "playback": "the player backends (null and real libvlc), formats, MPRIS on a private bus",
    "ui": "widgets and dialogs on a real Qt event loop",
    "e2e": "the whole app end to end: OpenCV capture, model, Qt and libvlc",
    "cli": "the commands as real processes",
    "quality": "linters and type checks over the tree",
}


def pytest_configure(config):
    for name, what in LAYERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        layer = Path(str(item.fspath)).parent.name
        if layer in LAYERS:
            item.add_marker(getattr(pytest.mark, layer))


@pytest.fixture(scope="session")
def session_tmp() -> Path:
    return _SESSION_TMP


@pytest.fixture
def make_app(qtbot, tmp_path):
    """napari-style factory: ``make_app(source="demo", ...)`` builds the real app (the null
    backend and a settings file in tmp_path unless told otherwise); every app it built is
    shut down and its window closed when the test ends, pass or fail."""
    from moodplayer.app import AppOptions, MoodPlayerApp

    apps = []

    from moodplayer.core.settings.schema import PROFILE_OPTIONS, SETTINGS_OPTIONS

    def factory(**options):
        # a setting's name (source=, engine=, ...) is a command-line override, as `run` passes it
        overrides = {name: options.pop(name) for name in list(options)
                     if name in SETTINGS_OPTIONS or name in PROFILE_OPTIONS}
        overrides.setdefault("source", "demo")
        options["overrides"] = {**overrides, **options.get("overrides", {})}
        options.setdefault("backend", "null")
        options.setdefault("config", str(tmp_path / "settings.toml"))
        app = MoodPlayerApp(AppOptions(**options))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.shutdown()
        app.window.close()


@pytest.fixture(autouse=True)
def fresh_start():
    """Every test's app starts fresh: no resume point left by an earlier test's app."""
    from moodplayer.core.files.locations import resume_file

    resume_file().unlink(missing_ok=True)
    yield


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


@pytest.fixture
def make_session(monkeypatch):
    """A session on a FakePlayer (tests/helpers.py) with playlists of made-up tracks:
    ``make_session(profile, sizes={emotion: n}, missing={emotion})`` -> (session, player, events)."""
    from helpers import FakePlayer, tracks

    from moodplayer.core.emotions import EMOTIONS
    from moodplayer.core.music.playlist import Playlist
    from moodplayer.core.session.engine import Session
    from moodplayer.core.settings.schema import Profile

    def factory(profile=None, sizes=None, missing=()):
        sizes = {e: 2 for e in EMOTIONS} | (sizes or {})

        def fake_load(name, source):
            if name in missing:
                return Playlist(name, Path(source), [], problem="folder not found")
            return Playlist(name, Path(source), tracks(name, sizes[name]))

        monkeypatch.setattr("moodplayer.core.session.engine.load_playlist", fake_load)
        player = FakePlayer()
        session = Session(player, profile or Profile(), lambda e: Path("/demo") / e)
        player.session = session
        seen = []
        session.subscribe(seen.append)
        session.load_playlists()
        return session, player, seen
    return factory


@pytest.fixture
def session_bus(monkeypatch):
    """A private session bus for this test: its own dbus-daemon, stopped afterwards."""
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), address
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)


@pytest.fixture
def recognition_home(tmp_path, monkeypatch) -> Path:
    """The app's data in tmp_path, and DeepFace's folder where `make setup` converted
    face-api's nets (the recognition tests need them: skipped, saying why, without)."""
    setup = Path(os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"])
    if not (setup / "faceapi" / "face_recognition.npz").is_file():
        pytest.skip("face-api's nets are not converted: run 'make setup'")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("DEEPFACE_HOME", str(setup))
    return setup
