"""The iso-principle, as a playlist plan: meet the listener where they are, then lead.

A mood set to **lift** starts with music that matches the mood and moves to a target
playlist over ``n`` tracks. The share of target tracks grows linearly from 0 (the first
track always matches) to 1 (the n-th is the target's), spread evenly by error diffusion,
so the change is gradual rather than a jump at the midpoint. After the n-th track only
the target plays.
"""

from __future__ import annotations

from typing import TypeVar

from moodplayer.core.emotions import EMOTIONS

T = TypeVar("T")

STRATEGIES = ("match", "lift")
PATH_SIGNS = ("/", "\\", "~", ".")  # a target with one of these is a folder or playlist path


def lift_target_problem(mood: str, target: str) -> str | None:
    """None when ``mood`` can be lifted towards ``target`` (another mood, or a folder or
    playlist path); otherwise why not, in a few words. A word without any sign of a path
    ("hapy", "Happy") is a mood that does not exist, not a folder next to wherever the app
    was started."""
    if target == mood:
        return f"cannot lift {mood} towards itself"
    if target in EMOTIONS:
        return None
    if not target.strip():
        return "choose a mood or a folder / playlist to lift towards"
    if not any(sign in target for sign in PATH_SIGNS):
        hint = f" (did you mean {target.lower()}?)" if target.lower() in EMOTIONS else ""
        return (f"unknown mood {target!r}{hint}: lift towards {', '.join(e for e in EMOTIONS if e != mood)}, "
                "or a folder / playlist path")
    return None


def lift_sources(n: int) -> list[str]:
    """Where each of the first ``n`` tracks comes from: "mood" or "target"."""
    if n < 1:
        raise ValueError("a lift needs at least one track")
    if n == 1:
        return ["target"]
    sources, carry = [], 0.0
    for k in range(n):
        carry += k / (n - 1)  # the target's share at track k
        if carry >= 0.5:
            sources.append("target")
            carry -= 1.0
        else:
            sources.append("mood")
    return sources


def source_of_track(k: int, n: int) -> str:
    """Track ``k`` (0-based) after the switch: from the mood's playlist or the target's."""
    return lift_sources(n)[k] if k < n else "target"


def lift_order(mood_tracks: list[T], target_tracks: list[T], n: int) -> tuple[list[T], int]:
    """The tracks to play for a lift, and the index of the target's track that follows it.

    The first ``n`` follow ``lift_sources(n)``, each source taken in its own order; the
    target's whole playlist follows, starting where the lift left it. (The session loads
    the plain target playlist, from that track, once the lift's n tracks are over.)
    """
    if not mood_tracks or not target_tracks:
        raise ValueError("a lift needs tracks on both sides")
    order: list[T] = []
    used = {"mood": 0, "target": 0}
    for source in lift_sources(n):
        tracks = mood_tracks if source == "mood" else target_tracks
        order.append(tracks[used[source] % len(tracks)])
        used[source] += 1
    k = used["target"] % len(target_tracks)
    return order + target_tracks[k:] + target_tracks[:k], k
