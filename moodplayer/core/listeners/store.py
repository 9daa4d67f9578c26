"""Where a profile's enrolment lives: one small JSON file per profile in the user's data
folder (``<data>/moodplayer/listeners/``), beside the calibrations. Numbers only
(core/listeners/enrolment.py), never a picture; but a face descriptor is biometric data,
so it stays on this machine, and ``delete`` forgets it.

Written atomically (a crash leaves the old file or the new one, never half of one). A file
that cannot be read is reported and ignored: the profile is then simply not enrolled.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from moodplayer.core.files.atomic import write_text_atomically
from moodplayer.core.files.locations import data_dir
from moodplayer.core.files.reading import MB, read_regular_text
from moodplayer.core.files.userpath import file_stem
from moodplayer.core.listeners.enrolment import Enrolment, EnrolmentError


def enrolments_dir() -> Path:
    return data_dir() / "listeners"


def enrolment_path(profile: str) -> Path:
    """One file per profile name (core/files/userpath.file_stem: readable, never shared)."""
    if not profile or not profile.strip():
        raise ValueError("an enrolment belongs to a profile: the profile name is empty")
    return enrolments_dir() / f"{file_stem(profile)}.json"


def save(profile: str, enrolment: Enrolment) -> Path:
    path = enrolment_path(profile)
    data = {"profile": profile, "enrolment": enrolment.to_dict()}
    write_text_atomically(path, json.dumps(data, indent=1))
    return path


def load(profile: str) -> tuple[Enrolment | None, str | None]:
    """(enrolment, None); (None, None) when the profile has none; (None, problem) when its
    file is damaged: the problem says which file and why, for the user to see."""
    path = enrolment_path(profile)
    if not path.exists():
        return None, None
    try:
        data = json.loads(read_regular_text(path, MB))  # never blocks on a FIFO; BOM, CRLF
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:  # [[[[...]]]]
        return None, f"the enrolled face in {path} cannot be read ({err}); it is ignored"
    if not isinstance(data, dict) or data.get("profile") != profile:
        return None, f"{path} is not the enrolled face of profile {profile!r}; it is ignored"
    try:
        return replace(Enrolment.from_dict(data.get("enrolment")), profile=profile), None
    except EnrolmentError as err:
        return None, f"the enrolled face in {path} is damaged ({err}); it is ignored"


def load_all(profiles: list[str]) -> tuple[list[Enrolment], list[str]]:
    """The enrolments of those profiles that have one, and a problem per damaged file."""
    found, problems = [], []
    for profile in profiles:
        enrolment, problem = load(profile)
        if enrolment is not None:
            found.append(enrolment)
        if problem is not None:
            problems.append(problem)
    return found, problems


def delete(profile: str) -> bool:
    """Forget the profile's face; True if there was one."""
    try:
        enrolment_path(profile).unlink()
        return True
    except FileNotFoundError:
        return False


def move(old: str, new: str) -> bool:
    """A renamed profile keeps its face (one already under the new name is replaced);
    True if there was one to carry (a damaged file is not carried: it stays as it is)."""
    if enrolment_path(old) == enrolment_path(new):
        return enrolment_path(old).exists()
    if not copy(old, new):
        return False
    delete(old)
    return True


def copy(source: str, target: str) -> bool:
    """A duplicated profile gets the same face; True if there was one."""
    enrolment, _ = load(source)
    if enrolment is None:
        return False
    save(target, replace(enrolment, profile=target))
    return True
