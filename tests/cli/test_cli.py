"""The command line, run as a user would: a real process."""

from __future__ import annotations

import json
import os

import pytest
from helpers import moodplayer
from media import HAPPY_STILL, SURPRISE_STILL, expression_video


def test_analyze_json_on_a_generated_clip(tmp_path):
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 6), (SURPRISE_STILL, 6)], fps=5)
    result = moodplayer("analyze", str(video), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"engine", "detector", "settings", "frames", "analyzed", "readings", "moods"} <= set(out)
    assert out["settings"] == {"profile": "Default", "window_s": 5.0, "margin": 0.15,
                               "min_dwell_s": 1.0, "engine": "auto", "detector": "opencv",
                               "adaptive_rate": True}
    assert out["engine"] == "fer" and out["detector"] == "opencv"
    assert out["frames"] == 60 and out["analyzed"] == len(out["readings"]) <= 60  # fewer while still
    first = out["readings"][0]
    assert set(first) == {"t", "face", "emotion", "scores"} and len(first["face"]) == 4
    assert [m["mood"] for m in out["moods"]] == ["happy", "surprise"]
    why = out["moods"][1]["why"]  # the sentence the app shows (core/explain.py)
    assert why.startswith("surprise: ") and "of the last 5 s" in why
    assert why.endswith("ahead of happy by 0.15 or more for 1.0 s → playlist surprise")
    switch = out["moods"][1]["t"]
    assert 6.0 < switch < 6.0 + 0.6 * 5.0  # within 0.6 x the 5 s window
    assert sorted(os.listdir(tmp_path)) == ["faces.mp4"]  # nothing written besides


def test_analyze_of_a_video_with_no_picture_is_one_line(tmp_path):
    import cv2

    empty = tmp_path / "empty.avi"  # a real MJPEG .avi with no frame in it
    cv2.VideoWriter(str(empty), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240)).release()
    assert empty.stat().st_size > 0
    result = moodplayer("analyze", str(empty), "--json")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith("gives no picture (an empty or unreadable video)"), result.stderr
    assert "Traceback" not in result.stderr


def test_analyze_honours_the_profile_of_a_settings_file(tmp_path):
    from moodplayer.core.settings.schema import Profile, Settings, save_settings

    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 6), (SURPRISE_STILL, 8)], fps=5)
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(engine="fer", profiles={
        "Default": Profile(), "Slow": Profile(window_s=12.0, margin=0.3, min_dwell_s=2.0)}))
    runs = {}
    for profile in ("Default", "Slow"):
        result = moodplayer("analyze", str(video), "--json", "--config", str(config), "--profile", profile)
        assert result.returncode == 0, result.stderr
        runs[profile] = json.loads(result.stdout)
    assert runs["Slow"]["settings"] == {"profile": "Slow", "window_s": 12.0, "margin": 0.3,
                                        "min_dwell_s": 2.0, "engine": "fer", "detector": "opencv",
                                        "adaptive_rate": True}
    switch = {p: [m["t"] for m in r["moods"] if m["mood"] == "surprise"][0] for p, r in runs.items()}
    assert switch["Slow"] > switch["Default"] + 1.0  # the slow profile's window decides
    # a command-line option overrides the profile's value
    fast = json.loads(moodplayer("analyze", str(video), "--json", "--config", str(config),
                                 "--profile", "Slow", "--window", "3").stdout)
    assert fast["settings"]["window_s"] == 3.0 and fast["settings"]["margin"] == 0.3


@pytest.mark.parametrize("args,message", [
    (("--profile", "Nobody"), "moodplayer: error: no profile named 'Nobody' (profiles: Default)"),
    # a value out of its declared range is refused by the parser, before anything loads
    (("--window", "500"), "moodplayer analyze: error: argument --window: '500': must be 0.5..120 s"),
    (("--window", "nan"), "moodplayer analyze: error: argument --window: 'nan': must be 0.5..120 s"),
])
def test_a_bad_profile_or_value_is_one_line_and_exit_2(tmp_path, args, message):
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 1)], fps=5)
    result = moodplayer("analyze", str(video), *args, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message


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
    for part in ("libvlc 3.", "emotion engine (auto): fer", "Haar cascades", "face-api's nets in ",
                 "cameras:", "settings:"):
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


def test_commands_that_only_read_settings_leave_a_bad_file_as_it_is(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text("schema_version = 2\nvolume = 500\n[profiles.Default]\n")
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 1)], fps=5)
    for _ in range(2):
        result = moodplayer("analyze", str(video), "--json", "--config", str(config), timeout=60)
        assert result.returncode == 0 and "volume = 500" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faces.mp4", "settings.toml"]  # no .bak
    config.write_text("volume = [unclosed")
    result = moodplayer("analyze", str(video), "--config", str(config), timeout=60)
    assert result.returncode == 0 and config.read_text() == "volume = [unclosed"  # not moved aside
