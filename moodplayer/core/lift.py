"""The iso-principle, as a playlist plan: meet the listener where they are, then lead.

A mood set to **lift** starts with music that matches the mood and moves to a target
playlist over ``n`` tracks. The share of target tracks grows linearly from 0 (the first
track always matches) to 1 (the n-th is the target's), spread evenly by error diffusion,
so the change is gradual rather than a jump at the midpoint. After the n-th track only
the target plays.
"""

from __future__ import annotations

STRATEGIES = ("match", "lift")


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
