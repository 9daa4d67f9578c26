"""One sentence for every mood switch and every track change.

"The song seems random" is what users of emotion-driven players say; a switch that says
why earns trust, and a therapist reading a session record needs the reason next to the
event. The session builds these sentences (core/session.py) and puts them in the events'
``why``, so the window, the log, the timeline, the record and ``analyze`` all say the same.
Pure functions of numbers the session already has: nothing here decides anything.
"""

from __future__ import annotations

from moodplayer.core.session.mood_window import WindowConfig


def _pct(share: float) -> str:
    return f"{round(100 * share)} %"


def _num(x: float) -> str:
    return f"{x:g}"


def mood_why(mood: str, shares: dict[str, float], config: WindowConfig,
             previous: str | None = None) -> str:
    """Why the mood window says ``mood``: its share of the window, the runner-up's, and
    the rule that let it take over (the first mood only needs enough readings)."""
    share = shares.get(mood, 0.0)
    others = sorted(((s, m) for m, s in shares.items() if m != mood), reverse=True)
    runner = f" ({others[0][1]} {_pct(others[0][0])})" if others else ""
    text = f"{mood}: {_pct(share)} of the last {_num(config.window_s)} s{runner}"
    if previous is None:
        return f"{text}, the first mood with {config.min_readings} readings or more"
    return (f"{text}, ahead of {previous} by {config.margin:.2f} or more "
            f"for {config.min_dwell_s:.1f} s")


def playlist_why(reason: str, playlist: str, lifting_towards: str | None = None,
                 lift_tracks: int | None = None) -> str:
    """``reason`` (a mood's why, the user's choice, ...) → which playlist, and the lift."""
    text = f"{reason} → playlist {playlist}"
    if lifting_towards:
        text += f", lifting towards {lifting_towards}"
        if lift_tracks:
            text += f": track 1 of {lift_tracks}"
    return text


def track_why(title: str, index: int, playlist: str, lift_position: tuple[int, int] | None = None,
              lifting_towards: str | None = None) -> str:
    """Which track, and where it stands: in a lift (``lift_position`` = (n, of)) or in its
    playlist."""
    if lift_position is not None:
        n, of = lift_position
        return f"{title}: track {n} of {of} of the lift towards {lifting_towards}"
    return f"{title}: track {index + 1} of the {playlist} playlist"


def override_why(name: str | None) -> str:
    return f"you chose the {name} playlist" if name else "you chose Auto: the mood decides again"
