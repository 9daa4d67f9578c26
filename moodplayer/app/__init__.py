"""The desktop app: the wiring of camera, analysis, session, player and window
(``wiring``), what the window shows of the session (``presenter``), the therapist's
profiles and settings dialog (``profiles``) and the camera preview (``preview_feed``)."""

from moodplayer.app.wiring import AppOptions, MoodPlayerApp, make_backend, run_app

__all__ = ["AppOptions", "MoodPlayerApp", "make_backend", "run_app"]
