"""Where the music stopped, per profile, so the next start plays on from there.

One small JSON file in the data folder (core/files/locations.py ``resume_file``): for each
profile, the playlist that played (a mood's, or the one the user picked: ``override``), the
track's path and the position in it. A damaged file is ignored (the app starts fresh).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from moodplayer.core.files.atomic import write_text_atomically
from moodplayer.core.music.playlist import Playlist


@dataclass(frozen=True)
class ResumePoint:
    playlist: str  # the session's name for it: an emotion, or an opened playlist's key
    override: bool  # the user picked it (the dropdown showed it); False: Auto, the mood's
    track: str  # the track's path
    position_ms: int


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_resume(path: Path, profile: str) -> ResumePoint | None:
    entry = _read(path).get(profile)
    if not isinstance(entry, dict):
        return None
    try:
        point = ResumePoint(str(entry["playlist"]), bool(entry["override"]), str(entry["track"]),
                            max(0, int(entry["position_ms"])))
    except (KeyError, TypeError, ValueError):
        return None
    return point if point.playlist and point.track else None


def save_resume(path: Path, profile: str, point: ResumePoint | None) -> None:
    """Keep (or, with None, forget) ``profile``'s point; the other profiles' stay. OSError
    to the caller."""
    data = _read(path)
    if point is None:
        if profile not in data:
            return
        data.pop(profile)
    else:
        data[profile] = asdict(point)
    write_text_atomically(path, json.dumps(data, indent=1))


def track_index(playlist: Playlist, track: str) -> int | None:
    """Where ``track`` is in ``playlist`` now (None: gone from it)."""
    for i, t in enumerate(playlist.tracks):
        if str(t.path) == track:
            return i
    return None
