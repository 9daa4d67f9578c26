"""Player figures (development only): what a broken file costs before it is skipped, the gap
between two tracks that should join without one, and the whole app's CPU while a cross-fade
runs. ``moodplayer bench --player`` prints them (docs/performance.md); each stage is a child
process of its own so its CPU and its libvlc instances are its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _feel(session, mood: str) -> None:
    """Readings of one sure mood until the session's mood window settles on it."""
    from moodplayer.core.emotions import EMOTIONS, Reading

    scores = tuple(1.0 if e == mood else 0.0 for e in EMOTIONS)
    for _ in range(200):
        t = session.last_reading.t if session.last_reading else 0.0
        session.push_readings([Reading(t=t + 0.1 * (k + 1), box=(0, 0, 10, 10), face_confidence=1.0,
                                       scores=scores, faces=1) for k in range(5)])
        if session.mood == mood:
            return
    raise SystemExit(f"the mood window did not settle on {mood}")


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


STAGES = {"broken": broken_files}


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
