"""Where MoodPlayer keeps things. Settings live in the platform's config folder; the
demo playlists beside the code (or inside the packaged bundle)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "moodplayer"


def config_file(override: str | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    if os.environ.get("MOODPLAYER_CONFIG"):
        return Path(os.environ["MOODPLAYER_CONFIG"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "settings.toml"


def resource_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # inside a PyInstaller bundle
    return Path(bundle) if bundle else Path(__file__).resolve().parent.parent


def demo_playlists_dir() -> Path:
    return resource_root() / "assets" / "playlists"


def data_dir() -> Path:
    """The user's data folder (playlists made from dropped files, calibrations, records)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))
