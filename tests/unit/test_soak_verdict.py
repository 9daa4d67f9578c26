"""make soak's verdict on its samples (dev/soak.py): a thread count that comes and goes
passes, one that climbs fails; memory growth over 5 % fails."""

from __future__ import annotations

from moodplayer.dev.soak import verdict


def _samples(threads: list[int], rss: list[float] | None = None) -> list[dict]:
    rss = rss or [200.0] * len(threads)
    return [{"t_s": 10.0 * i, "rss_mb": r, "threads": n, "mood_switches": 2 * i, "tracks_played": i,
             "analysed": 100 * i, "heartbeat_worst_ms": 12.0} for i, (n, r) in enumerate(zip(threads, rss))]


def test_workers_that_come_and_go_keep_the_thread_count_flat() -> None:
    # the 30-minute run's pattern: 13 mostly, 11 between two tracks
    result = verdict(_samples([15, 13, 13, 11, 13, 12, 13, 11, 13, 13, 11, 13]), [], [], 2.0)
    assert result["checks"]["threads_flat"] and result["passed"]
    assert result["threads_min_max"] == [11, 13]


def test_a_climbing_thread_count_fails() -> None:
    result = verdict(_samples([13, 13, 13, 14, 14, 15, 15, 16, 17, 17, 18, 19]), [], [], 2.0)
    assert not result["checks"]["threads_flat"] and not result["passed"]


def test_memory_that_grows_fails() -> None:
    rss = [200.0, 200.0, 201.0, 204.0, 208.0, 212.0, 216.0, 220.0, 224.0, 228.0]
    result = verdict(_samples([13] * 10, rss), [], [], 2.0)
    assert not result["checks"]["rss_growth_under_5_percent"] and not result["passed"]
