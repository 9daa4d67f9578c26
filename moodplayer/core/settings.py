"""Settings: one TOML file, validated field by field, written atomically.

A file that cannot be parsed, or a field with a wrong value, never stops the app: the
file is copied aside (``settings.toml.bak-YYYYmmdd-HHMMSS``), the user is told which
field and why, and that field falls back to its default while every valid field is kept.
"""

from __future__ import annotations

import os
import time
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.mapping import SWITCH_POLICIES

SCHEMA_VERSION = 1
NO_FACE_POLICIES = ("hold", "pause")
ENGINES = ("auto", "deepface", "fer", "fer-keras")


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    source: str = "camera:0"
    engine: str = "auto"
    detector: str = "opencv"
    align: bool = False
    expand_percentage: int = 10
    window_s: float = 5.0
    margin: float = 0.15
    min_dwell_s: float = 1.0
    no_face_timeout_s: float = 10.0
    no_face_policy: str = "hold"
    switch_policy: str = "now"
    volume: int = 70
    # emotion -> folder or .m3u; an emotion missing here uses the demo playlist.
    playlists: dict[str, str] = field(default_factory=dict)


# field -> (check, reason shown to the user)
_RULES = {
    "source": (lambda v: isinstance(v, str) and v != "", "must be camera:N, demo or a video path"),
    "engine": (lambda v: v in ENGINES, f"must be one of {', '.join(ENGINES)}"),
    "detector": (lambda v: isinstance(v, str) and v != "", "must name a DeepFace detector"),
    "align": (lambda v: isinstance(v, bool), "must be true or false"),
    "expand_percentage": (lambda v: _is_int(v) and 0 <= v <= 100, "must be a whole number 0..100"),
    "window_s": (lambda v: _is_num(v) and 0.5 <= v <= 120, "must be 0.5..120 seconds"),
    "margin": (lambda v: _is_num(v) and 0 <= v < 1, "must be 0..1"),
    "min_dwell_s": (lambda v: _is_num(v) and 0 <= v <= 60, "must be 0..60 seconds"),
    "no_face_timeout_s": (lambda v: _is_num(v) and 0 <= v <= 3600, "must be 0..3600 seconds"),
    "no_face_policy": (lambda v: v in NO_FACE_POLICIES, "must be hold or pause"),
    "switch_policy": (lambda v: v in SWITCH_POLICIES, "must be now or after_track"),
    "volume": (lambda v: _is_int(v) and 0 <= v <= 100, "must be a whole number 0..100"),
    "playlists": (
        lambda v: isinstance(v, dict)
        and all(k in EMOTIONS and isinstance(p, str) for k, p in v.items()),
        f"must map emotions ({', '.join(EMOTIONS)}) to paths",
    ),
}


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@dataclass
class LoadResult:
    settings: Settings
    problems: list[str] = field(default_factory=list)
    backup: Path | None = None


def load_settings(path: Path) -> LoadResult:
    """Read settings; never raises for a bad file (see module docstring)."""
    if not path.exists():
        return LoadResult(Settings())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as err:
        backup = _move_aside(path)
        return LoadResult(
            Settings(), [f"{path} could not be read ({err}); defaults are used"], backup
        )

    settings, problems = _from_dict(data)
    backup = _copy_aside(path) if problems else None
    if backup:
        problems.append(f"the original file was kept as {backup}")
    return LoadResult(settings, problems, backup)


def _from_dict(data: dict) -> tuple[Settings, list[str]]:
    problems: list[str] = []
    version = data.get("schema_version", SCHEMA_VERSION)
    if not _is_int(version) or version > SCHEMA_VERSION:
        problems.append(
            f"schema_version {version!r} is newer than this MoodPlayer understands "
            f"({SCHEMA_VERSION}); fields it knows are used"
        )
    values = {}
    known = {f.name for f in fields(Settings)}
    for key, value in data.items():
        if key == "schema_version":
            continue
        if key not in known:
            problems.append(f"unknown setting {key!r} ignored")
            continue
        check, reason = _RULES[key]
        if key in ("window_s", "margin", "min_dwell_s", "no_face_timeout_s") and _is_int(value):
            value = float(value)
        if check(value):
            values[key] = value
        else:
            problems.append(f"{key} = {value!r}: {reason}; the default is used")
    return Settings(**values), problems


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the old file, never half a file."""
    import tomli_w  # imported here: reading settings must not need the writer

    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(settings)
    data["schema_version"] = SCHEMA_VERSION
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        tomli_w.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _backup_name(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    return candidate


def _move_aside(path: Path) -> Path | None:
    target = _backup_name(path)
    try:
        os.replace(path, target)
        return target
    except OSError:
        return None


def _copy_aside(path: Path) -> Path | None:
    target = _backup_name(path)
    try:
        target.write_bytes(path.read_bytes())
        return target
    except OSError:
        return None
