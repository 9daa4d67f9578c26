"""Enrol this listener (Profiles > Enrol this listener…, and the calibration wizard's
result page): a few seconds of the camera's largest face become the active profile's
enrolment (core/listeners): numbers only, never a picture, opt-in.

Nothing is looked at before the user clicks Start (or the wizard's Enrol this listener):
no descriptor exists before. Then, for ``seconds`` (longer, up to three times, on a machine
too slow to see WANTED_FACES faces in that time), the analysis thread makes a descriptor of
the largest face a few times a second (``AnalysisThread.set_enrolling``) and says how many
faces each frame held; recognising listeners pauses meanwhile (it must not switch the
profile under an enrolment). At the end the enrolment is made
(core/listeners/enrolment.enrol_from_frames) and saved with the profile
(core/listeners/store.py), or one line says why not (no face seen, several faces, too few)
and nothing changes. The take (``take``) shows its countdown, faces and status on a view:
this module's window (ui/enrol_dialog.py) or the calibration wizard (app/calibration.py).
The step clock is a QTimer compared with the frames' capture times, as in the calibration
wizard.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

from moodplayer.core.listeners import store
from moodplayer.core.listeners.enrolment import (
    DEFAULT_MODEL,
    MAX_KEPT,
    EnrolmentError,
    SeenFace,
    enrol_from_frames,
)
from moodplayer.pipeline import AnalysisThread
from moodplayer.ui.enrol_dialog import EnrolDialog

log = logging.getLogger("moodplayer")

ENROL_S = 5.0  # seconds of the camera's face an enrolment looks at ...
WANTED_FACES = MAX_KEPT  # ... or longer, up to LONGEST times as long, until this many were seen
LONGEST = 3.0
TICK_MS = 100
CATCH_UP_S = 1.5  # longest wait, after the end, for the last frames to be analysed


START_LINE = "Look at the camera for a few seconds, as you are, until the countdown ends."


class EnrolView(Protocol):
    """Where a take shows itself: the enrolment window, or the calibration wizard."""

    def show_status(self, text: str) -> None: ...

    def show_countdown(self, seconds: float | None) -> None: ...

    def show_face(self, faces: int | None) -> None: ...


def explanation(profile: str, seconds: float) -> str:
    """What the dialog says before anything is looked at."""
    enrolled = store.load(profile)[0] is not None
    return (f"MoodPlayer will look at the camera for {seconds:g} seconds and keep, with profile "
            f"{profile!r}, up to {MAX_KEPT} face descriptors of the largest face and their mean: "
            "128 numbers each, never a picture. They are stored on this computer only, in "
            f"{store.enrolment_path(profile)}, and used only while Settings > Recognise listeners "
            "is ask or switch. Profiles > Forget face deletes them."
            + (" This replaces the face enrolled now." if enrolled else "")
            + "\nOnly the listener should face the camera. Start when ready.")


def save_enrolment(profile: str, seen: Sequence[SeenFace], model: str | None = None) -> tuple[bool, str]:
    """(saved, the one line to show): the enrolment of what was seen (by the descriptor
    net ``model``), kept with the profile; nothing is written when it cannot be made."""
    try:
        enrolment = enrol_from_frames(profile, seen, model or DEFAULT_MODEL)
    except EnrolmentError as err:
        return False, f"Not enrolled: {err}."
    try:
        path = store.save(profile, enrolment)
    except (OSError, ValueError) as err:
        return False, f"Not enrolled: the face could not be saved ({err})."
    log.info("enrolled %s from %d faces: %d descriptors in %s", profile, enrolment.count,
             len(enrolment.descriptors), path)
    return True, (f"Enrolled {profile}: {enrolment.count} faces seen, {len(enrolment.descriptors)} "
                  f"descriptors kept in {path} (numbers only). Profiles > Forget face deletes them.")


class EnrolCommands(QObject):
    def __init__(self, window, analysis: AnalysisThread, profile: Callable[[], str],
                 enrolled: Callable[[str], None], done: Callable[[], None],
                 unavailable: Callable[[], str | None], seconds: float = ENROL_S) -> None:
        super().__init__(window)
        self.window = window
        self.analysis = analysis
        self.profile = profile  # the active profile's name, now
        self.enrolled = enrolled  # told the profile once its face is saved
        self.done = done  # the enrolment window closed: recognition as the settings say
        self.unavailable = unavailable  # why enrolling cannot work now, or None
        self.seconds = seconds  # tests make it short
        self.dialog: EnrolDialog | None = None
        self.seen: list[SeenFace] = []
        self.outcome: str | None = None  # the last line shown at the end (tests, log)
        self._view: EnrolView | None = None  # where the take in progress (or last) shows
        self._finished: Callable[[bool, str], None] | None = None
        self._for_profile = ""
        self._start_t = self._end_t = 0.0
        self._analysed_until = 0.0
        self._recording = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def open(self) -> EnrolDialog:
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        self._for_profile = self.profile()
        self.outcome = None
        self.dialog = dialog = EnrolDialog(self._for_profile, explanation(self._for_profile, self.seconds),
                                           self.window)
        dialog.start_requested.connect(self.start)
        dialog.cancel_requested.connect(self.close)
        why = self.unavailable()
        if why:
            dialog.show_status(f"Enrolling is not possible now: {why}. Nothing will be saved.")
            dialog.show_startable(False)
        else:
            dialog.show_startable(True)
        dialog.show()
        return dialog

    def start(self) -> None:
        """The window's Start."""
        if self.dialog is None:
            return
        why = self.take(self._for_profile, self.dialog, self._dialog_outcome)
        if why:
            self.dialog.show_status(why)
        else:
            self.dialog.show_startable(False)

    def _dialog_outcome(self, saved: bool, line: str) -> None:
        if self.dialog is not None:
            self.dialog.show_status(line)
            self.dialog.show_startable(not saved, done=saved)  # a failure may be tried again

    def take(self, profile: str, view: EnrolView, finished: Callable[[bool, str], None]) -> str | None:
        """Look at the camera for ``seconds`` and enrol ``profile`` from its largest face;
        ``view`` shows the countdown and faces, ``finished(saved, line)`` the outcome.
        None: started; else the one line why not (nothing is looked at)."""
        if self._recording:
            return "An enrolment is in progress already."
        why = self.unavailable()
        if why:
            return f"Enrolling is not possible now: {why}. Nothing will be saved."
        self._for_profile, self._view, self._finished = profile, view, finished
        self.seen, self._recording, self.outcome = [], True, None
        self._start_t = time.monotonic()
        self._end_t = self._start_t + self.seconds
        self._analysed_until = 0.0
        self.analysis.recognise = False  # no profile switch under an enrolment
        self.analysis.enrol_face.connect(self._on_face)
        self.analysis.enrol_failed.connect(self._on_failed)
        self.analysis.set_enrolling(True)
        view.show_status(START_LINE)
        self._timer.start()
        self._tick()
        return None

    def _on_face(self, t: float, descriptor, faces: int) -> None:
        if not self._recording or t < self._start_t:
            return
        self._analysed_until = max(self._analysed_until, t)
        if t > self._end_t:
            return
        row = None if descriptor is None else tuple(float(v) for v in descriptor)
        self.seen.append(SeenFace(row, faces))
        if self._view is not None:
            self._view.show_face(faces)

    def _on_failed(self, why: str) -> None:
        self._stop_recording()
        self._show_outcome(False, f"Not enrolled: {why}.")

    def _tick(self) -> None:
        if self._view is None or not self._recording:
            self._timer.stop()
            return
        now = time.monotonic()
        self._view.show_countdown(self._end_t - now)
        if now < self._end_t:
            return
        if self._clear_faces() < WANTED_FACES and self._end_t < self._start_t + LONGEST * self.seconds:
            # a slow machine analyses few frames: look on a little, up to LONGEST × seconds
            self._end_t = min(now + 1.0, self._start_t + LONGEST * self.seconds)
            self._view.show_status("A few more moments: keep looking at the camera.")
            return
        if self._analysed_until >= self._end_t or now >= self._end_t + CATCH_UP_S:
            self._finish()

    def _clear_faces(self) -> int:
        return sum(1 for s in self.seen if s.faces == 1 and s.descriptor is not None)

    def _finish(self) -> None:
        self._stop_recording()
        recogniser = self.analysis.recogniser
        saved, line = save_enrolment(self._for_profile, self.seen,
                                     None if recogniser is None else recogniser.model)
        if saved:
            self.enrolled(self._for_profile)
        self._show_outcome(saved, line)

    def _show_outcome(self, saved: bool, line: str) -> None:
        self.outcome = line
        log.info("enrol %s: %s", self._for_profile, line)
        if self._view is not None:
            self._view.show_countdown(None)
        if self._finished is not None:
            self._finished(saved, line)

    def _stop_recording(self) -> None:
        self._timer.stop()
        if self._recording:
            self._recording = False
            self.analysis.set_enrolling(False)
            self.analysis.enrol_face.disconnect(self._on_face)
            self.analysis.enrol_failed.disconnect(self._on_failed)

    def stop(self) -> None:
        """Stop looking (its view closes): what was saved stays, nothing else is kept, and
        recognition is as the settings say again."""
        taken = self._view is not None
        self._stop_recording()
        self.seen, self._view, self._finished = [], None, None
        if taken:
            self.done()

    def close(self) -> None:
        """Stop looking and close the window; what was saved stays, nothing else is kept."""
        self.stop()
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.cancel_requested.disconnect(self.close)
            dialog.close()
            dialog.deleteLater()
