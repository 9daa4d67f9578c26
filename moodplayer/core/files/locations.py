"""Where MoodPlayer keeps things: the one place that knows.

Settings live in the platform's config folder; calibrations, session records, playlists made
from dropped music, where the music stopped and the model folder in its data folder; the
loudness measured of each track in its cache folder; the demo playlists and icons beside the
code, or inside the packaged bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from moodplayer.core.files.userpath import user_path

APP = "moodplayer"


def bundle_root() -> Path | None:
    """The PyInstaller bundle's folder when running from the packaged app, else None."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle and getattr(sys, "frozen", False) else None


def config_file(override: str | None = None) -> Path:
    """``override`` (``--config``), else $MOODPLAYER_CONFIG, else the platform's config folder.
    Raises ValueError, in words, for a ``~user`` that names no user: the settings would
    otherwise land in a folder literally called ``~user`` below the current one."""
    given = override or os.environ.get("MOODPLAYER_CONFIG")
    if given:
        path = user_path(given)
        if path.parts and path.parts[0].startswith("~"):
            raise ValueError(f"settings file {given}: {path.parts[0]} names no home folder")
        return path
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "settings.toml"


def resource_root() -> Path:
    """The bundle, or the repository beside the package (icons, demo playlists)."""
    return bundle_root() or Path(__file__).resolve().parents[3]


def demo_playlists_dir() -> Path:
    return resource_root() / "assets" / "playlists"


def data_dir() -> Path:
    """The user's data folder (XDG_DATA_HOME on Linux)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def model_home() -> Path:
    """The app-private model folder (DeepFace's DEEPFACE_HOME): DEEPFACE_HOME if set, else
    ``<data>/deepface``; the bundle points DEEPFACE_HOME at its own copy."""
    return Path(os.environ.get("DEEPFACE_HOME") or data_dir() / "deepface")


def runtime_dir() -> Path:
    """The user's private folder for things that live as long as a session (the single
    instance's lock and socket): ``$XDG_RUNTIME_DIR/moodplayer``, else
    ``<temp>/moodplayer-<uid>``. Only named here; app/instance.py makes it, private."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / APP
    import tempfile

    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"{APP}-{uid}"


def cache_dir() -> Path:
    """The user's cache folder (XDG_CACHE_HOME on Linux): what can be made again, such as
    the loudness measured of each track."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def loudness_cache_file() -> Path:
    return cache_dir() / "loudness.json"


def resume_file() -> Path:
    """Where the music stopped, per profile (core/session/resume.py)."""
    return data_dir() / "resume.json"
