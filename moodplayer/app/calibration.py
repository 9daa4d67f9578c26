"""The calibration wizard's controller (Profiles > Calibrate…): it owns the steps, their
clock and the frames collected, and tells the wizard's window what to show.

While the wizard is open the analysis thread hands over, for every analysed frame with a
face, its uncalibrated scores and features (``AnalysisThread.set_collecting``), at the full
rate. Numbers only: no frame or crop is kept or written. The step clock is a QTimer on the
GUI thread, compared with the frames' capture times (the same monotonic clock), so a frame
analysed late still counts for the step it was captured in; a step closes once the analysis
has caught up with its end (or after ``CATCH_UP_S``). At the end the calibration is fitted
(core/calibration.py), its agreement with the prompts shown before and after, and only Save
writes it (core/calibration_store.py) and puts it to use; Cancel keeps nothing.

No face descriptor is made while the steps record: the result page's "Enrol this listener"
starts, only when clicked, the same few-seconds live enrolment as Profiles > Enrol this
listener… (app/enrolment.py EnrolCommands.take), its countdown and outcome shown here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QTimer

from moodplayer.app.enrolment import EnrolCommands
from moodplayer.core.calibration import store as calibration_store
from moodplayer.core.calibration.model import Calibration, CalibrationError, agreement
from moodplayer.core.calibration.steps import (
    DONE,
    FIRST_LOOK,
    NO_FACE,
    PENDING,
    PROMPTS,
    RECORDING,
    SKIPPED,
    CalibrationSteps,
    Timing,
    steadiness,
)
from moodplayer.pipeline import AnalysisThread
from moodplayer.ui.calibration_wizard import CalibrationWizard
from moodplayer.ui.main_window import MainWindow

log = logging.getLogger("moodplayer")

TICK_MS = 100  # countdown and meters
CATCH_UP_S = 1.5  # longest wait, after a step's end, for its last frames to be analysed
STEADY_FRAMES = 10  # the steadiness meter looks at this many latest frames

_MARKS = {PENDING: " ", RECORDING: "…", DONE: "✓", NO_FACE: "✗", SKIPPED: "–"}


class CalibrationCommands(QObject):
    def __init__(self, window: MainWindow, analysis: AnalysisThread, profile: Callable[[], str],
                 use: Callable[[Calibration], None], unavailable: Callable[[], str | None],
                 timing: Timing = Timing(), first_look_over: Callable[[str], None] = lambda p: None) -> None:
        super().__init__(window)
        self.window = window
        self.analysis = analysis
        self.profile = profile  # the active profile's name, now
        self.use = use  # put a calibration to use (the app's use_calibration)
        self.unavailable = unavailable  # why calibrating cannot work now, or None
        self.timing = timing  # tests make the steps short
        self.first_look = False  # the 5-second relaxed face only, saved at once (FIRST_LOOK)
        self.first_look_over = first_look_over  # told the profile once it was done or skipped
        self.dialog: CalibrationWizard | None = None
        # the live enrolment the result page's "Enrol this listener" starts (the app's, as
        # in the Profiles menu); None: not offered
        self.enrol: EnrolCommands | None = None
        # recognition as the settings say, once the wizard closes (the app's ListenerRecognition)
        self.recognition_resumed: Callable[[], None] = lambda: None
        self._result_status = ""  # the result page's text, the enrolment's line goes under it
        self.steps: CalibrationSteps | None = None
        self.result: Calibration | None = None
        self._for_profile = ""
        self._connections: list = []
        self._recent: list = []  # the latest raw samples, for the steadiness meter
        self._analysed_until = 0.0  # capture time of the newest frame analysed
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def _open_dialog(self) -> CalibrationWizard:
        """The wizard, for what runs only while it is open (its buttons, its clock)."""
        if self.dialog is None:
            raise RuntimeError("the calibration wizard is not open")
        return self.dialog

    @property
    def _open_steps(self) -> CalibrationSteps:
        """The open wizard's steps."""
        if self.steps is None:
            raise RuntimeError("the calibration wizard is not open")
        return self.steps

    # --- opening and closing ------------------------------------------------------------------
    def open(self, first_look: bool = False) -> CalibrationWizard:
        """The wizard (Profiles > Calibrate…), or with ``first_look`` the one relaxed-face
        step offered once per profile: Skip (the cancel button) or done, it is not offered
        again, and its calibration is kept without a Save click."""
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        self._for_profile = self.profile()
        self.first_look = first_look
        self.dialog = dialog = (
            CalibrationWizard(self._for_profile, self.window, "First look", "Skip") if first_look
            else CalibrationWizard(self._for_profile, self.window))
        # Nobody is recognised while someone calibrates: no descriptor, and no profile switch
        # under the wizard (its Save belongs to the profile it was opened for).
        self.analysis.recognise = False
        prompts = FIRST_LOOK if first_look else PROMPTS
        self.steps, self.result = CalibrationSteps(self.timing, prompts), None
        self._recent, self._analysed_until = [], 0.0
        for signal, slot in ((dialog.start_requested, self._start), (dialog.retry_requested, self._start),
                             (dialog.next_requested, self._next), (dialog.skip_requested, self._skip),
                             (dialog.finish_requested, self._finish_early),
                             (dialog.save_requested, self._save), (dialog.cancel_requested, self.close),
                             (dialog.enrol_requested, self._enrol)):
            signal.connect(slot)
        offers_enrolment = self.enrol is not None and not first_look
        dialog.buttons["enrol"].setVisible(offers_enrolment)
        self._show_step()
        if not self._say_if_unavailable():
            self.analysis.set_collecting(True)
            feeds: list[tuple[Any, Callable[..., None]]] = [
                (self.analysis.raw_samples, self._on_raw), (self.analysis.readings, self._on_readings)]
            for feed, handler in feeds:
                feed.connect(handler)
                self._connections.append((feed, handler))
            if self.analysis.analyzer is None:
                # The model is still loading (or failing): the clock looks again each tick,
                # a signal sent before the wizard opened would be missed.
                dialog.show_status("Waiting for the emotion model to load…")
                dialog.show_actions()
                self._timer.start()
            else:
                self._ready_to_start()
        dialog.show()
        return dialog

    def _say_if_unavailable(self) -> bool:
        """True (and the wizard says why, offering nothing) when calibrating cannot work."""
        why = self.unavailable()
        if why:
            self._timer.stop()
            self._open_dialog.show_status(f"Calibration is not possible now: {why}. Nothing will be saved.")
            self._open_dialog.show_actions()
        return bool(why)

    def close(self) -> None:
        """Stop collecting and close the wizard; nothing is saved (Save saved already)."""
        if self.first_look and self.dialog is not None:  # done or skipped: never offered again
            self.first_look = False
            self.first_look_over(self._for_profile)
        self._timer.stop()
        self.analysis.set_collecting(False)
        if self.enrol is not None and self.dialog is not None:
            self.enrol.stop()  # an enrolment in progress is dropped, unsaved
        if self.dialog is not None:
            self.recognition_resumed()
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.cancel_requested.disconnect(self.close)
            dialog.close()
            dialog.deleteLater()

    # --- what the analysis reports -------------------------------------------------------------
    def _on_raw(self, samples: list) -> None:
        if not samples:
            return
        self._recent = (self._recent + samples)[-STEADY_FRAMES:]
        if self.steps is not None and not self.steps.over:
            self.steps.add(samples)

    def _enrol(self) -> None:
        """Enrol this listener (the result page offers it): only now is the camera's face
        described, for a few seconds, as Profiles > Enrol this listener… does."""
        if self.enrol is None or self.dialog is None:
            return
        why = self.enrol.take(self._for_profile, _WizardEnrolView(self.dialog), self._enrol_over)
        if why:
            self._enrol_over(False, why)
            return
        self.dialog.show_meters(True)
        self.dialog.show_steadiness(None)
        self.dialog.show_actions()  # Cancel only, while it looks

    def _enrol_over(self, saved: bool, line: str) -> None:
        if self.dialog is None:
            return
        self.dialog.show_meters(False)
        self.dialog.show_status(f"{self._result_status}\n{line}")
        actions = ["save"] if self.result is not None else []
        if not saved:
            actions.append("enrol")  # nothing changed: it may be tried again
        self.dialog.show_actions(*actions)

    def _on_readings(self, readings: list) -> None:
        if not readings:
            return
        self._analysed_until = max(self._analysed_until, readings[-1].t)
        if self.dialog is not None and not self._open_steps.over:
            self.dialog.show_face(readings[-1].has_face)  # live, also between the takes

    # --- the steps ----------------------------------------------------------------------------
    def _ready_to_start(self) -> None:
        if self.first_look:
            self._open_dialog.show_status("Five seconds, once: relax your face and look at the screen, "
                                    "so MoodPlayer knows your resting face (numbers only, never a "
                                    "picture). Start, or Skip.")
            self._open_dialog.show_actions("start")
            return
        enrol = (" At the end you may also enrol this listener (a few more seconds of the "
                 "camera, only if you click Enrol this listener).") if self.enrol is not None else ""
        self._open_dialog.show_status("Sit in good light, face the camera, and press Start. Each step "
                                "has a countdown; hold the face until it ends." + enrol)
        self._open_dialog.show_actions("start")

    def _start(self) -> None:
        """Record the current step (again, for a retry)."""
        if self._open_steps.over:
            return
        self._open_steps.begin(time.monotonic())
        self._recent = []
        self._show_step()
        self._open_dialog.show_status("Hold that face until the countdown ends.")
        self._show_actions_while_recording()
        self._timer.start()
        self._tick()

    def _next(self) -> None:
        self._advance(self._open_steps.next)

    def _skip(self) -> None:
        self._advance(self._open_steps.skip)

    def _finish_early(self) -> None:
        self._advance(self._open_steps.finish_early)

    def _advance(self, move) -> None:
        """Next, Skip or Finish now: a move the steps refuse is said, not done."""
        try:
            move()
        except ValueError as err:
            self._open_dialog.show_status(f"{err}.")
            return
        self._go_on()

    def _go_on(self) -> None:
        """The next step records at once (its first moments are left out anyway); after the
        last one, the result."""
        self._timer.stop()
        if self._open_steps.over:
            self._show_result()
        else:
            self._start()

    def _tick(self) -> None:
        step = self.steps.current if self.steps is not None else None
        if self.dialog is None or step is None or self._say_if_unavailable():
            self._timer.stop()
            return
        if step.status == PENDING:  # waiting for the model
            if self.analysis.analyzer is not None:
                self._timer.stop()
                self._ready_to_start()
            return
        if step.status != RECORDING:
            self._timer.stop()
            return
        now = time.monotonic()
        self.dialog.show_countdown(step.end - now)
        self.dialog.show_steadiness(steadiness(self._recent))
        caught_up = self._analysed_until >= step.end or now >= step.end + CATCH_UP_S
        if now >= step.end and caught_up:
            self._timer.stop()
            self._step_over()

    def _step_over(self) -> None:
        step = self._open_steps.finish()
        self._open_dialog.show_countdown(None)
        self._open_dialog.show_steadiness(None)  # it speaks of the take in progress only
        self._show_step()
        if step.status == DONE and self.first_look:
            self._keep_first_look()
            return
        if step.status == DONE:
            steady = steadiness(step.samples)
            steady_text = "" if steady is None else f", steadiness {100 * steady:.0f} %"
            self._open_dialog.show_status(f"{step.prompt.text}: {len(step.samples)} frames kept{steady_text}. "
                                    "Next, or Retry this step.")
            actions = ["retry", "next"]
        else:
            self._open_dialog.show_status(f"{step.prompt.text}: no face was seen. Check the light and "
                                    "that your face is in the picture, then Retry"
                                    + ("." if step.prompt.required else ", or Skip this step."))
            actions = ["retry"]
        if not step.prompt.required:
            actions.append("skip")
        if self._open_steps.has_neutral:
            actions.append("finish")
        self._open_dialog.show_actions(*actions)

    def _show_actions_while_recording(self) -> None:
        actions = ["retry"]
        step = self._open_steps.current
        if step is not None and not step.prompt.required:
            actions.append("skip")
        if self._open_steps.has_neutral:
            actions.append("finish")
        self._open_dialog.show_actions(*actions)

    def _show_step(self) -> None:
        steps = self._open_steps
        current = steps.current
        total = len(steps.steps)
        if current is not None:
            self._open_dialog.show_step(steps.index + 1, total, current.prompt.text, not current.prompt.required)
        lines = []
        for step in steps.steps:
            detail = f": {len(step.samples)} frames" if step.status == DONE else (
                f" ({step.status})" if step.status not in (PENDING, RECORDING) else "")
            lines.append(f"{_MARKS[step.status]} {step.prompt.text}{detail}")
        self._open_dialog.show_overview(lines)

    # --- the result ---------------------------------------------------------------------------
    def _show_result(self) -> None:
        self._show_step()
        self._open_dialog.show_heading("All steps done", "Result")
        self._open_dialog.show_meters(False)
        enrol = ["enrol"] if self.enrol is not None and not self.first_look else []
        offer = ("\nEnrol this listener looks at the camera for a few seconds more and keeps, with "
                 "the profile, face descriptors of the largest face (numbers only, never a picture; "
                 "Profiles > Forget face deletes them). None was made before you click it."
                 if enrol else "")
        samples, takes = self._open_steps.labelled()
        try:
            self.result = self._open_steps.fit()
        except CalibrationError as err:
            self._result_status = f"No calibration: {err}. Nothing will be saved.{offer}"
            self._open_dialog.show_status(self._result_status)
            self._open_dialog.show_actions(*enrol)
            return
        before, after = agreement(samples, None), agreement(samples, self.result)
        space = "features" if self.result.uses_features else "scores only"
        self._result_status = (
            f"Learnt {', '.join(self.result.labels)} from {len(samples)} frames ({space}).\n"
            f"On these frames the reader agreed with your prompts {100 * before:.0f} % of the time "
            f"before calibration, {100 * after:.0f} % after.\n"
            f"Save keeps it with profile {self._for_profile!r} (numbers only, never a picture)"
            + (" and replaces its calibration." if calibration_store.load(self._for_profile)[0] else ".")
            + offer)
        self._open_dialog.show_status(self._result_status)
        self._open_dialog.show_actions("save", *enrol)
        log.info("calibration of %s: %s, agreement %.2f -> %.2f, takes %s", self._for_profile,
                 self.result.labels, before, after, takes)

    def _keep_first_look(self) -> None:
        """The relaxed face is taken: fit and save at once (the first look asks no more)."""
        try:
            self.result = self._open_steps.fit()
        except CalibrationError as err:
            self._open_dialog.show_status(f"No calibration: {err}. Retry, or Skip.")
            self._open_dialog.show_actions("retry")
            return
        self._save()

    def _save(self) -> None:
        if self.result is None:
            return
        profile = self._for_profile
        try:
            path = calibration_store.save(profile, self.result)
        except (OSError, ValueError) as err:
            self._open_dialog.show_status(f"The calibration could not be saved: {err}. Nothing was lost: "
                                    "try Save again, or Cancel.")
            return
        if profile == self.profile():  # the wizard is modal: it still is the active profile
            self.use(replace(self.result, profile=profile))
        self.window.statusBar().showMessage(
            f"Profile {profile}: calibrated on {', '.join(self.result.labels)}", 5000)
        log.info("calibration of %s saved to %s", profile, path)
        self.close()


class _WizardEnrolView:
    """The wizard as an enrolment's view (app/enrolment.EnrolView): its countdown, its face
    meter and its status line."""

    def __init__(self, wizard: CalibrationWizard) -> None:
        self.wizard = wizard

    def show_status(self, text: str) -> None:
        self.wizard.show_status(text)

    def show_countdown(self, seconds: float | None) -> None:
        self.wizard.show_countdown(seconds)

    def show_face(self, faces: int | None) -> None:
        self.wizard.show_face(None if faces is None else faces > 0)
