"""Where a profile's calibration lives: one small JSON file per profile in the user's data
folder (``<data>/moodplayer/calibrations/``). Numbers only (core/calibration.py's
``to_dict``), never an image: but they describe a face, so they stay on this machine.

Written atomically (a crash leaves the old file or the new one, never half of one). A file
that cannot be read is reported and ignored: the profile is then simply uncalibrated.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from moodplayer.core.calibration.model import Calibration, CalibrationError
from moodplayer.core.files.atomic import write_text_atomically
from moodplayer.core.files.locations import data_dir
from moodplayer.core.files.reading import MB, read_regular_text
from moodplayer.core.files.userpath import file_stem


def calibrations_dir() -> Path:
    return data_dir() / "calibrations"


def calibration_path(profile: str) -> Path:
    """One file per profile name (core/userpath.file_stem: readable, and never shared)."""
    if not profile or not profile.strip():
        raise ValueError("a calibration belongs to a profile: the profile name is empty")
    return calibrations_dir() / f"{file_stem(profile)}.json"


def save(profile: str, calibration: Calibration) -> Path:
    path = calibration_path(profile)
    data = {"profile": profile, "calibration": calibration.to_dict()}
    write_text_atomically(path, json.dumps(data, indent=1))
    return path


def load(profile: str) -> tuple[Calibration | None, str | None]:
    """(calibration, None); (None, None) when the profile has none; (None, problem) when
    its file is damaged: the problem says which file and why, for the user to see."""
    path = calibration_path(profile)
    if not path.exists():
        return None, None
    try:
        data = json.loads(read_regular_text(path, MB))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return None, f"the calibration in {path} cannot be read ({err}); it is ignored"
    if not isinstance(data, dict) or data.get("profile") != profile:
        return None, f"{path} is not the calibration of profile {profile!r}; it is ignored"
    try:
        return replace(Calibration.from_dict(data.get("calibration")), profile=profile), None
    except CalibrationError as err:
        return None, f"the calibration in {path} is damaged ({err}); it is ignored"


def delete(profile: str) -> bool:
    """Forget the profile's calibration; True if there was one."""
    try:
        calibration_path(profile).unlink()
        return True
    except FileNotFoundError:
        return False
