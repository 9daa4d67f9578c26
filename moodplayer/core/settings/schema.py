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
from moodplayer.core.files.reading import MB, NotAFile, read_regular_bytes
from moodplayer.core.session.lift import lift_target_problem
from moodplayer.core.settings.options import Option, options_of, setting

SCHEMA_VERSION = 2
DEFAULT_PROFILE = "Default"
NO_FACE_POLICIES = ("hold", "pause")
SWITCH_POLICIES = ("now", "after_track")
# Recognising enrolled listeners (issue 22; vision/listeners.py, core/listeners/): off
# computes no face descriptor at all; ask proposes the recognised listener's profile;
# switch changes to it. "ask", not "switch", is the advised choice (docs/accuracy.md).
RECOGNISE_LISTENERS = ("off", "ask", "switch")
# The emotion engines (vision/models.py builds them): auto prefers DeepFace's Emotion
# network when its weights are there, else fer's mini-Xception (TFLite); fer-keras is the
# same network run by TensorFlow; faceapi is face-api's expression net (numpy), blend both
# nets at once (vision/engines.py; docs/accuracy.md).
ENGINES = ("auto", "deepface", "fer", "fer-keras", "faceapi", "blend")
SETTINGS_LIMIT = 4 * MB  # a settings file is a few kB; anything this large is not one
# Even loudness: ReplayGain's track or album gain from the tags, else the measured loudness
# (core/music/loudness.py); off plays every file as it is.
REPLAYGAIN_MODES = ("track", "album", "off")
# The system-tray icon: off; an icon (closing the window quits); background (closing the
# window keeps the music going, the icon's menu brings it back or quits).
TRAY_MODES = ("icon", "background", "off")


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
    recognise_listeners: str = setting(
        "off", "Recognise listeners",
        "compare the largest face with the enrolled profiles about once a second: off (no face "
        "descriptor is made), ask before switching to a recognised listener's profile, or switch",
        choices=RECOGNISE_LISTENERS)
    volume: int = setting(70, "Volume", "0..100", range=(0, 100))
    # --- playback (machine-wide: the listener's ears, not the client's settings) ---
    switch_fade_s: float = setting(3.0, "Cross-fade a switch",
                                   "when the mood (or your pick) changes the music, the old fades "
                                   "out while the new fades in over this long (0: cut)",
                                   range=(0.0, 12.0), step=0.5, unit="s", cli="--switch-fade")
    crossfade_s: float = setting(0.0, "Cross-fade every track",
                                 "every other change of track fades over this long (0: none)",
                                 range=(0.0, 12.0), step=0.5, unit="s", cli="--crossfade")
    replaygain: str = setting("track", "Even loudness",
                              "ReplayGain from the tags (track or album gain), else the loudness "
                              "measured once (EBU R128); off: every file as it is",
                              choices=REPLAYGAIN_MODES, cli="--replaygain")
    resume: bool = setting(True, "Resume", "start where the music stopped last time (off: start fresh)",
                           cli="--resume")
    tray: str = setting("icon", "Tray icon",
                        "an icon in the system tray; background: closing the window keeps the "
                        "music going", choices=TRAY_MODES, cli="--tray")
    notifications: bool = setting(False, "Notify mood switches",
                                  "a desktop notification with the reason when the mood switches the music",
                                  cli="--notifications")
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
    # why the file at the path is not (or cannot be read as) MoodPlayer's settings: it was
    # left exactly as it is, and nothing may write over it (the commands exit 2)
    refused: str | None = None
    data: dict[str, Any] | None = None  # the file's table as read (None: missing, broken or refused)


def load_settings(path: Path, keep_aside: bool = True) -> LoadResult:
    """Read settings; never raises for a bad file (see module docstring). ``keep_aside``
    False (commands that only read, e.g. analyze): report problems, touch no file. A file
    that is not a settings file (``settings_file_problem``) is never moved or changed."""
    raw = read_settings_file(path)
    if raw.refused:
        return LoadResult(Settings(), [f"{raw.refused}; defaults are used and it is left as it is"],
                          refused=raw.refused)
    if raw.broken:
        backup = move_aside(path) if keep_aside else None
        return LoadResult(
            Settings(), [f"{path} could not be read ({raw.broken}); defaults are used"], backup
        )
    if raw.data is None:
        return LoadResult(Settings())
    settings, problems = settings_from_dict(raw.data)
    backup = _copy_aside(path) if problems and keep_aside else None
    if backup:
        problems.append(f"the original file was kept as {backup}")
    return LoadResult(settings, problems, backup, data=raw.data)


# What a settings file's top level may hold (schema 1 had the profile's keys there).
SETTINGS_KEYS = frozenset({"schema_version", "profiles", "lift", *SETTINGS_OPTIONS, *PROFILE_OPTIONS})
SETTINGS_SUFFIX = ".toml"


@dataclass
class RawSettings:
    """The settings file as it is on disk: one of missing (all None), ``data`` (its table),
    ``broken`` (a settings file that does not parse: why) or ``refused`` (not a settings
    file, or not readable: why)."""

    data: dict[str, Any] | None = None
    broken: str | None = None
    refused: str | None = None


def read_settings_file(path: Path) -> RawSettings:
    """The settings file at ``path`` read, and told apart from what is not one: only a
    regular file named ``*.toml`` whose content is TOML with at least one of our keys (or
    is empty), or is text that names one of them but does not parse (a broken settings
    file: the app moves it aside). Anything else (a playlist, a video, a binary, a FIFO, a
    folder, an exported profile, someone else's TOML) is refused. Never raises, never blocks."""
    try:
        raw = read_regular_bytes(path, SETTINGS_LIMIT)
    except FileNotFoundError:
        if path.suffix.lower() != SETTINGS_SUFFIX:
            return RawSettings(refused=f"{path}: a settings file's name ends in {SETTINGS_SUFFIX}")
        return RawSettings()
    except OSError as err:  # a FIFO, a device, a folder, too large, no permission
        return RawSettings(refused=str(err) if isinstance(err, NotAFile)
                           else f"{path} cannot be read ({err.strerror or err})")
    if path.suffix.lower() != SETTINGS_SUFFIX:
        return RawSettings(refused=f"{path} is not a MoodPlayer settings file (their name ends "
                                   f"in {SETTINGS_SUFFIX})")
    if b"\0" in raw:
        return RawSettings(refused=f"{path} is not a MoodPlayer settings file (it is binary, not text)")
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return RawSettings(refused=f"{path} is not a MoodPlayer settings file (it is not UTF-8 text)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        if _names_a_setting(text):
            return RawSettings(broken=str(err))
        return RawSettings(refused=f"{path} is not a MoodPlayer settings file (it is not TOML "
                                   f"and names no setting)")
    if "profile" in data and "profiles" not in data:
        return RawSettings(refused=f"{path} is an exported client profile, not the settings file "
                                   "(open it with Profiles > Import…)")
    if data and not SETTINGS_KEYS & set(data):
        return RawSettings(refused=f"{path} is not a MoodPlayer settings file (none of its keys "
                                   f"is a setting: {', '.join(list(data)[:3])}…)")
    return RawSettings(data=data)


def _names_a_setting(text: str) -> bool:
    """A line ``<one of our keys> =`` or ``[profiles``: a settings file, however broken."""
    import re

    keys = "|".join(sorted(SETTINGS_KEYS))
    return re.search(rf"^\s*(({keys})\s*=|\[\s*profiles\b)", text, re.MULTILINE) is not None


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
        if not isinstance(name, str) or not name.strip():
            problems.append(f"profiles.{name!r} ignored: a profile needs a name")
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


def move_aside(path: Path) -> Path | None:
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
