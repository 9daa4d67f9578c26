"""``make soak``: the app for a long while, watched. Not part of ``make test``.

    python -m moodplayer.dev.soak [--minutes 30] [--json]   (SOAK_MIN overrides the default)

The real app, offscreen, on the looping demo clip (a real face: crying, then smiling, so
the mood keeps changing), real libvlc (audio to the dummy output) playing 5-second tracks,
a 10 ms QTimer as the GUI's heartbeat. Every 10 s: resident memory, thread count, mood
switches, tracks played, the heartbeat's worst gap. Pass: memory grows < 5 % after the
warm-up, the thread count does not climb (the second half's highest is not above the first
half's), no error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

SAMPLE_S = 10.0
WARMUP_FRACTION = 0.2  # the first fifth (at least one sample) is warm-up


def proc_status() -> tuple[float, int]:
    rss_kb, threads = 0, 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
        elif line.startswith("Threads:"):
            threads = int(line.split()[1])
    return rss_kb / 1024, threads


def soak(minutes: float, workdir: Path) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from moodplayer.app import AppOptions, MoodPlayerApp
    from moodplayer.core.emotions import EMOTIONS
    from moodplayer.core.settings.schema import Profile, Settings, save_settings
    from moodplayer.provision.demo_tracks import generate
    from moodplayer.system import netguard

    netguard.block_network()
    music = workdir / "music"
    generate(music, seconds=5.0, per_mood=2)
    config = workdir / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists={e: str(music / e) for e in EMOTIONS})}))

    app = QApplication.instance() or QApplication([])
    player = MoodPlayerApp(AppOptions(overrides={"source": "demo"}, audio_out="dummy", config=str(config)))
    tracks, failures, errors = [0], [], []
    player.backend.track_changed.connect(lambda i: tracks.__setitem__(0, tracks[0] + 1))
    player.backend.track_failed.connect(lambda i, why: failures.append(why))
    player.backend.playlist_failed.connect(errors.append)
    player.analysis.failed.connect(errors.append)

    clock, worst = QElapsedTimer(), [0.0]
    heartbeat = QTimer()
    heartbeat.setInterval(10)

    def beat():
        if clock.isValid():
            worst[0] = max(worst[0], float(clock.restart()))
        else:
            clock.start()

    samples: list[dict] = []
    start = time.monotonic()

    def sample():
        rss, threads = proc_status()
        samples.append({
            "t_s": round(time.monotonic() - start, 1), "rss_mb": round(rss, 1), "threads": threads,
            "mood_switches": len(player.mood_history), "tracks_played": tracks[0],
            "heartbeat_worst_ms": worst[0], "analysed": player.analysis.analysed,
        })
        worst[0] = 0.0
        print(json.dumps(samples[-1]), file=sys.stderr, flush=True)

    sampler = QTimer()
    sampler.setInterval(int(SAMPLE_S * 1000))
    sampler.timeout.connect(sample)
    heartbeat.timeout.connect(beat)
    def finish():
        # stop measuring first: a sample taken while the app shuts down is not the app
        sampler.stop()
        heartbeat.stop()
        app.quit()

    player.start()
    heartbeat.start()
    sampler.start()
    QTimer.singleShot(int(minutes * 60 * 1000), finish)
    app.exec()
    player.shutdown()
    player.window.close()
    return verdict(samples, failures, errors, minutes)


def verdict(samples: list[dict], failures: list[str], errors: list[str], minutes: float) -> dict:
    warm = max(1, int(len(samples) * WARMUP_FRACTION))
    steady = samples[warm:] or samples[-1:]
    base, last = steady[0], steady[-1]
    growth = (last["rss_mb"] - base["rss_mb"]) / base["rss_mb"] if base["rss_mb"] else 0.0
    threads = [s["threads"] for s in steady]
    checks = {
        "rss_growth_under_5_percent": growth < 0.05,
        # no growth: workers come and go (a track's loudness job, libvlc's between two
        # tracks), so the count moves by a few; what must not happen is a count that climbs,
        # i.e. the last half's highest above the first half's highest
        "threads_flat": max(threads[len(threads) // 2:]) <= max(threads[: max(1, len(threads) // 2)]),
        "no_errors": not failures and not errors,
        "moods_switched": last["mood_switches"] >= 2,
        "tracks_played": last["tracks_played"] >= 2,
    }
    return {
        "minutes": minutes,
        "samples": samples,
        "rss_after_warmup_mb": base["rss_mb"],
        "rss_end_mb": last["rss_mb"],
        "rss_growth_percent": round(100 * growth, 2),
        "threads_min_max": [min(threads), max(threads)],
        "mood_switches": last["mood_switches"],
        "tracks_played": last["tracks_played"],
        "frames_analysed": last["analysed"],
        "heartbeat_worst_ms": max(s["heartbeat_worst_ms"] for s in steady),
        "errors": failures + errors,
        "checks": checks,
        "passed": all(checks.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MIN") or 30))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.minutes * 60 < 3 * SAMPLE_S:
        parser.error(f"--minutes must give at least 3 samples ({3 * SAMPLE_S / 60:g} min)")
    with tempfile.TemporaryDirectory(prefix="moodplayer-soak-") as tmp:
        result = soak(args.minutes, Path(tmp))
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("minutes", "rss_after_warmup_mb", "rss_end_mb", "rss_growth_percent",
                    "threads_min_max", "mood_switches", "tracks_played", "frames_analysed",
                    "heartbeat_worst_ms", "errors", "checks"):
            print(f"{key:>22}: {result[key]}")
        print("PASS" if result["passed"] else "FAIL")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
