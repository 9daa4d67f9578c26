"""Who is listening, in the app (issue 22): the GUI side of recognising enrolled listeners.

The analysis thread (pipeline.py) makes the largest face's descriptor about once a second,
only while this says so: the ``recognise_listeners`` setting is ask or switch AND at least
one profile is enrolled (``moodplayer enrol``). Off, no descriptor is made at all. Each
descriptor is identified here (core/listeners/matching.py) and pushed to the tracker
(core/listeners/tracker.py), whose decisions are carried out:

* a known listener other than the active profile's, seen for a few seconds: the profile
  switches (switch) or a non-modal question offers it (ask); explained in the window, the
  log and the session record (a Notice);
* a face nobody enrolled, or a known other listener not switched to: the active profile's
  calibration is not applied (it was made for another face) until its person is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from moodplayer.core.listeners import store
from moodplayer.core.listeners.enrolment import Enrolment
from moodplayer.core.listeners.matching import identify
from moodplayer.core.listeners.tracker import ListenerChange, ListenerTracker
from moodplayer.core.settings.schema import Settings

log = logging.getLogger("moodplayer")


class ListenerRecognition(QObject):
    def __init__(self, window, analysis, notify: Callable[[str], None],
                 switch_profile: Callable[[str], None],
                 calibration_applies: Callable[[bool], None]) -> None:
        super().__init__()
        self.window = window
        self.analysis = analysis
        self.notify = notify  # the session's Notice: window and record
        self.switch_profile = switch_profile
        self.set_calibration_applies = calibration_applies
        self.mode = "off"
        self.enrolments: list[Enrolment] = []
        self.tracker = ListenerTracker("")
        self.calibration_applies = True
        self.question: QMessageBox | None = None
        self.changes: list[ListenerChange] = []  # what was decided, for tests and the log
        analysis.listener_face.connect(self.on_face)
        analysis.recognition_failed.connect(self._on_failed)

    @property
    def on(self) -> bool:
        return self.mode != "off" and bool(self.enrolments)

    def apply(self, settings: Settings) -> None:
        """The settings as they are now: the mode, the active profile, the enrolments (a
        profile renamed, enrolled, forgotten or deleted changes them)."""
        self.mode = settings.recognise_listeners
        self.enrolments, problems = store.load_all(list(settings.profiles))
        for problem in problems:
            self.window.show_message(f"Recognition: {problem}")
        active = settings.active_profile
        if self.question is not None and self.tracker.active != active:
            self._close_question()
        self.tracker.set_active(active, [e.profile for e in self.enrolments])
        self.analysis.recognise = self.on  # off: no descriptor is made from now on
        self.window.profile_bar.show_enrolled(any(e.profile == active for e in self.enrolments))
        if not self.on:
            self._calibration(True)  # nobody is recognised: the calibration is the profile's
        else:
            self._calibration(self.tracker.calibration_applies)

    def forget(self, settings: Settings) -> None:
        """"Forget face": the active profile's enrolment is deleted."""
        name = settings.active_profile
        try:
            had = store.delete(name)
        except OSError as err:
            self.window.show_message(f"The enrolled face could not be deleted: {err}")
            return
        self.apply(settings)
        self.window.statusBar().showMessage(
            f"Profile {name}: enrolled face forgotten" if had else f"Profile {name}: no enrolled face", 5000)

    # --- what the analysis reports ----------------------------------------------------------
    def on_face(self, t: float, descriptor) -> None:
        if not self.on:
            return  # a descriptor already on its way when recognition was turned off
        if descriptor is None:
            self.tracker.push(t, None, face=False)
        else:
            match = identify(descriptor, self.enrolments, model=self._model())
            change = self.tracker.push(t, match.profile if match else None)
            if change is not None:
                self._on_change(change)
        self._calibration(self.tracker.calibration_applies)

    def _model(self) -> str | None:
        recogniser = self.analysis.recogniser
        return None if recogniser is None else recogniser.model

    def _on_change(self, change: ListenerChange) -> None:
        self.changes.append(change)
        log.info("listener: %s", change.why)
        target = change.switch_to
        if target is None:
            self.notify(f"Listener: {change.why}")
            return
        if self.mode == "switch":
            self.switch_profile(target)  # first: the new profile's record says why it began
            self.notify(f"Listener: {change.why}")
        else:
            self.notify(f"Listener: {change.why}? (asking first)")
            self._ask(target)

    def _ask(self, target: str) -> None:
        self._close_question()
        box = QMessageBox(QMessageBox.Icon.Question, "Listener recognised",
                          f"{target} seems to be listening. Switch to profile {target} (their music, "
                          f"mood window and calibration)?", QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("listenerQuestion")
        switch = box.addButton(f"Switch to {target}", QMessageBox.ButtonRole.AcceptRole)
        switch.setObjectName("listenerSwitch")
        stay = box.addButton("Stay", QMessageBox.ButtonRole.RejectRole)
        stay.setObjectName("listenerStay")
        box.setWindowModality(Qt.WindowModality.NonModal)  # the music keeps going
        box.buttonClicked.connect(lambda button: self._answer(target, button is switch))
        box.show()
        self.question = box

    def _answer(self, target: str, switch: bool) -> None:
        self.question = None
        if switch:
            self.switch_profile(target)
            self.notify(f"Listener: switched to profile {target} (asked)")
        else:
            self.tracker.decline()
            self.notify(f"Listener: stayed on profile {self.tracker.active}; its calibration is "
                        f"not applied while {target} listens")
            self._calibration(self.tracker.calibration_applies)

    def _close_question(self) -> None:
        if self.question is not None:
            box, self.question = self.question, None
            box.close()
            box.deleteLater()

    def _calibration(self, applies: bool) -> None:
        if applies != self.calibration_applies:
            self.calibration_applies = applies
            self.set_calibration_applies(applies)

    def _on_failed(self, why: str) -> None:
        self.window.show_message(f"Recognising listeners is off: {why}")
