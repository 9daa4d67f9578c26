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


def run_capture(qtbot, clip, slot):
    source = CountingSource(clip)
    capture = CaptureThread(source, slot)
    with qtbot.waitSignal(capture.ended, timeout=20000):
        capture.start()
    capture.wait(2000)
    return source, capture


def test_frames_no_one_asked_for_are_grabbed_and_never_decoded(qtbot, steady_clip):
    slot = FrameSlot()
    wanted = []
    slot.analysis_wants = lambda t: (wanted.append(t) or len(wanted) % 6 == 0)  # every 6th
    source, capture = run_capture(qtbot, steady_clip, slot)
    assert source.grabs == capture.frames == len(wanted) == 120  # every frame was taken ...
    assert source.retrieves == capture.decoded == 120 // 6  # ... only the analysis's decoded
    assert slot.latest() is not None and slot.latest().image.shape == (240, 320, 3)
    assert source._cap.isOpened() is False  # closed at the end
    assert source._jpeg  # an MJPEG clip: grab took each JPEG undecoded, as from a webcam


def test_with_a_preview_every_other_frame_is_decoded_the_analysiss_among_them(qtbot, steady_clip):
    slot = FrameSlot()
    painted = []
    slot.on_new_frame = lambda: painted.append(slot.latest().seq)
    count = []
    slot.analysis_wants = lambda t: (count.append(t) or len(count) % 6 == 3)  # 5 a second
    source, capture = run_capture(qtbot, steady_clip, slot)
    assert capture.frames == 120 and capture.decoded == len(painted)  # each decoded one painted
    assert 60 <= capture.decoded <= 62  # 15 a second of a 30 fps clip, readings included
    assert len(set(painted)) == len(painted)


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


def test_a_hidden_or_minimised_window_decodes_only_the_analysiss_frames(qtbot, steady_clip, tmp_path):
    app = MoodPlayerApp(AppOptions(overrides={"source": str(steady_clip)}, backend="null",
                                   config=str(tmp_path / "settings.toml")))
    app.start()
    page = MainPage(app.window)
    try:
        qtbot.waitUntil(lambda: bool(app.mood_history) and page.frames_shown > 5, timeout=30000)
        assert app.preview.painting
        for hide, show in ((app.window.hide, app.window.show),
                           (app.window.showMinimized, app.window.showNormal),
                           (app.toggle_window, app.toggle_window)):  # the tray's Show/Hide
            hide()
            qtbot.waitUntil(lambda: not app.preview.painting, timeout=2000)
            shown, decoded, analysed = page.frames_shown, app.capture.decoded, app.analysis.analysed
            qtbot.wait(1500)
            assert page.frames_shown == shown  # nothing painted ...
            extra = (app.capture.decoded - decoded) - (app.analysis.analysed - analysed)
            assert app.analysis.analysed > analysed and extra <= 2  # ... nothing decoded for it
            show()
            qtbot.waitUntil(lambda before=shown: app.preview.painting and page.frames_shown > before + 5,
                            timeout=5000)
    finally:
        app.shutdown()
        app.window.close()
