"""Decode only what is used (issue 21): the real capture thread on a real video file, and
the whole app on a camera-like clip. Functional only: the CPU figures are bench's."""

from __future__ import annotations

import pytest
from pages import MainPage

from moodplayer.app import AppOptions, MoodPlayerApp
from moodplayer.dev.camera_clips import PRESETS, write_camera_clip
from moodplayer.pipeline import CaptureThread, FrameSlot
from moodplayer.vision.sources import VideoFileSource


class CountingSource(VideoFileSource):
    """A real video file source that counts what was grabbed and what was decoded."""

    def __init__(self, path, loop=False) -> None:
        super().__init__(path, loop)
        self.grabs = self.retrieves = 0

    def grab(self) -> bool:
        ok = super().grab()
        self.grabs += ok
        return ok

    def retrieve(self):
        self.retrieves += 1
        return super().retrieve()


@pytest.fixture(scope="module")
def steady_clip(tmp_path_factory):
    return write_camera_clip(tmp_path_factory.mktemp("clip") / "steady.avi", [("smile", 4.0)],
                             PRESETS["steady"], size=(320, 240), face_side=160)


def test_frames_no_one_asked_for_are_grabbed_and_never_decoded(qtbot, steady_clip):
    source = CountingSource(steady_clip)
    slot = FrameSlot()
    wanted = []
    slot.analysis_wants = lambda t: (wanted.append(t) or len(wanted) % 6 == 0)  # every 6th
    capture = CaptureThread(source, slot)
    with qtbot.waitSignal(capture.ended, timeout=20000):
        capture.start()
    capture.wait(2000)
    assert source.grabs == capture.frames == 120  # every frame of the clip was taken ...
    # ... but only the one the preview asked for at the start and those the analysis wants
    assert source.retrieves == capture.decoded == 1 + 119 // 6
    assert slot.latest() is not None and slot.latest().image.shape == (240, 320, 3)
    assert source._cap.isOpened() is False  # closed at the end


def test_the_app_decodes_what_it_paints_or_analyses_and_no_more(qtbot, steady_clip, tmp_path):
    app = MoodPlayerApp(AppOptions(overrides={"source": str(steady_clip)}, backend="null",
                                   config=str(tmp_path / "settings.toml")))
    app.start()
    try:
        qtbot.waitUntil(lambda: app.capture.frames > 90 and MainPage(app.window).frames_shown > 10,
                        timeout=30000)
        capture, shown, analysed = app.capture, MainPage(app.window).frames_shown, app.analysis.analysed
        assert app.mood_history and app.mood_history[0][1] == "happy"
        assert analysed < capture.decoded < capture.frames  # some frames were never decoded
        assert shown <= capture.decoded
    finally:
        app.shutdown()
        app.window.close()
