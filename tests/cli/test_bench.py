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
              "gui", "errors", "settings", "app", "app_camera_paused"}
APP_FIELDS = {"cpu_cores", "input_fps", "analysed_fps", "preview_fps", "seconds", "rss_mb"}


def test_bench_emits_every_field():
    env = dict(os.environ, MOODPLAYER_BENCH_APP_S="3")  # the figures need 20 s; the fields do not
    result = moodplayer("bench", "--frames", "30", "--json", timeout=600, env=env)
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


def test_bench_bad_video_is_a_message(tmp_path):
    result = moodplayer("bench", "--video", str(tmp_path / "none.mp4"), "--frames", "5")
    assert result.returncode == 2 and "no such video" in result.stderr
