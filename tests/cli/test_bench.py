"""``moodplayer bench`` runs and reports every figure (its targets are checked by reading
its output, docs/performance.md, never by a timed assertion here)."""

from __future__ import annotations

import json
import os

from helpers import moodplayer

CONTENDER_FIELDS = {"fps", "cpu_s_per_frame", "p50_ms", "p95_ms", "speedup_cpu", "rss_mb",
                    "first_reading_s"}
TOP_FIELDS = {"frames", "machine", "tf_import_s", "rss_mb", "baseline_rss_mb", "first_reading_s",
              "gui_heartbeat_p99_ms", "switch_latency_s", "window_s", "ours", "deepface_analyze",
              "gui", "errors", "settings", "app", "app_camera_paused", "app_steady", "app_jittery",
              "rate_steady", "rate_jittery", "app_recognition"}
APP_FIELDS = {"cpu_cores", "input_fps", "decoded_fps", "analysed_fps", "preview_fps", "seconds",
              "rss_mb", "threads"}
CAMERA_FIELDS = APP_FIELDS | {"heartbeat_p99_ms", "heartbeat_max_ms", "moods"}
RATE_FIELDS = {"same_moods", "moods", "full_rate_moods", "max_switch_shift_s", "why_same_moods",
               "why_max_share_gap_pct", "switch_latency_s", "max_latency_vs_window",
               "analysed_per_s", "full_rate_analysed_per_s", "cpu_s", "full_rate_cpu_s"}


def test_bench_emits_every_field():
    env = dict(os.environ, MOODPLAYER_BENCH_APP_S="3")  # the figures need 20 s; the fields do not
    result = moodplayer("bench", "--frames", "30", "--json", "--camera-seconds", "7", timeout=900, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert TOP_FIELDS <= set(out), TOP_FIELDS - set(out)
    assert out["errors"] == {}
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
