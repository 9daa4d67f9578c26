"""Player figures (development only): what a broken file costs before it is skipped, the gap
between two tracks that should join without one, and the whole app's CPU while a cross-fade
runs. ``moodplayer bench --player`` prints them (docs/performance.md); each stage is a child
process of its own so its CPU and its libvlc instances are its own
(``python -m moodplayer.dev.bench_player STAGE`` runs one: broken, gapless, fade_cpu).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def feel_until_settled(session, mood: str, most_s: float = 100.0) -> bool:
    """Readings of one sure mood (10 a second, half a second at a time) until the session's
    mood window settles on it, at most ``most_s`` seconds of them; whether it did."""
    from moodplayer.core.emotions import EMOTIONS, Reading

    scores = tuple(1.0 if e == mood else 0.0 for e in EMOTIONS)
    for _ in range(int(most_s * 2)):
        t = session.last_reading.t if session.last_reading else 0.0
        session.push_readings([Reading(t=t + 0.1 * (k + 1), box=(0, 0, 10, 10), face_confidence=1.0,
                                       scores=scores, faces=1) for k in range(5)])
        if session.mood == mood:
            return True
    return False


def _feel(session, mood: str) -> None:
    if not feel_until_settled(session, mood):
        raise SystemExit(f"the mood window did not settle on {mood}")


def _own_folders(tmp: Path) -> None:
    """The app's config, data, cache and runtime folders in ``tmp``: no resume point, loudness
    cache or running instance of the user's is read or touched."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        folder = tmp / name.lower()
        folder.mkdir(mode=0o700, exist_ok=True)
        os.environ[name] = str(folder)
    os.environ.pop("MOODPLAYER_CONFIG", None)
    os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)


def _app(tmp: Path, playlists: dict[str, str], audio_out: str = "dummy", **settings):
    from PySide6.QtWidgets import QApplication

    from moodplayer.app import AppOptions, MoodPlayerApp
    from moodplayer.core.settings.schema import Profile, Settings, save_settings

    qt = QApplication.instance() or QApplication([])
    config = tmp / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists=playlists)}, **settings))
    app = MoodPlayerApp(AppOptions(config=str(config), backend="vlc", audio_out=audio_out,
                                   overrides={"source": "demo"}, offer_first_look=False))
    return qt, app


def broken_files(n: int = 5000) -> dict:
    """The whole app on a mood folder of ``n`` empty .mp3: the time from one skipped file to
    the next, and until the one "nothing in this folder plays" line."""
    from PySide6.QtCore import QTimer

    with tempfile.TemporaryDirectory(prefix="moodplayer-broken-") as tmp_s:
        tmp = Path(tmp_s)
        _own_folders(tmp)
        folder = tmp / "happy"
        folder.mkdir()
        for k in range(n):
            (folder / f"{k:04d}.mp3").write_bytes(b"")
        qt, app = _app(tmp, {"happy": str(folder)})
        stamps: list[float] = []
        said: list[str] = []
        app.backend.track_failed.connect(lambda i, why: stamps.append(time.monotonic()))
        app.backend.playlist_failed.connect(lambda m: (said.append(m), QTimer.singleShot(200, qt.quit)))
        QTimer.singleShot(600_000, qt.quit)
        start = time.monotonic()
        QTimer.singleShot(0, lambda: _feel(app.session, "happy"))
        qt.exec()
        end = time.monotonic()
        app.shutdown()
        app.window.close()
    gaps = sorted(b - a for a, b in zip(stamps, stamps[1:]))
    return {
        "files": n,
        "skipped": len(stamps),
        "said": said[-1] if said else None,
        "until_said_s": round(end - start, 3),
        "per_file_ms_median": round(1000 * gaps[len(gaps) // 2], 1) if gaps else None,
        "per_file_ms_max": round(1000 * gaps[-1], 1) if gaps else None,
    }


def _cpu_windows(loop, app, picks: list[str], quiet_s: float, faded: bool = True) -> dict:
    """In ``loop``: alternately a quiet stretch (music playing, no fade) and a fade (the user picks
    another playlist: ``switch_fade_s``), the process's CPU (every thread) over each."""
    from PySide6.QtCore import QTimer

    from moodplayer.dev.bench_app import thread_cpu, thread_shares

    spans: dict[str, list[tuple[float, float]]] = {"quiet": [], "fading": []}
    threads: dict[str, list] = {"quiet": [], "fading": []}
    todo = list(picks)
    mark: dict = {}

    def begin(kind: str) -> None:
        mark.update(kind=kind, cpu=time.process_time(), wall=time.monotonic(), threads=thread_cpu())

    def end() -> None:
        wall = time.monotonic() - mark["wall"]
        spans[mark["kind"]].append((time.process_time() - mark["cpu"], wall))
        threads[mark["kind"]].append(thread_shares(mark["threads"], thread_cpu(), wall))

    def quiet() -> None:
        begin("quiet")
        QTimer.singleShot(int(quiet_s * 1000), fade)

    def fade() -> None:
        end()
        if not todo:
            loop.quit()
            return
        app.session.choose(todo.pop(0))
        if faded and not app.backend.fading:
            mark["error"] = "the pick did not fade"
            loop.quit()
            return
        begin("fading")
        QTimer.singleShot(int(quiet_s * 1000), poll)  # the fade's length (polling costs CPU too)

    def poll() -> None:
        if app.backend.fading:
            QTimer.singleShot(20, poll)
            return
        end()
        QTimer.singleShot(500, quiet)  # the faded-out voice's tail stops meanwhile

    QTimer.singleShot(0, quiet)
    loop.exec()
    out: dict = {}
    for kind, rows in spans.items():
        cpu, wall = sum(c for c, _ in rows), sum(w for _, w in rows)
        out[f"{kind}_cores"] = round(cpu / wall, 3) if wall else None
        out[f"{kind}_s"] = round(wall, 1)
        out[f"{kind}_each"] = [round(c / w, 3) for c, w in rows]  # per window, in order
        out[f"{kind}_threads"] = threads[kind][-1] if threads[kind] else None  # the last window's
    if out["quiet_cores"] and out["fading_cores"]:
        out["ratio"] = round(out["fading_cores"] / out["quiet_cores"], 2)
    if "error" in mark:
        out["error"] = mark["error"]
    return out


def fade_cpu(rounds: int = 4) -> dict:
    """The whole app on a steady listener (a camera-like clip of one smiling face, the
    ``steady`` preset) with music playing (libvlc, dummy output): the CPU while a
    cross-fade runs against the CPU just before it, ``rounds`` of each in one run; then the
    same with the camera paused (music only)."""
    from PySide6.QtCore import QTimer

    from moodplayer.core.emotions import EMOTIONS
    from moodplayer.dev.camera_clips import PRESETS, write_camera_clip
    from moodplayer.system import netguard

    netguard.block_network()
    with tempfile.TemporaryDirectory(prefix="moodplayer-fade-") as tmp_s:
        tmp = Path(tmp_s)
        _own_folders(tmp)
        clip = write_camera_clip(tmp / "steady.avi", [("smile", 40.0)], PRESETS["steady"])
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        from moodplayer.app import AppOptions, MoodPlayerApp

        qt = QApplication.instance() or QApplication([])  # noqa: F841 (the app's Qt)
        loop = QEventLoop()  # not qt.exec(): quitting the application would shut the app down
        app = MoodPlayerApp(AppOptions(overrides={"source": str(clip)}, audio_out="dummy", backend="vlc",
                                       config=str(tmp / "settings.toml"), offer_first_look=False))
        ready: list = []
        app.analysis.ready.connect(lambda _: ready.append(1))
        playing = QTimer()  # the model ready, the first mood, its music, then a few seconds more
        playing.timeout.connect(lambda: ready and app.session.mood and app.backend.state == "playing" and (
            playing.stop(), QTimer.singleShot(3000, loop.quit)))
        playing.start(100)
        app.analysis.failed.connect(lambda why: loop.quit())
        QTimer.singleShot(120_000, loop.quit)
        app.start()
        loop.exec()
        playing.stop()
        if app.backend.state != "playing":
            app.shutdown()
            raise SystemExit(f"the app did not start playing (music {app.backend.state}, "
                             f"moods {app.mood_history})")
        moods = [m for m in EMOTIONS if m in app.session.playlists]
        picks = [moods[k % 2] for k in range(1, 2 * rounds + 1)][:rounds]
        fade_s = app.machine.switch_fade_s
        out = {"fade_s": fade_s, "camera_on": _cpu_windows(loop, app, picks, fade_s)}
        app.pause_camera(True)
        QTimer.singleShot(2000, loop.quit)
        loop.exec()
        out["camera_paused"] = _cpu_windows(loop, app, picks, fade_s)
        # the same switches cut, not faded: what a switch costs without the fade
        app.session.fades = replace(app.session.fades, switch_s=0.0)
        out["camera_paused_cut"] = _cpu_windows(loop, app, picks, fade_s, faded=False)
        out["moods"] = [m for _, m in app.mood_history]
        app.shutdown()
        app.window.close()
    return out


def split_tone(folder: Path, seconds: float = 1.5, rate: int = 44100, freq: float = 440.0) -> Path:
    """One tone, its first half in 01.wav and the rest in 02.wav (phase continuous): a join
    that a gapless player leaves unheard."""
    import numpy as np

    from moodplayer.dev.audio_formats import write_pcm_wav

    t = np.arange(int(rate * 2 * seconds)) / rate
    x = 0.4 * np.sin(2 * np.pi * freq * t)
    write_pcm_wav(folder / "01.wav", x[: len(x) // 2], rate)
    write_pcm_wav(folder / "02.wav", x[len(x) // 2:], rate)
    return folder


def _join(path: Path) -> tuple[float, float]:
    """(ms of silence, ms of overlap) where two halves of one tone met, in what the clock
    output heard: the longest run below -60 dBFS between the first and the last sound, and
    how long the 5 ms envelope stood 20 % above the tone's level."""
    import wave

    import numpy as np

    with wave.open(str(path), "rb") as wf:
        x = np.frombuffer(wf.readframes(wf.getnframes()), "<i2").reshape(-1, wf.getnchannels())[:, 0] / 32768
        rate = wf.getframerate()
    loud = np.flatnonzero(np.abs(x) >= 1e-3)
    silence = float(np.diff(loud).max() - 1) / rate if loud.size > 1 else float("inf")
    w = int(rate * 0.005)
    env = np.sqrt(np.mean(x[: len(x) // w * w].reshape(-1, w) ** 2, axis=1))
    steady = float(np.median(env[env > 0.01]))
    return round(1000 * silence, 1), float(5 * np.count_nonzero(env > 1.2 * steady))


def gapless(runs: int = 3) -> dict:
    """Two tracks cut from one tone (2 s each), crossfade 0, through the ``clock:`` output
    (an emulated sound card, playback/clocked_out.py): the silence and the overlap where they
    meet, with the next track primed (the backend as it is) and opened at libvlc's end of the
    first (priming off: how it was)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from moodplayer.core.music.playlist import load_playlist
    from moodplayer.playback import vlc_backend

    QCoreApplication.instance() or QCoreApplication([])
    out: dict = {}
    prime_ms = vlc_backend.PRIME_MS
    with tempfile.TemporaryDirectory(prefix="moodplayer-gapless-") as tmp_s:
        tmp = Path(tmp_s)
        album = split_tone(tmp / "album", 2.0)
        for mode, prime in (("primed", prime_ms), ("opened_at_the_end", -1)):
            vlc_backend.PRIME_MS = prime
            rows = []
            for k in range(runs):
                heard = tmp / f"{mode}-{k}.wav"
                b = vlc_backend.VlcBackend(audio_out=f"clock:{heard}")
                b.set_volume(100)
                b.load(load_playlist("album", album))
                loop = QEventLoop()
                b.track_changed.connect(lambda i, loop=loop: i == 1 and QTimer.singleShot(1000, loop.quit))
                QTimer.singleShot(10_000, loop.quit)
                loop.exec()
                b.stop()
                b.close()
                rows.append(_join(heard))
            out[mode] = {"silence_ms": [r[0] for r in rows], "overlap_ms": [r[1] for r in rows]}
        vlc_backend.PRIME_MS = prime_ms
    return out


STAGES = {"broken": broken_files, "gapless": gapless, "fade_cpu": fade_cpu}


def cmd_player_bench(args) -> int:
    """``moodplayer bench --player``: every stage, each in a child process of its own."""
    result = run_player_bench()
    if getattr(args, "json", False):
        print(json.dumps(result))
    else:
        print(format_player(result))
    return 0 if not any("error" in (v or {}) for v in result.values()) else 1


def format_player(r: dict) -> str:
    lines = []
    b = r.get("broken") or {}
    lines.append(f"broken files: {b.get('skipped')} of {b.get('files')} empty .mp3 skipped, "
                 f"{b.get('per_file_ms_median')} ms a file (worst {b.get('per_file_ms_max')}), "
                 f"the one line after {b.get('until_said_s')} s: {b.get('said')}")
    g = r.get("gapless") or {}
    for mode in ("primed", "opened_at_the_end"):
        m = g.get(mode) or {}
        lines.append(f"gapless, {mode.replace('_', ' ')}: silence {m.get('silence_ms')} ms, "
                     f"overlap {m.get('overlap_ms')} ms")
    f = r.get("fade_cpu") or {}
    for key in ("camera_on", "camera_paused", "camera_paused_cut"):
        c = f.get(key) or {}
        what = "the 3 s after a cut switch" if key.endswith("cut") else "during"
        lines.append(f"cpu, {key.replace('_', ' ')}: {c.get('quiet_cores')} cores before a switch, "
                     f"{c.get('fading_cores')} {what} ({c.get('ratio')} x; each {c.get('fading_each')})")
    for name, v in r.items():
        if isinstance(v, dict) and "error" in v:
            lines.append(f"error in {name}: {v['error']}")
    return "\n".join(lines)


def run_player_bench(stages: list[str] | None = None) -> dict:
    out: dict = {}
    for name in stages or list(STAGES):
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        proc = subprocess.run([sys.executable, "-m", "moodplayer.dev.bench_player", name],
                              capture_output=True, text=True, env=env, timeout=1800)
        last = (proc.stdout.strip().splitlines() or [""])[-1]
        try:
            out[name] = json.loads(last)
        except json.JSONDecodeError:
            out[name] = {"error": f"exit {proc.returncode}: {(proc.stderr.strip().splitlines() or [''])[-1]}"}
    return out


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    print(json.dumps(STAGES[sys.argv[1]](*[int(a) for a in sys.argv[2:]])))
