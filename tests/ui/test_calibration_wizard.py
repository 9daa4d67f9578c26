"""The calibration wizard on the real app: a generated video of packaged faces is the
camera, the real model reads it, and the wizard is driven through its buttons (steps,
retry, skip, finish, save, cancel), then the app is restarted and the calibration forgotten.
No face descriptor is made during the steps; the result page's "Enrol this listener" then
looks at the live camera for a few seconds. The steps are short here (Timing); the app's are
5 s and 4 s, the enrolment's 5 s."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from media import ANGRY_STILL, HAPPY_STILL, SURPRISE_STILL, expression_video
from pages import MainPage

from moodplayer.core.calibration import store as calibration_store
from moodplayer.core.calibration.steps import DONE, NO_FACE, RECORDING, SKIPPED, Timing
from moodplayer.core.listeners import store as listener_store
from moodplayer.vision.listeners import ListenerRecogniser

FAST = Timing(neutral_s=1.5, expression_s=1.2, settle_s=0.3)
MODEL_S = 120_000  # the model loads on a machine shared with other work
STEP_S = 30_000


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path, monkeypatch):
    """Calibrations of these tests live in their own data folder, whatever happens."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def face_video(tmp_path):
    return expression_video(tmp_path / "faces.mp4",
                            [(HAPPY_STILL, 2), (SURPRISE_STILL, 2), (ANGRY_STILL, 2)], fps=10)


def open_wizard(qtbot, app):
    app.calibrating.timing = FAST
    app.enrolling.seconds = 2.0  # the enrolment the result page offers (the app's is 5 s)
    nets = Path(os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"]) / "faceapi"
    if (nets / "face_recognition.npz").is_file():  # face-api's nets, as make setup converted them
        app.analysis.make_recogniser = lambda: ListenerRecogniser.load(nets)
    MainPage(app.window).profile_action("calibrate").trigger()
    dialog = app.calibrating.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def enabled(dialog) -> set[str]:
    return {name for name, button in dialog.buttons.items() if button.isEnabled()}


def click(qtbot, dialog, action: str) -> None:
    assert dialog.buttons[action].isEnabled(), f"{action} is disabled: {enabled(dialog)}"
    dialog.buttons[action].click()


def wait_step_over(qtbot, app):
    qtbot.waitUntil(lambda: app.calibrating.steps.current.status in (DONE, NO_FACE), timeout=STEP_S)
    return app.calibrating.steps.current


def test_the_wizard_steps_retry_skip_save_survive_a_restart_and_can_be_forgotten(
        qtbot, make_app, face_video, tmp_path):
    app = make_app(source=str(face_video))
    app.start()
    dialog = open_wizard(qtbot, app)
    assert app.analysis.collecting
    qtbot.waitUntil(lambda: "start" in enabled(dialog), timeout=MODEL_S)
    assert "Relax your face" in dialog.prompt_label.text()
    assert "skip" not in enabled(dialog)  # the relaxed face is required

    click(qtbot, dialog, "start")
    assert app.calibrating.steps.current.status == RECORDING
    qtbot.waitUntil(lambda: "face found" in dialog.face_label.text(), timeout=STEP_S)
    assert "s" in dialog.countdown_label.text()
    first = wait_step_over(qtbot, app)
    assert first.status == DONE and first.samples, dialog.status_label.text()
    # the first moments of the step are left out, and nothing after its end is taken
    assert all(first.start + FAST.settle_s <= s[0] < first.end for s in first.samples)
    assert {"retry", "next", "finish"} <= enabled(dialog)
    first_start, first_frames = first.start, list(first.samples)

    click(qtbot, dialog, "retry")  # the same step again, from scratch
    assert app.calibrating.steps.index == 0 and app.calibrating.steps.current.status == RECORDING
    assert "next" not in enabled(dialog)
    retried = wait_step_over(qtbot, app)
    assert retried.status == DONE and retried.start > first_start
    assert retried.samples and retried.samples[0][0] > first_frames[-1][0]  # the old take is gone

    click(qtbot, dialog, "next")  # "Smile" starts recording at once ...
    assert "Smile" in dialog.prompt_label.text() and "optional" in dialog.step_label.text()
    click(qtbot, dialog, "skip")  # ... and is skipped
    assert app.calibrating.steps.steps[1].status == SKIPPED
    assert "Look sad" in dialog.prompt_label.text()
    sad = wait_step_over(qtbot, app)
    assert sad.status == DONE
    click(qtbot, dialog, "finish")  # the other steps are left out
    assert all(s.status == SKIPPED for s in app.calibrating.steps.steps[3:])
    status = dialog.status_label.text()
    assert "before calibration" in status and "after" in status and "sad, neutral" in status
    assert enabled(dialog) == {"save", "enrol"}  # enrolling this listener is offered, not done
    assert "None was made before you click it" in status
    # no face descriptor was computed during the steps: nothing describing who this is
    assert app.analysis.descriptors_made == 0 and not app.analysis.enrolling
    assert calibration_store.load("Default") == (None, None)  # nothing saved before Save
    assert app.mood_history == []  # posed faces never reached the mood (nor the music)

    click(qtbot, dialog, "save")
    assert app.calibrating.dialog is None and not app.analysis.collecting
    saved, problem = calibration_store.load("Default")
    assert problem is None and saved.labels == ["sad", "neutral"]
    assert saved.stats["neutral"].count == 1 and saved.stats["sad"].count == 1  # one take each
    assert app.analysis.calibration is not None
    assert "calibrated ✓" in MainPage(app.window).calibration_state.text()
    # only numbers reached the data folder: one JSON file, no picture
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert files == [calibration_store.calibration_path("Default")]
    assert json.loads(files[0].read_text())["calibration"]["labels"]
    app.shutdown()

    again = make_app(source=str(face_video))  # a restart on the same settings and data
    assert again.analysis.calibration is not None and again.analysis.calibration.labels == ["sad", "neutral"]
    assert "calibrated ✓" in MainPage(again.window).calibration_state.text()
    MainPage(again.window).profile_action("forget_calibration").trigger()
    assert "not calibrated" in MainPage(again.window).calibration_state.text()
    assert calibration_store.load("Default") == (None, None)


def test_cancel_saves_nothing_and_recalibrating_replaces(qtbot, make_app, face_video, tmp_path):
    app = make_app(source=str(face_video))
    app.start()
    dialog = open_wizard(qtbot, app)
    qtbot.waitUntil(lambda: "start" in enabled(dialog), timeout=MODEL_S)
    click(qtbot, dialog, "start")
    assert wait_step_over(qtbot, app).status == DONE
    click(qtbot, dialog, "finish")
    assert enabled(dialog) == {"save", "enrol"}
    assert app.analysis.descriptors_made == 0 and not app.analysis.enrolling  # none during the steps
    click(qtbot, dialog, "enrol")  # the live enrolment starts ...
    assert app.analysis.enrolling and "look at the camera for a few seconds" in dialog.status_label.text().lower()
    assert enabled(dialog) == set()  # only Cancel while it looks
    dialog.cancel_button.click()  # ... and is cancelled: neither the calibration nor the face is kept
    assert app.calibrating.dialog is None and not app.analysis.collecting and not app.analysis.enrolling
    assert app.enrolling.outcome is None and listener_store.load("Default") == (None, None)
    assert calibration_store.load("Default") == (None, None) and app.analysis.calibration is None
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.json"))
    assert "not calibrated" in MainPage(app.window).calibration_state.text()

    dialog = open_wizard(qtbot, app)  # again, with two steps, saved this time
    qtbot.waitUntil(lambda: "start" in enabled(dialog), timeout=STEP_S)
    click(qtbot, dialog, "start")
    assert wait_step_over(qtbot, app).status == DONE
    click(qtbot, dialog, "next")
    assert wait_step_over(qtbot, app).status == DONE  # Smile
    click(qtbot, dialog, "finish")
    made = app.analysis.descriptors_made  # the cancelled enrolment's, none since
    click(qtbot, dialog, "enrol")  # a few seconds of the live camera enrol this listener too
    assert "look at the camera for a few seconds" in dialog.status_label.text().lower()
    qtbot.waitUntil(lambda: app.enrolling.outcome is not None, timeout=STEP_S)
    assert "Enrolled Default" in dialog.status_label.text(), dialog.status_label.text()
    assert "Learnt happy, neutral" in dialog.status_label.text()  # the result stays above
    assert enabled(dialog) == {"save"} and not app.analysis.enrolling
    assert app.analysis.descriptors_made > made
    enrolment = listener_store.load("Default")[0]
    assert enrolment is not None and enrolment.count >= 3
    # numbers only: one JSON file of 128-d descriptors, no picture
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert files == [listener_store.enrolment_path("Default")]
    data = json.loads(files[0].read_text())["enrolment"]
    assert all(len(d) == 128 and all(isinstance(v, float) for v in d) for d in data["descriptors"])
    assert "face enrolled ✓" in MainPage(app.window).profile_action("enrol").text()
    click(qtbot, dialog, "save")
    assert calibration_store.load("Default")[0].labels == ["happy", "neutral"]

    dialog = open_wizard(qtbot, app)  # re-calibrating replaces it
    qtbot.waitUntil(lambda: "start" in enabled(dialog), timeout=STEP_S)
    click(qtbot, dialog, "start")
    assert wait_step_over(qtbot, app).status == DONE
    click(qtbot, dialog, "finish")
    assert "replaces" in dialog.status_label.text()
    click(qtbot, dialog, "save")
    assert calibration_store.load("Default")[0].labels == ["neutral"]
    assert app.analysis.calibration.labels == ["neutral"]


def test_a_step_without_a_face_says_so_and_offers_retry(qtbot, make_app, tmp_path):
    video = tmp_path / "empty.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for i in range(20):  # a wall: no face anywhere
        writer.write(np.full((240, 320, 3), 90 + i % 3, np.uint8))
    writer.release()
    app = make_app(source=str(video))
    app.start()
    dialog = open_wizard(qtbot, app)
    qtbot.waitUntil(lambda: "start" in enabled(dialog), timeout=MODEL_S)
    click(qtbot, dialog, "start")
    assert wait_step_over(qtbot, app).status == NO_FACE
    assert "no face was seen" in dialog.status_label.text()
    assert "○ no face" in dialog.face_label.text()  # live: the wall is still there
    assert enabled(dialog) == {"retry"}  # the relaxed face is required: no skip, no save
    dialog.cancel_button.click()
    assert calibration_store.load("Default") == (None, None)


def test_without_a_camera_or_analysis_the_wizard_says_why_and_offers_nothing(qtbot, make_app, face_video):
    app = make_app()  # the demo clip: no camera
    dialog = open_wizard(qtbot, app)
    assert "no camera" in dialog.status_label.text() and enabled(dialog) == set()
    assert not app.analysis.collecting
    dialog.cancel_button.click()

    off = make_app(source=str(face_video), engine="deepface")  # no DeepFace weights here
    off.start()
    dialog = open_wizard(qtbot, off)
    qtbot.waitUntil(lambda: "analysis is off" in dialog.status_label.text(), timeout=MODEL_S)
    assert enabled(dialog) == set()
    dialog = off.calibrating.dialog
    dialog.cancel_button.click()
    dialog = open_wizard(qtbot, off)  # opened after the failure: says so at once
    assert "analysis is off" in dialog.status_label.text() and enabled(dialog) == set()
    dialog.cancel_button.click()
    assert calibration_store.load("Default") == (None, None)


def test_while_collecting_every_frame_is_analysed(qtbot):
    """The bounded rate leaves frames out once the mood has settled, except while
    calibrating (and the capture thread then decodes every frame for it)."""
    from moodplayer.core.emotions import Reading
    from moodplayer.core.session.mood_window import MoodWindow
    from moodplayer.pipeline import AnalysisThread, FrameSlot, _FullRateWhileCollecting

    thread = AnalysisThread(FrameSlot(), make_analyzer=None, adaptive=True)
    rate = _FullRateWhileCollecting(thread)
    reading = Reading(t=0.0, box=(0, 0, 10, 10), face_confidence=1.0,
                      scores=(0.9,) + (0.1 / 6,) * 6, faces=1)
    window = MoodWindow()
    for k in range(6):
        rate.analysed(k * 0.01, reading)
        thread.pace.follow(window.push(reading))
    assert not rate.wants(0.07) and not thread.wants_frame(0.07)  # a settled mood: skipped ...
    thread.set_collecting(True)
    assert rate.wants(0.07) and thread.wants_frame(0.07)  # ... but not while calibrating
