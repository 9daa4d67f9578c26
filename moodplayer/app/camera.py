"""The camera as the app sees it: which source, the capture thread, pausing (the device is
let go) and resuming, and what the window says about it. A camera that cannot be opened
falls back to the demo clip with a banner."""

from __future__ import annotations

import logging

from moodplayer.pipeline import CaptureThread, FrameSlot
from moodplayer.ui.main_window import MainWindow
from moodplayer.vision.sources import FrameSource, SourceError, SourceSpec, open_source, parse_source

log = logging.getLogger("moodplayer")


class Camera:
    def __init__(self, source_text: str, slot: FrameSlot, window: MainWindow) -> None:
        self.slot = slot
        self.window = window
        self.paused = False
        self.closed = False
        self.spec, source = self._open(source_text)
        self.capture = self._new_capture(source)

    @property
    def live(self) -> bool:
        return self.spec.kind == "camera"

    def _open(self, text: str) -> tuple[SourceSpec, FrameSource]:
        try:
            spec = parse_source(text)
            return spec, open_source(spec)
        except SourceError as err:
            demo = parse_source("demo")
            self.window.preview.show_banner(f"{err} — showing the demo clip instead.")
            self.window.show_message(f"Camera: {err}; showing the demo clip")
            return demo, open_source(demo)

    def _reopen(self) -> FrameSource:
        return open_source(self.spec)

    def _new_capture(self, source: FrameSource) -> CaptureThread:
        capture = CaptureThread(source, self.slot, reopen=self._reopen)
        capture.problem.connect(self._on_problem)
        capture.recovered.connect(self._on_recovered)
        capture.still.connect(self._on_still)
        capture.ended.connect(self._on_ended)
        return capture

    def show_state(self) -> None:
        self.window.show_source(self.spec.describe())
        self.window.preview.set_camera_active(self.live, "" if self.live else "○ no camera in use")

    def start(self) -> None:
        """Start reading, unless it runs already, is paused, or the app is closing."""
        if not self.capture.isRunning() and not self.closed and not self.paused:
            self.capture.start()

    def pause(self, paused: bool) -> None:
        """Paused: the capture thread ends and releases the device (the camera light goes
        off), so no frame reaches the analysis, which waits. Resumed: the source is opened
        again on a new capture thread."""
        if paused == self.paused or self.closed:
            return
        self.paused = paused
        if paused:
            self._stop_capture()
            self.slot.clear()
            self.window.preview.set_camera_active(False, "○ camera paused")
            self.window.preview.show_paused()
            self.window.statusBar().showMessage("Camera paused: the device is released", 5000)
            return
        try:
            source = self._reopen()
        except SourceError as err:
            self.paused = True
            self.window.preview.pause_button.setChecked(True)
            self.window.show_message(f"Camera: {err}")
            return
        self.capture = self._new_capture(source)
        self.show_state()
        self.capture.start()

    def _stop_capture(self) -> None:
        self.capture.stop()
        if not self.capture.wait(2000):
            log.warning("the capture thread did not stop within 2 s")
        if not self.capture.isRunning():
            self.capture.source.close()  # also when it never started

    def close(self) -> None:
        """For good: the thread joined (however long it takes) and the device let go."""
        self.closed = True
        self.capture.stop()
        if not self.capture.wait(2000):
            log.warning("CaptureThread still busy after 2 s; waiting for it")
            self.capture.wait(10000)  # never leave a thread running behind the app
        if not self.capture.isFinished():  # never started (the model never came up)
            self.capture.source.close()

    def _on_problem(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)
        self.window.preview.set_camera_active(False, f"○ {text}")

    def _on_still(self) -> None:
        """A still picture or a one-frame video: said once, and read as a still from now on."""
        text = (f"{self.spec.describe()}: the source gives no new pictures (a still picture or a "
                "one-frame video); its picture is read again and again")
        self.window.show_message(text)
        self.window.preview.set_camera_active(False, "○ a still picture: no new pictures")

    def _on_ended(self) -> None:
        if self.closed or self.paused:
            return
        self.window.show_message(f"{self.spec.describe()}: the source gives no new pictures "
                                 "(it ended, or no picture could be read from it); nothing more is analysed")
        self.window.preview.set_camera_active(False, "○ no new pictures")

    def _on_recovered(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)
        self.window.preview.set_camera_active(self.live)
