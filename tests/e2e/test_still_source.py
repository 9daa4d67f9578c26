"""A source that gives no new pictures (a still picture, a one-frame video): the window says
so, and the picture is read as a still, so the face in it is analysed and its mood decided
(it used to show the face and "waiting for a face…" forever). OpenCV reads the real files."""

from __future__ import annotations

import cv2
import pytest
from pages import MainPage

from moodplayer.dev.face_clips import HAPPY_STILL, clip_frames, write_clip


@pytest.fixture(params=["png", "one-frame mp4"])
def still_source(request, tmp_path):
    if request.param == "png":
        path = tmp_path / "face.png"
        cv2.imwrite(str(path), next(iter(clip_frames([(HAPPY_STILL, 0.1)]))))
    else:
        path = write_clip(tmp_path / "one.mp4", [(HAPPY_STILL, 0.1)], fps=10)
        assert int(cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_FRAME_COUNT)) == 1
    return path


def test_a_still_source_is_said_and_its_face_read(make_app, qtbot, still_source):
    app = make_app(source=str(still_source), engine="fer")
    app.start()
    qtbot.waitUntil(lambda: any("gives no new pictures" in m for m in app.window.messages), timeout=60000)
    message = next(m for m in app.window.messages if "gives no new pictures" in m)
    assert message.startswith(str(still_source)) and "still picture" in message
    page = MainPage(app.window)
    assert "no new pictures" in page.camera_indicator.text()
    qtbot.waitUntil(lambda: app.session.mood == "happy", timeout=60000)  # the face is read
    assert "waiting for a face" not in page.mood_label.text()
