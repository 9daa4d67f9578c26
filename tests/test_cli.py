"""The command line, run as a user would: a real process."""

from __future__ import annotations

import json
import os

import pytest

from conftest import moodplayer
from media import HAPPY_STILL, SURPRISE_STILL, expression_video


def test_analyze_json_on_a_generated_clip(tmp_path):
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 6), (SURPRISE_STILL, 6)], fps=5)
    result = moodplayer("analyze", str(video), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"engine", "detector", "frames", "analyzed", "readings", "moods"} <= set(out)
    assert out["engine"] == "fer" and out["detector"] == "opencv"
    assert out["frames"] == out["analyzed"] == len(out["readings"]) == 60
    first = out["readings"][0]
    assert set(first) == {"t", "face", "emotion", "scores"} and len(first["face"]) == 4
    assert [m["mood"] for m in out["moods"]] == ["happy", "surprise"]
    switch = out["moods"][1]["t"]
    assert 6.0 < switch < 6.0 + 0.6 * 5.0  # within 0.6 x the 5 s window
    assert sorted(os.listdir(tmp_path)) == ["faces.mp4"]  # nothing written besides


@pytest.mark.parametrize("args", [("analyze", "/no/such/video.mp4"),
                                  ("--source", "/no/such/video.mp4")])
def test_a_missing_video_is_a_clear_error(args):
    result = moodplayer(*args, timeout=60)
    assert result.returncode == 2
    assert "video file not found: /no/such/video.mp4" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_each_part():
    result = moodplayer("doctor", timeout=120)
    assert result.returncode in (0, 1)
    for part in ("libvlc 3.", "emotion engine: fer", "Haar cascades", "cameras:", "settings:"):
        assert part in result.stdout


def test_without_libvlc_music_is_off_with_a_message_and_the_app_runs(tmp_path):
    """python-vlc pointed at a library that does not exist (as on a machine without VLC):
    no traceback, no exit; the null backend and a message that says what to install."""
    import subprocess
    import sys

    code = ("from moodplayer.app import make_backend; b, why = make_backend('vlc', 'dummy'); "
            "print(type(b).__name__); print(why)")
    env = dict(os.environ, PYTHON_VLC_LIB_PATH=str(tmp_path / "libvlc.so.5"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    backend, why = result.stdout.strip().splitlines()
    assert backend == "NullBackend"
    assert "Music is off" in why and "libvlc5 vlc-plugin-base" in why
    doctor = moodplayer("doctor", env=env)
    assert "libvlc5 vlc-plugin-base" in doctor.stdout + doctor.stderr
