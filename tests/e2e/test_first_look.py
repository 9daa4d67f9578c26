"""The first look (issue 20): on a camera, a profile that never had it is offered the
5-second relaxed face once; Skip or done, never again; done saves a neutral-only calibration
without a Save click. Driven with pytest-qt on a scripted camera playing a generated face
video (the real model reads it)."""

from __future__ import annotations

import pytest
from helpers import ScriptedCamera

import moodplayer.app.camera as camera_module
from moodplayer.app import AppOptions, MoodPlayerApp
from moodplayer.core.calibration import store as calibration_store
from moodplayer.core.calibration.steps import Timing
from moodplayer.core.settings.schema import load_settings
from moodplayer.dev.face_clips import HAPPY_STILL, clip_frames
from moodplayer.vision.sources import SourceSpec

FAST = Timing(neutral_s=1.5, expression_s=1.2, settle_s=0.3)


@pytest.fixture(scope="module")
def relaxed_face():
    return list(clip_frames([(HAPPY_STILL, 1.0)]))


@pytest.fixture
def camera_app(monkeypatch, tmp_path, relaxed_face):
    """The app on ``camera:0`` (a scripted camera showing a relaxed face), shut down after."""
    monkeypatch.setattr(camera_module, "parse_source", lambda text: SourceSpec("camera", device=0))
    monkeypatch.setattr(camera_module, "open_source", lambda spec, loop=True: ScriptedCamera(relaxed_face))
    apps = []
    for name in ("Default", "Bob"):  # the data folder is the test session's: start clean
        calibration_store.delete(name)

    def make(**options):
        app = MoodPlayerApp(AppOptions(overrides={"source": "camera:0"}, backend="null",
                                       config=str(tmp_path / "settings.toml"), **options))
        app.calibrating.timing = FAST
        app.start()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.shutdown()
        app.window.close()
    for name in ("Default", "Bob"):
        calibration_store.delete(name)


def wizard_opened(qtbot, app):
    qtbot.waitUntil(lambda: app.calibrating.dialog is not None, timeout=60_000)
    return app.calibrating.dialog


def test_the_first_look_is_offered_once_and_saves_the_relaxed_face(qtbot, camera_app, tmp_path):
    app = camera_app()
    dialog = wizard_opened(qtbot, app)
    assert dialog.windowTitle() == "First look — Default"
    assert app.calibrating.steps.steps[0].prompt.label == "neutral" and len(app.calibrating.steps.steps) == 1
    qtbot.waitUntil(lambda: dialog.buttons["start"].isEnabled(), timeout=30_000)
    dialog.buttons["start"].click()
    # no Save click: the relaxed face is kept when the step ends
    qtbot.waitUntil(lambda: app.calibrating.dialog is None, timeout=30_000)
    calibration, problem = calibration_store.load("Default")
    assert problem is None and calibration is not None and calibration.labels == ["neutral"]
    assert app.analysis.calibration is not None
    assert load_settings(tmp_path / "settings.toml").settings.profiles["Default"].first_look_done
    assert not app.offer_first_look()  # done: never again, in this run or the next


def test_skip_is_one_click_and_never_asks_again(qtbot, camera_app, tmp_path):
    app = camera_app()
    dialog = wizard_opened(qtbot, app)
    dialog.cancel_button.click()  # "Skip"
    assert dialog.cancel_button.text() == "Skip"
    qtbot.waitUntil(lambda: app.calibrating.dialog is None)
    assert calibration_store.load("Default") == (None, None)
    assert load_settings(tmp_path / "settings.toml").settings.profile.first_look_done
    app.shutdown()
    app.window.close()
    again = camera_app()  # the next start: no first look
    qtbot.waitUntil(lambda: again.analysis.analyzer is not None, timeout=60_000)
    qtbot.wait(300)
    assert again.calibrating.dialog is None


def test_a_new_profile_is_offered_its_first_look(qtbot, camera_app):
    app = camera_app()
    wizard_opened(qtbot, app).cancel_button.click()
    qtbot.waitUntil(lambda: app.calibrating.dialog is None)
    app.profiles.run("new", name="Bob")
    dialog = wizard_opened(qtbot, app)
    assert dialog.windowTitle() == "First look — Bob"


def test_not_offered_without_a_camera(qtbot, make_app):
    app = make_app(source="demo")  # the demo clip is nobody's face
    app.start()
    qtbot.waitUntil(lambda: app.analysis.analyzer is not None, timeout=60_000)
    qtbot.wait(300)
    assert app.calibrating.dialog is None and not app.offer_first_look()
