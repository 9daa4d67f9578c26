"""Client profiles: create, rename, duplicate, delete, and carry one to another machine
as a single TOML file. Paths that do not exist on this machine are flagged, never dropped."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tomllib

from moodplayer.core.calibration.model import Calibration, CalibrationError
from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.reading import MB, read_regular_text
from moodplayer.core.files.userpath import user_path
from moodplayer.core.listeners.enrolment import Enrolment, EnrolmentError
from moodplayer.core.settings.schema import (
    SCHEMA_VERSION,
    Profile,
    Settings,
    profile_from_dict,
    write_toml_atomically,
)


class ProfileError(ValueError):
    """A profile operation that cannot be done; the message says why."""


def _check_new_name(settings: Settings, name: str) -> str:
    name = name.strip()
    if not name:
        raise ProfileError("a profile needs a name")
    if name in settings.profiles:
        raise ProfileError(f"there is already a profile called {name!r}")
    return name


def add_profile(settings: Settings, name: str) -> str:
    name = _check_new_name(settings, name)
    settings.profiles[name] = Profile()
    return name


def duplicate_profile(settings: Settings, source: str, name: str) -> str:
    name = _check_new_name(settings, name)
    settings.profiles[name] = copy.deepcopy(settings.profiles[source])
    return name


def rename_profile(settings: Settings, old: str, new: str) -> str:
    new = _check_new_name(settings, new)
    settings.profiles = {(new if k == old else k): v for k, v in settings.profiles.items()}
    if settings.active_profile == old:
        settings.active_profile = new
    return new


def delete_profile(settings: Settings, name: str) -> None:
    if len(settings.profiles) == 1:
        raise ProfileError("the last profile cannot be deleted")
    del settings.profiles[name]
    if settings.active_profile == name:
        settings.active_profile = next(iter(settings.profiles))


def export_profile(settings: Settings, name: str, path: Path, calibration: Calibration | None = None,
                   enrolment: Enrolment | None = None) -> None:
    """One TOML file; the person's calibration and enrolled face (numbers, no image) go with
    it when given."""
    data = {"schema_version": SCHEMA_VERSION, "profile_name": name,
            "profile": asdict(settings.profiles[name])}
    if calibration is not None:
        data["calibration"] = calibration.to_dict()
    if enrolment is not None:
        data["enrolment"] = enrolment.to_dict()
    write_toml_atomically(path, data)


@dataclass
class ImportedProfile:
    name: str
    profile: Profile
    problems: list[str] = field(default_factory=list)
    missing_paths: list[str] = field(default_factory=list)  # kept in the profile, flagged
    calibration: Calibration | None = None  # the person's face, when the file carries it
    enrolment: Enrolment | None = None  # the person's enrolled face descriptors, when it does


def import_profile(path: Path) -> ImportedProfile:
    try:
        data = tomllib.loads(read_regular_text(Path(path), MB))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ProfileError(f"cannot read the profile file {path}: {err}") from err
    if not isinstance(data.get("profile"), dict):
        raise ProfileError(f"{path} is not a MoodPlayer profile (no [profile] table)")
    name = str(data.get("profile_name") or Path(path).stem)
    profile, problems = profile_from_dict(data["profile"], "profile")
    calibration = None
    if "calibration" in data:
        try:
            calibration = Calibration.from_dict(data["calibration"])
        except CalibrationError as err:
            problems.append(f"the calibration in {path} is damaged ({err}); imported without it")
    enrolment = None
    if "enrolment" in data:
        try:
            enrolment = Enrolment.from_dict(data["enrolment"], name)
        except EnrolmentError as err:
            problems.append(f"the enrolled face in {path} is damaged ({err}); imported without it")
    return ImportedProfile(name, profile, problems, missing_paths(profile), calibration, enrolment)


def missing_paths(profile: Profile) -> list[str]:
    """Playlist and lift-target paths of the profile that do not exist here."""
    paths = list(profile.playlists.values())
    paths += [lift.target for lift in profile.lift.values() if lift.target not in EMOTIONS]
    return [p for p in paths if not user_path(p).exists()]


def unique_name(settings: Settings, name: str) -> str:
    candidate, n = name, 2
    while candidate in settings.profiles:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
