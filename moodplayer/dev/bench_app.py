"""The whole app's cost, as a user's machine pays it: ``moodplayer bench``'s ``app`` workers.

The real app runs offscreen on the video as if it were a camera (paced at the video's own
rate), with the preview on and music playing through libvlc's dummy output. After the
model is warm and a few seconds have passed, the process's CPU time (every thread) is
taken over ``seconds`` of wall-clock time, with what was captured, decoded, analysed and
painted meanwhile, and each thread's share (``threads``: the capture thread, the analysis
thread, the GUI thread as ``main``, libvlc's threads as ``vlc``, Qt's pool); then, with
``heartbeat``, a 10 ms QTimer measures how late the GUI thread gets to it for a few
seconds (after the CPU figures: the timer's own cost stays out of them); then, with
``paused``, the camera is paused (music only) and the CPU is taken again (for
``paused_s``, default ``seconds``). ``engine``: the emotion engine the app really ran (a
blend whose face-api net is missing runs the mini-Xception alone).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from moodplayer.core.records.timeline import TimelineData

WARM_S = 3.0  # after the model is ready: the first mood, the first playlist
HEARTBEAT_S = 5.0
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def app_worker(video: str, paused: bool = True, heartbeat: bool = False,
               paused_s: float | None = None) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from moodplayer.app import AppOptions, MoodPlayerApp

    seconds = float(os.environ.get("MOODPLAYER_BENCH_APP_S", "20"))
    app = QApplication.instance() or QApplication([])
    player = MoodPlayerApp(AppOptions(overrides={"source": video}, audio_out="dummy", backend="vlc"))
    figures: dict = {}
    gaps: list[float] = []
    clock = QElapsedTimer()
    beat = QTimer()
    beat.setInterval(10)
    beat.timeout.connect(lambda: gaps.append(clock.restart()))

    def snapshot() -> dict:
        return {"cpu": time.process_time(), "wall": time.monotonic(), "threads": thread_cpu(),
                "input": player.capture.frames, "decoded": player.capture.decoded,
                "analysed": player.analysis.analysed, "shown": player.window.preview.frames_shown,
                "timeline": player.window.timeline.view.repaints}

    def rates(before: dict, after: dict) -> dict:
        wall = after["wall"] - before["wall"]
        return {
            "cpu_cores": round((after["cpu"] - before["cpu"]) / wall, 3),
            "input_fps": round((after["input"] - before["input"]) / wall, 1),
            "decoded_fps": round((after["decoded"] - before["decoded"]) / wall, 1),
            "analysed_fps": round((after["analysed"] - before["analysed"]) / wall, 1),
            "preview_fps": round((after["shown"] - before["shown"]) / wall, 1),
            "timeline_fps": round((after["timeline"] - before["timeline"]) / wall, 2),
            "seconds": round(wall, 1),
            "rss_mb": rss_mb(),
            "music": player.backend.state,
            "threads": thread_shares(before["threads"], after["threads"], wall,
                                     (after["cpu"] - before["cpu"]) / wall),
        }

    def measure_running() -> None:
        start = snapshot()
        QTimer.singleShot(int(seconds * 1000), lambda: end_running(start))

    def end_running(start: dict) -> None:
        figures["running"] = rates(start, snapshot())
        painted = player.window.preview.image.target()  # the window's default size: 1:1
        figures["running"]["preview_px"] = [round(painted.width()), round(painted.height())]
        figures["running"].update(timeline_cost(player.window.timeline.view, figures["running"]))
        figures["moods"] = [m for _, m in player.mood_history]
        analyzer = player.analysis.analyzer
        figures["engine"] = figures["running"]["engine"] = \
            None if analyzer is None else analyzer.engine.name
        # face-api's net on LiteRT, or in numpy where make setup did not build its file
        faceapi = None if analyzer is None else getattr(analyzer.engine, "faceapi", analyzer.engine)
        if getattr(faceapi, "runtime", None):
            figures["running"]["faceapi_runtime"] = faceapi.runtime
        if heartbeat:
            clock.start()
            beat.start()
            QTimer.singleShot(int(min(HEARTBEAT_S, seconds) * 1000), end_heartbeat)
        else:
            end_heartbeat()

    def end_heartbeat() -> None:
        beat.stop()
        if gaps:
            ordered = sorted(gaps)
            figures["running"]["heartbeat_p99_ms"] = float(ordered[min(len(ordered) - 1,
                                                                       int(0.99 * len(ordered)))])
            figures["running"]["heartbeat_max_ms"] = float(ordered[-1])
        if not paused:
            app.quit()
            return
        player.pause_camera(True)
        QTimer.singleShot(2000, measure_paused)

    def measure_paused() -> None:
        start = snapshot()
        QTimer.singleShot(int((seconds if paused_s is None else paused_s) * 1000),
                          lambda: end_paused(start))

    def end_paused(start: dict) -> None:
        figures["paused"] = rates(start, snapshot())
        app.quit()

    player.analysis.ready.connect(lambda _: QTimer.singleShot(int(WARM_S * 1000), measure_running))
    player.analysis.failed.connect(lambda why: app.exit(3))
    player.start()
    code = app.exec()
    player.shutdown()
    player.window.close()
    if code or "running" not in figures or (paused and "paused" not in figures):
        raise SystemExit(f"the app did not start its analysis (exit {code})")
    return figures


def full_timeline(span_s: float, resolution_s: float, now: float) -> TimelineData:
    """A live timeline as it is after ``span_s`` of a session: a sample every
    ``resolution_s``, the mood changing every 5 s (as on bench's clips), a switch and a
    track marker each time."""
    from moodplayer.core.emotions import EMOTIONS
    from moodplayer.core.records.timeline import TimelineData

    data = TimelineData(span_s=span_s, resolution_s=resolution_s)
    steps = int(span_s / max(resolution_s, 0.1))
    for k in range(steps + 1):
        t = now - span_s + k * span_s / steps
        mood = EMOTIONS[int(t // 5) % len(EMOTIONS)]
        data.add_shares(t, {e: (0.6 if e == mood else 0.4 / 6) for e in EMOTIONS}, mood)
        if k and int(t // 5) != int((t - span_s / steps) // 5):
            data.mark("mood", f"{mood}: the window's largest share", t)
            data.mark("track", "a track of its playlist", t)
    return data


def timeline_cost(view, running: dict) -> dict:
    """What the live timeline costs now and once it holds its whole span: the GUI thread's
    CPU ms a repaint of the view at its size (median of a few) with the data it has (``timeline_ms``) and
    with ``full_timeline`` (``timeline_full_ms``), and the run's cores with the full one's
    repaints instead (``cpu_cores_full_timeline``: a session minutes old; the run itself
    sees its first seconds only)."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from moodplayer.ui.timeline import paint_timeline

    def paint_ms(data) -> float:
        image = QImage(max(1, view.width()), max(1, view.height()), QImage.Format.Format_RGB32)
        rect, palette = QRectF(image.rect()), view.palette()
        times = []
        for _ in range(7):
            start = time.thread_time()  # this thread's: the app's other threads run meanwhile
            painter = QPainter(image)
            paint_timeline(painter, rect, data, True, palette.color(palette.ColorRole.Text),
                           palette.color(palette.ColorRole.Base))
            painter.end()
            times.append(1000 * (time.thread_time() - start))
        return sorted(times)[len(times) // 2]

    live = view.data
    now_ms = paint_ms(live)
    full_ms = paint_ms(full_timeline(live.span_s, live.resolution_s, live.now))
    extra = running["timeline_fps"] * (full_ms - now_ms) / 1000
    return {"timeline_ms": round(now_ms, 2), "timeline_full_ms": round(full_ms, 2),
            "cpu_cores_full_timeline": round(running["cpu_cores"] + extra, 3)}


def thread_cpu() -> dict[tuple[str, str], float]:
    """CPU seconds of each thread of this process, by (id, name); {} off Linux."""
    out: dict[tuple[str, str], float] = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[(tid, name)] = (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError, ValueError):
            continue
    return out


def thread_shares(before: dict, after: dict, wall: float, total: float | None = None) -> dict[str, float]:
    """Cores used per thread name over ``wall`` seconds. The GUI thread (``main``: the
    process's first thread) and libvlc's threads (``vlc``) share the process's name. With
    the process's ``total``: what threads that ended meanwhile used (``ended``: libvlc
    starts threads for each track it opens, the loudness measuring its own; /proc forgets
    a thread's time when it ends), as the total less the threads still there."""
    by: dict[str, float] = {}
    main = str(os.getpid())
    for key, cpu in after.items():
        name = key[1]
        if key[0] == main:
            name = "main"
        elif name.startswith("python"):
            name = "vlc"
        by[name] = by.get(name, 0.0) + (cpu - before.get(key, 0.0)) / wall
    if total is not None and after:
        by["ended"] = total - sum(by.values())
    return {k: round(v, 3) for k, v in sorted(by.items(), key=lambda kv: -kv[1]) if v >= 0.001}


def rss_mb() -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None
