"""Cross-fades: which changes of music fade, for how long, and how the two levels move.

A mood switch (and a playlist the user picks) fades over ``switch_s``; every other change
of track (one that ended by itself, Next, Previous, a track picked in the list) over
``track_s``, 0 being a plain cut. Nothing fades in while the music is paused: the new music
waits, stopped. A track that ends by itself starts to fade out ``track_s`` before its end
(at most half its length), so the next one is already rising when it falls silent.

The curve is equal-power (cos / sin): two unrelated pieces of music overlapping at those
levels keep the loudness the listener hears about even across the fade. What a fade does
when the user acts meanwhile is the backends' part (playback/backend.py): pause, seek,
Next / Previous, stop and quit end it at once (the old music stops, the new one stays);
mute silences both and lets it run on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FADE_MAX_S = 12.0
SILENT_DB = -120.0  # what a level of 0 is in decibels


@dataclass(frozen=True)
class Fades:
    switch_s: float = 3.0  # a mood switch, or a playlist the user picked
    track_s: float = 0.0  # every other change of track


def _ms(seconds: float) -> int:
    return int(round(1000 * max(0.0, min(FADE_MAX_S, seconds))))


def switch_fade_ms(fades: Fades, *, autoplay: bool, at_track_end: bool) -> int:
    """How long the music fades when the session switches playlists: none while paused
    (the new music waits), the track fade when the old track ended anyway."""
    if not autoplay:
        return 0
    return _ms(fades.track_s if at_track_end else fades.switch_s)


def track_fade_ms(fades: Fades) -> int:
    return _ms(fades.track_s)


def early_end_ms(length_ms: int, fade_ms: int) -> int:
    """How long before its end a track that ends by itself hands over to the next one (0:
    at its end). Never more than half the track, so a short one is still heard."""
    if fade_ms <= 0 or length_ms <= 0:
        return 0
    return min(fade_ms, length_ms // 2)


def levels(progress: float) -> tuple[float, float]:
    """(outgoing, incoming) amplitude, each 0..1, at ``progress`` 0..1 of a fade."""
    x = max(0.0, min(1.0, progress))
    return math.cos(0.5 * math.pi * x), math.sin(0.5 * math.pi * x)


def level_db(level: float) -> float:
    """An amplitude 0..1 in decibels (0 is ``SILENT_DB``)."""
    return 20.0 * math.log10(level) if level > 1e-6 else SILENT_DB
