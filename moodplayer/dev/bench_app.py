"""The whole app's cost, as a user's machine pays it: ``moodplayer bench``'s ``app`` worker.

The real app runs offscreen on the video as if it were a camera (paced at the video's own
rate), with the preview on and music playing through libvlc's dummy output. After the
model is warm and a few seconds have passed, the process's CPU time (every thread) is
taken over ``seconds`` of wall-clock time, with what was captured, analysed and painted
meanwhile; then the camera is paused (music only) and the same is taken again.
"""

from __future__ import annotations

import os
import time

WARM_S = 3.0  # after the model is ready: the first mood, the first playlist


def app_worker(video: str) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from moodplayer.app import AppOptions, MoodPlayerApp

    seconds = float(os.environ.get("MOODPLAYER_BENCH_APP_S", "20"))
    app = QApplication.instance() or QApplication([])
    player = MoodPlayerApp(AppOptions(overrides={"source": video}, audio_out="dummy", backend="vlc"))
    figures: dict = {}

    def snapshot() -> dict:
        return {"cpu": time.process_time(), "wall": time.monotonic(),
                "input": player.capture.frames, "analysed": player.analysis.analysed,
                "shown": player.window.preview.frames_shown}

    def rates(before: dict, after: dict) -> dict:
        wall = after["wall"] - before["wall"]
        return {
            "cpu_cores": round((after["cpu"] - before["cpu"]) / wall, 3),
            "input_fps": round((after["input"] - before["input"]) / wall, 1),
            "analysed_fps": round((after["analysed"] - before["analysed"]) / wall, 1),
            "preview_fps": round((after["shown"] - before["shown"]) / wall, 1),
            "seconds": round(wall, 1),
            "rss_mb": rss_mb(),
            "music": player.backend.state,
        }

    def measure_running() -> None:
        start = snapshot()
        QTimer.singleShot(int(seconds * 1000), lambda: end_running(start))

    def end_running(start: dict) -> None:
        figures["running"] = rates(start, snapshot())
        figures["moods"] = [m for _, m in player.mood_history]
        player.pause_camera(True)
        QTimer.singleShot(2000, measure_paused)

    def measure_paused() -> None:
        start = snapshot()
        QTimer.singleShot(int(seconds * 1000), lambda: end_paused(start))

    def end_paused(start: dict) -> None:
        figures["paused"] = rates(start, snapshot())
        app.quit()

    player.analysis.ready.connect(lambda _: QTimer.singleShot(int(WARM_S * 1000), measure_running))
    player.analysis.failed.connect(lambda why: app.exit(3))
    player.start()
    code = app.exec()
    player.shutdown()
    player.window.close()
    if code or "paused" not in figures:
        raise SystemExit(f"the app did not start its analysis (exit {code})")
    return figures


def rss_mb() -> float | None:
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None
