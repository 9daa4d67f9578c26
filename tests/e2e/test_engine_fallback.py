"""Without face-api's converted net (missing, or there but damaged) the default engine reads
with the mini-Xception, and the app says so: one line in the status bar (the full reason in
its tooltip) and one in the log (issue 20). The real app on a generated face video, its
model folder pointed at a folder of its own."""

from __future__ import annotations

import logging

import pytest
from media import HAPPY_STILL, expression_video
from pages import MainPage

from moodplayer.vision.models import FACEAPI_EXPRESSION_FILE


@pytest.mark.parametrize("state", ["missing", "damaged"])
def test_without_face_apis_net_the_app_reads_with_the_mini_xception_and_says_so(
        make_app, qtbot, tmp_path, monkeypatch, caplog, state):
    home = tmp_path / "models"  # empty: the app seeds its Haar cascades there
    if state == "damaged":
        (home / "faceapi").mkdir(parents=True)
        (home / "faceapi" / FACEAPI_EXPRESSION_FILE).write_bytes(b"PK\x03\x04 cut short")
    monkeypatch.setenv("DEEPFACE_HOME", str(home))
    video = expression_video(tmp_path / "face.mp4", [(HAPPY_STILL, 2.0)], fps=10)
    caplog.set_level(logging.WARNING)
    app = make_app(source=str(video))  # engine auto, the default
    page = MainPage(app.window)
    assert not page.engine_notice.isVisibleTo(app.window)  # nothing said before the engine is built
    app.start()
    qtbot.waitUntil(lambda: app.analysis.analyzer is not None and "fer" in page.engine_label.text(),
                    timeout=60_000)
    assert app.analysis.analyzer.engine.name == "fer"
    notice = page.engine_notice
    assert notice.isVisibleTo(app.window)
    assert "\n" not in notice.text() and "mini-Xception only" in notice.text() and "make setup" in notice.text()
    reason = "is missing" if state == "missing" else "cannot be read"
    assert reason in notice.toolTip() and str(home / "faceapi") in notice.toolTip()
    said = [r.getMessage() for r in caplog.records if "reading with the mini-Xception" in r.getMessage()]
    assert len(said) == 1 and reason in said[0]  # once in the log
    qtbot.waitUntil(lambda: app.session.mood == "happy", timeout=60_000)  # and it reads the face
