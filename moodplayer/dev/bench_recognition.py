"""What recognising listeners costs the whole app (issue 22): ``moodplayer bench``'s
``app_recognition`` field, and a command of its own.

    python -m moodplayer.dev.bench_recognition [--video CLIP] [--seconds 20] [--rounds 2]

The real app runs offscreen on a camera-like clip (moodplayer/dev/camera_clips.py, preset
``steady``: noise, exposure drift, sway; paced as a camera) with music through libvlc's
dummy output, once with ``recognise_listeners = off`` and once with ``switch`` (a profile
enrolled from the clip's own face, so a descriptor is made once a second and the profile
follows it), alternately ``rounds`` times (the machine's other load falls on both alike).
After the model is warm and a few seconds have passed, the process's CPU (every thread)
is taken over ``seconds``: cores used, the analysis thread's share, frames analysed and
descriptors made per second. Each run has its own settings and data folders (the models
are the user's: DEEPFACE_HOME as the app finds it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WARM_S = 4.0


def worker(video: str, seconds: float) -> dict:
    """In a child process whose settings and data folders are set: the figures."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from moodplayer.app import AppOptions, MoodPlayerApp
    from moodplayer.dev.bench_app import rss_mb, thread_cpu, thread_shares

    app = QApplication.instance() or QApplication([])
    player = MoodPlayerApp(AppOptions(overrides={"source": video}, audio_out="dummy", backend="vlc",
                                      offer_first_look=False))
    figures: dict = {}

    def snapshot() -> dict:
        return {"cpu": time.process_time(), "wall": time.monotonic(), "threads": thread_cpu(),
                "analysed": player.analysis.analysed, "described": player.analysis.descriptors_made}

    def measure() -> None:
        start = snapshot()
        QTimer.singleShot(int(seconds * 1000), lambda: end(start))

    def end(start: dict) -> None:
        after = snapshot()
        wall = after["wall"] - start["wall"]
        threads = thread_shares(start["threads"], after["threads"], wall)
        figures.update({
            "recognise_listeners": player.settings.recognise_listeners,
            "cpu_cores": round((after["cpu"] - start["cpu"]) / wall, 3),
            "analysis_thread_cores": round(sum(v for k, v in threads.items() if "Analysis" in k
                                               or k.startswith("QThread")), 3),
            "analysed_fps": round((after["analysed"] - start["analysed"]) / wall, 2),
            "descriptors_per_s": round((after["described"] - start["described"]) / wall, 2),
            "active_profile": player.settings.active_profile,
            "seconds": round(wall, 1), "rss_mb": rss_mb(), "threads": threads})
        app.quit()

    player.analysis.ready.connect(lambda _: QTimer.singleShot(int(WARM_S * 1000), measure))
    player.analysis.failed.connect(lambda why: app.exit(3))
    player.start()
    code = app.exec()
    player.shutdown()
    player.window.close()
    if code or not figures:
        raise SystemExit(f"the app did not start its analysis (exit {code})")
    return figures


def _enrol_clip_face(video: Path, profile: str) -> None:
    """The clip's own face enrols ``profile`` (in this process's data folder)."""
    from moodplayer.core.listeners import store
    from moodplayer.core.listeners.enrolment import enrol
    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import ListenerRecogniser, video_descriptors

    recogniser = ListenerRecogniser.load()
    faces = [d for _, d in video_descriptors(video, FaceDetector(), recogniser, every_s=2.0) if d is not None]
    if not faces:
        raise SystemExit(f"no face in {video} to enrol")
    store.save(profile, enrol(profile, [[float(x) for x in d] for d in faces[:8]], model=recogniser.model))


def _run(video: Path, mode: str, seconds: float, tmp: Path) -> dict:
    home = tmp / mode
    (home / "config").mkdir(parents=True, exist_ok=True)
    settings = home / "settings.toml"
    settings.write_text(f'schema_version = 2\nrecognise_listeners = "{mode}"\nactive_profile = "Default"\n'
                        '[profiles.Default]\n[profiles.Listener]\n')
    from moodplayer.vision.models import deepface_home

    env = dict(os.environ, DEEPFACE_HOME=str(deepface_home()),  # the user's models, converted nets
               QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               MOODPLAYER_CONFIG=str(settings), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_RUNTIME_DIR=str(home))
    os.chmod(home, 0o700)
    cmd = [sys.executable, "-m", "moodplayer.dev.bench_recognition", "--worker", str(video),
           "--seconds", str(seconds)]
    if mode != "off":
        cmd.append("--enrol")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    lines = proc.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {proc.returncode}: {tail}"}


def recognition_cost(video: Path | None = None, seconds: float = 20.0, rounds: int = 2,
                     tmp: Path | None = None) -> dict:
    """{"off": [...runs], "switch": [...runs], "extra_cpu_cores": median on − median off, ...}:
    ``moodplayer bench``'s ``app_recognition`` field."""
    with tempfile.TemporaryDirectory(prefix="moodplayer-bench-recognition-") as own:
        folder = Path(tmp or own)
        folder.mkdir(parents=True, exist_ok=True)
        if video is None:
            from moodplayer.dev.camera_clips import PRESETS, expression_script, write_camera_clip

            video = write_camera_clip(folder / "camera-steady.avi", expression_script(max(30.0, 2 * seconds)),
                                      PRESETS["steady"])
        runs: dict[str, list[dict]] = {"off": [], "switch": []}
        for _ in range(rounds):
            for mode in ("off", "switch"):
                runs[mode].append(_run(video, mode, seconds, folder))
    out: dict = {"video": str(video), "seconds": seconds, **runs}

    def median(mode: str, key: str) -> float | None:
        values = sorted(r[key] for r in runs[mode] if key in r)
        return values[len(values) // 2] if values else None

    for key in ("cpu_cores", "analysis_thread_cores", "analysed_fps", "descriptors_per_s"):
        out[f"{key}_off"], out[f"{key}_switch"] = median("off", key), median("switch", key)
    if out["cpu_cores_off"] is not None and out["cpu_cores_switch"] is not None:
        out["extra_cpu_cores"] = round(out["cpu_cores_switch"] - out["cpu_cores_off"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m moodplayer.dev.bench_recognition")
    parser.add_argument("video", nargs="?")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--enrol", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        from moodplayer.system import netguard

        netguard.block_network()
        if args.enrol:
            _enrol_clip_face(Path(args.video), "Listener")
        print(json.dumps(worker(args.video, args.seconds)))
        return 0
    print(json.dumps(recognition_cost(Path(args.video) if args.video else None, args.seconds, args.rounds),
                     indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
