"""The desktop app: the wiring of camera, analysis, session, player and window
(``wiring``), what the window shows of the session (``presenter``), the therapist's
profiles and settings dialog (``profiles``), the camera preview (``preview_feed``), one
instance per user (``instance``) and the exits a signal asks for (``exits``).

The names below are loaded when first used, so that ``moodplayer.app.instance`` (which a
second ``moodplayer run`` needs to hand its request over) costs no Qt widgets, model or
player to import."""

from __future__ import annotations

from typing import Any

__all__ = ["AppOptions", "MoodPlayerApp", "make_backend", "run_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from moodplayer.app import wiring

        return getattr(wiring, name)
    raise AttributeError(f"module 'moodplayer.app' has no attribute {name!r}")
