"""Where a profile's calibration lives: one small JSON file per profile in the user's data
folder (``<data>/moodplayer/calibrations/``). Numbers only (core/calibration.py's
``to_dict``), never an image: but they describe a face, so they stay on this machine.

Written atomically (a crash leaves the old file or the new one, never half of one). A file
that cannot be read is reported and ignored: the profile is then simply uncalibrated.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from moodplayer.core.calibration import Calibration, CalibrationError
from moodplayer.core.userpath import file_stem

APP = "moodplayer"


def calibrations_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "calibrations"


def calibration_path(profile: str) -> Path:
    """One file per profile name (core/userpath.file_stem: readable, and never shared)."""
    if not profile or not profile.strip():
        raise ValueError("a calibration belongs to a profile: the profile name is empty")
    return calibrations_dir() / f"{file_stem(profile)}.json"


def save(profile: str, calibration: Calibration) -> Path:
    path = calibration_path(profile)
    _write_json_atomically(path, {"profile": profile, "calibration": calibration.to_dict()})
    return path


def load(profile: str) -> tuple[Calibration | None, str | None]:
    """(calibration, None); (None, None) when the profile has none; (None, problem) when
    its file is damaged: the problem says which file and why, for the user to see."""
    path = calibration_path(profile)
    if not path.exists():
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
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


def _write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():  # the write failed half-way: leave no stray file
            tmp.unlink()
