"""Settings: one TOML file, validated field by field, written atomically.

A file that cannot be parsed, or a field with a wrong value, never stops the app: the
file is copied aside (``settings.toml.bak-YYYYmmdd-HHMMSS``), the user is told which
field and why, and that field falls back to its default while every valid field is kept.

Machine-wide choices (camera, model, volume, window geometry) sit at the top level; what a
therapist sets up per client (which music each mood gets, how fast the music reacts) is a
**profile**, and the file holds any number of them (``[profiles.<name>]``). Schema 1 files
(one unnamed set of client settings at the top level) are migrated into a "Default" profile.
"""

from __future__ import annotations

import os
import time
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.mapping import SWITCH_POLICIES

SCHEMA_VERSION = 2
DEFAULT_PROFILE = "Default"
NO_FACE_POLICIES = ("hold", "pause")
ENGINES = ("auto", "deepface", "fer", "fer-keras")


@dataclass
class Lift:
    """Iso-principle for one mood: from its own music to ``target`` over ``tracks`` tracks.
    ``target`` is another emotion (its playlist) or a folder / .m3u path."""

    target: str = "happy"
    tracks: int = 4


@dataclass
class Profile:
    window_s: float = 5.0
    margin: float = 0.15
    min_dwell_s: float = 1.0
    no_face_timeout_s: float = 10.0
    no_face_policy: str = "hold"
    switch_policy: str = "now"
    # emotion -> folder or .m3u; an emotion missing here uses the demo playlist.
    playlists: dict[str, str] = field(default_factory=dict)
    # emotion -> Lift; an emotion missing here plays music that matches it.
    lift: dict[str, Lift] = field(default_factory=dict)

    def strategy(self, emotion: str) -> str:
        return "lift" if emotion in self.lift else "match"


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    source: str = "camera:0"
    engine: str = "auto"
    detector: str = "opencv"
    align: bool = False
    expand_percentage: int = 10
    volume: int = 70
    window_geometry: list[int] = field(default_factory=list)  # x, y, w, h; empty: default
    last_playlist: str = ""  # the dropdown's last choice ("" = Auto)
    active_profile: str = DEFAULT_PROFILE
    profiles: dict[str, Profile] = field(default_factory=lambda: {DEFAULT_PROFILE: Profile()})

    @property
    def profile(self) -> Profile:
        """The active profile (created empty if the name is not there)."""
        return self.profiles.setdefault(self.active_profile, Profile())


# field -> (check, reason shown to the user)
_RULES = {
    "source": (lambda v: isinstance(v, str) and v != "", "must be camera:N, demo or a video path"),
    "engine": (lambda v: v in ENGINES, f"must be one of {', '.join(ENGINES)}"),
    "detector": (lambda v: isinstance(v, str) and v != "", "must name a DeepFace detector"),
    "align": (lambda v: isinstance(v, bool), "must be true or false"),
    "expand_percentage": (lambda v: _is_int(v) and 0 <= v <= 100, "must be a whole number 0..100"),
    "volume": (lambda v: _is_int(v) and 0 <= v <= 100, "must be a whole number 0..100"),
    "window_geometry": (lambda v: isinstance(v, list) and (not v or len(v) == 4 and all(map(_is_int, v))),
                        "must be [x, y, width, height]"),
    "last_playlist": (lambda v: v == "" or v in EMOTIONS, "must be an emotion or empty"),
    "active_profile": (lambda v: isinstance(v, str) and v != "", "must name a profile"),
}
PROFILE_RULES = {
    "window_s": (lambda v: _is_num(v) and 0.5 <= v <= 120, "must be 0.5..120 seconds"),
    "margin": (lambda v: _is_num(v) and 0 <= v < 1, "must be 0..1"),
    "min_dwell_s": (lambda v: _is_num(v) and 0 <= v <= 60, "must be 0..60 seconds"),
    "no_face_timeout_s": (lambda v: _is_num(v) and 0 <= v <= 3600, "must be 0..3600 seconds"),
    "no_face_policy": (lambda v: v in NO_FACE_POLICIES, "must be hold or pause"),
    "switch_policy": (lambda v: v in SWITCH_POLICIES, "must be now or after_track"),
    "playlists": (
        lambda v: isinstance(v, dict) and all(k in EMOTIONS and isinstance(p, str) for k, p in v.items()),
        f"must map emotions ({', '.join(EMOTIONS)}) to paths",
    ),
}
LIFT_RULES = {
    "target": (lambda v: isinstance(v, str) and v != "", "must be an emotion or a playlist path"),
    "tracks": (lambda v: _is_int(v) and 1 <= v <= 50, "must be a whole number 1..50"),
}
_FLOATS = ("window_s", "margin", "min_dwell_s", "no_face_timeout_s")


def validate_profile_field(name: str, value) -> str | None:
    """None when ``value`` is fine for the profile field ``name``, else the reason."""
    check, reason = PROFILE_RULES[name]
    return None if check(value) else reason


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

    settings, problems = settings_from_dict(data)
    backup = _copy_aside(path) if problems else None
    if backup:
        problems.append(f"the original file was kept as {backup}")
    return LoadResult(settings, problems, backup)


def settings_from_dict(data: dict) -> tuple[Settings, list[str]]:
    problems: list[str] = []
    version = data.get("schema_version", 1)
    if not _is_int(version) or version > SCHEMA_VERSION:
        problems.append(
            f"schema_version {version!r} is newer than this MoodPlayer understands "
            f"({SCHEMA_VERSION}); fields it knows are used"
        )
    elif version < SCHEMA_VERSION:
        data = migrate(data)
    values: dict = {}
    known = {f.name for f in fields(Settings)}
    for key, value in data.items():
        if key in ("schema_version", "profiles"):
            continue
        if key not in known:
            problems.append(f"unknown setting {key!r} ignored")
            continue
        check, reason = _RULES[key]
        if check(value):
            values[key] = value
        else:
            problems.append(f"{key} = {value!r}: {reason}; the default is used")
    profiles = {}
    raw_profiles = data.get("profiles", {DEFAULT_PROFILE: {}})
    if not isinstance(raw_profiles, dict) or not raw_profiles:
        problems.append("profiles must be tables ([profiles.<name>]); a Default profile is used")
        raw_profiles = {DEFAULT_PROFILE: {}}
    for name, raw in raw_profiles.items():
        profiles[name], more = profile_from_dict(raw, f"profiles.{name}")
        problems += more
    settings = Settings(profiles=profiles, **values)
    if settings.active_profile not in profiles:
        problems.append(f"active_profile {settings.active_profile!r} does not exist; "
                        f"{next(iter(profiles))!r} is used")
        settings.active_profile = next(iter(profiles))
    return settings, problems


def migrate(data: dict) -> dict:
    """Schema 1 -> 2: the client settings at the top level become the Default profile."""
    data = dict(data)
    profile = {k: data.pop(k) for k in list(data) if k in PROFILE_RULES}
    data.setdefault("profiles", {DEFAULT_PROFILE: profile})
    data["schema_version"] = SCHEMA_VERSION
    return data


def profile_from_dict(raw, where: str) -> tuple[Profile, list[str]]:
    problems: list[str] = []
    if not isinstance(raw, dict):
        return Profile(), [f"{where} must be a table; defaults are used"]
    values: dict = {}
    for key, value in raw.items():
        if key == "lift":
            values["lift"], more = _lifts_from_dict(value, f"{where}.lift")
            problems += more
            continue
        if key not in PROFILE_RULES:
            problems.append(f"unknown setting '{where}.{key}' ignored")
            continue
        if key in _FLOATS and _is_int(value):
            value = float(value)
        reason = validate_profile_field(key, value)
        if reason is None:
            values[key] = value
        else:
            problems.append(f"{where}.{key} = {value!r}: {reason}; the default is used")
    return Profile(**values), problems


def _lifts_from_dict(raw, where: str) -> tuple[dict[str, Lift], list[str]]:
    if not isinstance(raw, dict):
        return {}, [f"{where} must be a table of emotions; no mood lifts"]
    lifts, problems = {}, []
    for emotion, entry in raw.items():
        if emotion not in EMOTIONS or not isinstance(entry, dict):
            problems.append(f"{where}.{emotion} ignored: must be an emotion with target and tracks")
            continue
        values = {}
        for key, value in entry.items():
            rule = LIFT_RULES.get(key)
            if rule is None:
                problems.append(f"unknown setting '{where}.{emotion}.{key}' ignored")
            elif rule[0](value):
                values[key] = value
            else:
                problems.append(f"{where}.{emotion}.{key} = {value!r}: {rule[1]}; the default is used")
        lifts[emotion] = Lift(**values)
    return lifts, problems


def settings_to_dict(settings: Settings) -> dict:
    data = asdict(settings)
    data["schema_version"] = SCHEMA_VERSION
    return data


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the old file, never half a file."""
    write_toml_atomically(path, settings_to_dict(settings))


def write_toml_atomically(path: Path, data: dict) -> None:
    import tomli_w  # imported here: reading settings must not need the writer

    path.parent.mkdir(parents=True, exist_ok=True)
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
