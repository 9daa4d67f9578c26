"""The two worker threads between the camera and the window.

capture: a QThread whose ``run()`` reads frames and keeps only the newest in a
``FrameSlot``; a slow analyzer never builds a queue of stale frames. Only the frames
someone will use are decoded: those the analysis rate will read, and, while a preview is
shown, as few more as keep it painted at 15 a second (``vision.rate.PreviewPace``: every decoded
frame is painted, so a frame decoded for the analysis is also the preview's); the others
are grabbed (the camera's buffer moves on) and dropped undecoded.
analysis: a QThread that builds the analyzer on itself (TensorFlow objects must stay on
the thread that made them), then analyses the newest frame, again and again. Readings go
to the GUI in batches on a queued signal at most ``EMIT_HZ`` times a second: no reading
is lost, the GUI thread is not flooded, and it never runs detection or inference.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PySide6.QtCore import QThread, Signal

from moodplayer.vision.rate import AnalysisRate, PreviewPace
from moodplayer.vision.sources import FrameSource, Pacer
from moodplayer.vision.timeline import read_frames

EMIT_HZ = 20
# Recognising listeners (issue 22): at most one face descriptor (~40 ms of one core) per
# this many seconds, and only while the GUI asks for them (``recognise``).
DESCRIBE_EVERY_S = 1.0
# Enrolling a listener (app/enrolment.py: the Profiles menu or the calibration wizard's
# result page): a descriptor of the largest face at most this often, only after the user
# clicked to enrol (``enrolling``).
ENROL_EVERY_S = 0.25
log = logging.getLogger("moodplayer")


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    t: float  # time.monotonic() when captured
    seq: int


class FrameSlot:
    """Holds only the newest frame. ``wait_newer`` blocks until a newer one arrives."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._seq = 0  # frames ever put: a sequence number that never goes back
        self._taken = 0  # seq of the last frame handed to the analyzer
        self.dropped = 0  # frames replaced before anyone analysed them
        # Which frames are worth decoding (plain attributes: the GUI and the analysis
        # thread set them, the capture thread reads them). None: every frame (no analysis
        # thread has said what it needs, e.g. while the model warms up).
        self.analysis_wants: Callable[[float], bool] | None = None
        # Set by the preview while it is shown: called (on the capture thread) after each
        # new frame; frames are then also decoded at the preview's pace. None: no preview.
        self.on_new_frame: Callable[[], None] | None = None
        self.preview_pace = PreviewPace()

    def wanted(self, t: float) -> bool:
        """Whether the frame captured at ``t`` should be decoded (the capture thread asks
        for every frame it grabs, before decoding it): the analysis will read it, or the
        preview needs it."""
        self.preview_pace.grabbed(t)
        wants = self.analysis_wants
        analysis = wants is None or wants(t)
        return analysis or (self.on_new_frame is not None and self.preview_pace.due(t))

    def put(self, image: np.ndarray, t: float) -> None:
        with self._cond:
            self._seq += 1
            if self._frame is not None and self._frame.seq != self._taken:
                self.dropped += 1
            self._frame = Frame(image, t, self._seq)
            self._cond.notify_all()
        self.preview_pace.decoded(t)
        painter = self.on_new_frame
        if painter is not None:
            painter()

    def clear(self) -> None:
        """Forget the frame held (camera paused: keep no picture of anyone)."""
        with self._cond:
            self._frame = None

    def latest(self) -> Frame | None:
        with self._cond:
            return self._frame

    def wait_newer(self, seq: int, timeout: float) -> Frame | None:
        with self._cond:
            if self._frame is None or self._frame.seq <= seq:
                self._cond.wait(timeout)
            if self._frame is None or self._frame.seq <= seq:
                return None
            self._taken = self._frame.seq
            return self._frame

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


class CaptureThread(QThread):
    problem = Signal(str)  # camera lost, end of file, ...
    recovered = Signal(str)
    ended = Signal()  # a file without loop reached its end (or gave no picture at all)
    still = Signal()  # the source gives no new pictures: its last one is read again and again

    RETRY_S = (0.5, 1.0, 2.0, 4.0, 8.0)

    def __init__(self, source: FrameSource, slot: FrameSlot, reopen=None, parent=None) -> None:
        super().__init__(parent)
        self.source = source
        self.slot = slot
        self.reopen = reopen  # callable -> FrameSource, to recover a lost camera
        self._stop = threading.Event()
        self.frames = 0  # captured (grabbed)
        self.decoded = 0  # ... and decoded, for the preview or the analysis

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        pacer = None if self.source.live else Pacer(self.source.fps)
        failures = 0
        said_still = False
        try:
            while not self._stop.is_set():
                grabbed = self.source.grab()
                if not said_still and getattr(self.source, "still", False):
                    said_still = True
                    self.still.emit()
                if not grabbed:
                    if not self.source.live:
                        self.ended.emit()
                        return
                    failures += 1
                    self._recover(failures)
                    continue
                if failures:
                    failures = 0
                    self.recovered.emit("camera is back")
                self.frames += 1
                t = time.monotonic()
                if self.slot.wanted(t):
                    image = self.source.retrieve()
                    if image is not None:
                        self.decoded += 1
                        self.slot.put(image, t)
                if pacer:
                    pacer.wait(self._stop.wait)
        finally:
            self.source.close()

    def _recover(self, failures: int) -> None:
        delay = self.RETRY_S[min(failures - 1, len(self.RETRY_S) - 1)]
        self.problem.emit(f"camera lost: retrying in {delay:g} s")
        if self._stop.wait(delay) or self.reopen is None:
            return
        try:
            fresh = self.reopen()
        except Exception:  # still unplugged: the next round retries
            return
        self.source.close()
        self.source = fresh


class AnalysisThread(QThread):
    ready = Signal(str)  # engine name: the model is warm
    failed = Signal(str)  # the analyzer cannot start: the app runs without analysis
    readings = Signal(list)  # list[Reading], batched
    rate = Signal(float)  # analysed frames per second, about once a second
    # while collecting: list[(t, scores, features | None, box)] of frames with a face, the
    # scores before any calibration (numbers only: no frame or crop leaves the thread)
    raw_samples = Signal(list)
    # while recognising: (t, descriptor of the largest face as a numpy array, or None when
    # no face was seen), about once a second. Numbers only: no frame or crop leaves the thread
    listener_face = Signal(float, object)
    recognition_failed = Signal(str)  # face-api's nets are missing: recognition stays off
    # while enrolling: (t, descriptor of the largest face or None, faces in the frame), a
    # few times a second. Numbers only: no frame or crop leaves the thread
    enrol_face = Signal(float, object, int)
    enrol_failed = Signal(str)  # face-api's nets are missing: nothing can be enrolled

    def __init__(self, slot: FrameSlot, make_analyzer, adaptive: bool = True, parent=None,
                 make_recogniser=None) -> None:
        super().__init__(parent)
        self.slot = slot
        self.make_analyzer = make_analyzer
        self.pace = AnalysisRate() if adaptive else None  # readings bounded by what the mood needs
        self.analyzer = None  # built on this thread, in run()
        # the calibration waiting for the analyzer to be built; from then on the analyzer
        # holds it (one owner at a time: ``calibration`` reads whichever has it)
        self._pending_calibration = None
        self._handover = threading.Lock()
        # Set from the GUI thread (calibration wizard): every analysed frame with a face
        # also goes out uncalibrated, with its features, on ``raw_samples``; full rate.
        self.collecting = False
        self._stop = threading.Event()
        self.analysed = 0
        # Set from the GUI thread: recognition on (a plain attribute read per reading). Off,
        # no descriptor is made and face-api's nets are not even loaded.
        self.recognise = False
        self.make_recogniser = make_recogniser  # -> vision/listeners.ListenerRecogniser
        self.recogniser = None  # loaded on this thread at the first descriptor
        self.descriptors_made = 0
        self._last_described: float | None = None
        # Set from the GUI thread once the user clicked to enrol (app/enrolment.py):
        # descriptors for an enrolment, ENROL_EVERY_S apart, on ``enrol_face``. Off: none is made.
        self.enrolling = False
        self.enrol_every_s = ENROL_EVERY_S
        self._last_enrol: float | None = None
        self._image = None  # the frame being analysed (this thread only)

    @property
    def calibration(self):
        """The calibration every reading is corrected with (None: the network as it is)."""
        analyzer = self.analyzer
        return self._pending_calibration if analyzer is None else analyzer.calibration

    def set_calibration(self, calibration) -> None:
        """The person's calibration for every later reading (None: the network as it is).
        Called from the GUI thread: one attribute, replaced whole, read per reading."""
        with self._handover:
            if self.analyzer is None:
                self._pending_calibration = calibration
            else:
                self.analyzer.set_calibration(calibration)

    def set_collecting(self, on: bool) -> None:
        """Hand over raw samples (``raw_samples``) from now on, or stop. A plain attribute
        read by the analysis thread before each frame."""
        self.collecting = on

    def stop(self) -> None:
        self._stop.set()
        self.slot.wake()

    def run(self) -> None:
        # OpenCV's worker pool spins while it waits; on a face crop and a 320 px search it
        # costs more CPU than it saves time (the capture and the preview are single-threaded
        # anyway). Process-wide, set once the analysis starts.
        cv2.setNumThreads(1)
        try:
            analyzer = self.make_analyzer()
            analyzer.analyze(np.zeros((120, 160, 3), np.uint8), 0.0)  # warm the graph
            with self._handover:  # a set_calibration from the GUI lands before or after, whole
                analyzer.set_calibration(self._pending_calibration)
                self.analyzer = analyzer
                self._pending_calibration = None
        except Exception as err:  # ModelUnavailable and anything the model stack throws
            self.slot.analysis_wants = _NOTHING  # no analysis: decode for the preview only
            self.failed.emit(str(err))
            return
        self.slot.analysis_wants = self.wants_frame
        self.ready.emit(analyzer.engine.name)
        self._batch: list = []
        self._raw: list = []
        self._last_emit = self._rate_start = time.monotonic()
        self._rate_count = 0
        try:
            self._analyse(analyzer)
        except Exception as err:  # a fault in one frame must not end the analysis silently
            log.exception("the analysis stopped")
            self.slot.analysis_wants = _NOTHING
            self.failed.emit(f"the analysis stopped: {err}")

    def set_enrolling(self, on: bool, every_s: float = ENROL_EVERY_S) -> None:
        """Make descriptors for an enrolment from now on (``enrol_face``), at most one per
        ``every_s``, or stop."""
        self._last_enrol = None
        self.enrol_every_s = every_s
        self.enrolling = on

    def wants_frame(self, t: float) -> bool:
        """Will the analysis read the frame captured at ``t``? (Asked by the capture
        thread before it decodes the frame.)"""
        return self.pace is None or self.collecting or self.enrolling or self.pace.due(t)

    def _analyse(self, analyzer) -> None:
        pace = _FullRateWhileCollecting(self) if self.pace is not None else None
        for reading in read_frames(self._newest_frames(), analyzer, pace):
            self._batch.append(reading)
            if analyzer.keep_raw and reading.has_face and analyzer.last_raw is not None:
                scores, features = analyzer.last_raw
                self._raw.append((reading.t, tuple(float(s) for s in scores),
                                  None if features is None else tuple(float(f) for f in features),
                                  reading.box))
            self.analysed += 1
            self._rate_count += 1
            if self.recognise:
                self._describe(reading)
            if self.enrolling:
                self._describe_for_enrolment(reading)
            self._report()
        if self._batch:
            self.readings.emit(self._batch)
        if self._raw:
            self.raw_samples.emit(self._raw)

    def _newest_frames(self):
        """The slot's newest frame each time the analyzer is free; stale ones are dropped."""
        seq = 0
        while not self._stop.is_set():
            frame = self.slot.wait_newer(seq, timeout=0.1)
            if frame is None:
                self._report()  # no frame: still hand over what waits
                continue
            seq = frame.seq
            self.analyzer.keep_raw = self.collecting  # read on this thread, before the frame
            # an enrolment's frames count every face, however small (it refuses crowded ones)
            self.analyzer.tracker.count_every_face = self.enrolling
            self._image = frame.image
            yield frame.t, frame.image
            self._image = None

    def _describe(self, reading) -> None:
        """The largest face's descriptor (the analyzer's box), once per DESCRIBE_EVERY_S."""
        if self._last_described is not None and reading.t - self._last_described < DESCRIBE_EVERY_S:
            return
        self._last_described = reading.t
        if not reading.has_face or reading.box is None or self._image is None:
            self.listener_face.emit(reading.t, None)
            return
        why = self._load_recogniser()
        if why is not None:
            self.recognise = False
            self.recognition_failed.emit(why)
            return
        self.listener_face.emit(reading.t, self._descriptor(reading))

    def _describe_for_enrolment(self, reading) -> None:
        """An enrolment's descriptor of the largest face, once per ``enrol_every_s``."""
        if self._last_enrol is not None and reading.t - self._last_enrol < self.enrol_every_s:
            return
        self._last_enrol = reading.t
        if not reading.has_face or reading.box is None or self._image is None:
            self.enrol_face.emit(reading.t, None, 0)
            return
        why = self._load_recogniser()
        if why is not None:
            self.enrolling = False
            self.enrol_failed.emit(why)
            return
        self.enrol_face.emit(reading.t, self._descriptor(reading), max(1, reading.faces))

    def _load_recogniser(self) -> str | None:
        """face-api's nets, loaded once on this thread; why they cannot be, or None."""
        if self.recogniser is None:
            try:
                if self.make_recogniser is None:
                    raise RuntimeError("this analysis has no recogniser")
                self.recogniser = self.make_recogniser()
            except Exception as err:  # ModelUnavailable: the set-up did not convert the nets
                return str(err)
        return None

    def _descriptor(self, reading):
        try:
            descriptor = self.recogniser.describe(self._image, reading.box)
        except ValueError:  # a face at the very edge: too little of it to align
            descriptor = None
        self.descriptors_made += 1
        return descriptor

    def _report(self) -> None:
        now = time.monotonic()
        if (self._batch or self._raw) and now - self._last_emit >= 1.0 / EMIT_HZ:
            if self._raw:  # before the readings: a step that ends on a reading has its samples
                self.raw_samples.emit(self._raw)
                self._raw = []
            if self._batch:
                self.readings.emit(self._batch)
            self._batch, self._last_emit = [], now
        if now - self._rate_start >= 1.0:
            self.rate.emit(self._rate_count / (now - self._rate_start))
            self._rate_count, self._rate_start = 0, now


def _NOTHING(t: float) -> bool:
    return False


class _FullRateWhileCollecting:
    """The bounded rate, except while calibrating or enrolling: then every frame is
    analysed (more frames of each expression, better statistics)."""

    def __init__(self, thread: AnalysisThread) -> None:
        if thread.pace is None:
            raise ValueError("the thread has no adaptive rate to wrap")
        self.thread = thread
        self.pace = thread.pace

    def due(self, t: float) -> bool:
        return self.thread.collecting or self.thread.enrolling or self.pace.due(t)

    def wants(self, t: float, image: np.ndarray | None = None) -> bool:
        return self.thread.collecting or self.thread.enrolling or self.pace.wants(t)

    def analysed(self, t: float, reading) -> None:
        self.pace.analysed(t, reading)
