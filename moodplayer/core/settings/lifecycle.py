"""A client profile's life, Qt-free: what goes with a profile when it is made, renamed,
duplicated, deleted, exported or imported. The profile lives in the settings; its person's
calibration, enrolled face (core/listeners/store.py) and session records live in the data
folder under a name derived from the profile's (core/files/userpath.py ``file_stem``), so
they must follow it. The app's profile menu (app/profiles.py), ``moodplayer calibrate`` and
``moodplayer enrol`` all come here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from moodplayer.core.calibration import store as calibration_store
from moodplayer.core.listeners import store as listener_store
from moodplayer.core.records import record
from moodplayer.core.settings import merge, profiles
from moodplayer.core.settings.schema import Settings


def rename(settings: Settings, old: str, new: str) -> str:
    """Rename ``old`` to ``new`` in ``settings``; its calibration, face and records move with it.
    Raises ProfileError (the name) or OSError (a file could not be moved)."""
    name = profiles.rename_profile(settings, old, new)
    _carry_calibration(old, name, keep_old=False)
    listener_store.move(old, name)
    source, target = record.profile_dir(old), record.profile_dir(name)
    if source.is_dir() and not target.exists():
        source.rename(target)
    return name


def duplicate(settings: Settings, source: str, name: str) -> str:
    """A copy of ``source`` named ``name``, with its calibration and face (no records)."""
    name = profiles.duplicate_profile(settings, source, name)
    _carry_calibration(source, name, keep_old=True)
    listener_store.copy(source, name)
    return name


def delete(settings: Settings, name: str) -> int:
    """Delete ``name`` with its calibration, its enrolled face and its session records (a later profile of the
    same name must not find another person's data). Returns how many records went."""
    profiles.delete_profile(settings, name)
    calibration_store.delete(name)
    listener_store.delete(name)
    return record.delete_all_sessions(name)


def export(settings: Settings, name: str, path: Path) -> None:
    calibration, _ = calibration_store.load(name)
    enrolment, _ = listener_store.load(name)
    profiles.export_profile(settings, name, path, calibration, enrolment)


def import_into(settings: Settings, path: Path) -> profiles.ImportedProfile:
    """The profile in ``path`` added to ``settings`` (under a free name, made active) with
    its calibration. The returned ImportedProfile lists its problems and missing paths."""
    imported = profiles.import_profile(path)
    settings.active_profile = profiles.unique_name(settings, imported.name)
    settings.profiles[settings.active_profile] = imported.profile
    if imported.calibration is not None:
        calibration_store.save(settings.active_profile, imported.calibration)
    if imported.enrolment is not None:
        listener_store.save(settings.active_profile,
                            replace(imported.enrolment, profile=settings.active_profile))
    return imported


def ensure_in_file(path: Path, name: str) -> bool:
    """The settings file at ``path`` gets an (empty) profile ``name`` if it has none; True
    when it was made. Only that profile is written, onto the file as it is (under the lock,
    core/settings/merge.py): whatever else is in it, or is changed meanwhile by the app,
    stays. A file that is not a settings file, or does not parse, is left alone: OSError."""
    name = name.strip()
    if not name:
        raise profiles.ProfileError("a profile needs a name")

    def add(disk: dict[str, Any]) -> bool:
        if name in disk["profiles"]:
            return False
        disk["profiles"][name] = {}
        return True

    return merge.update_file(path, add)


def remove_from_file(path: Path, name: str) -> bool:
    """Undo ``ensure_in_file`` (``enrol`` whose enrolment could not be saved): the profile
    ``name`` leaves the settings file at ``path``, the rest stays; True if it was there."""

    def drop(disk: dict[str, Any]) -> bool:
        return disk["profiles"].pop(name.strip(), None) is not None

    return merge.update_file(path, drop)


def _carry_calibration(old: str, new: str, keep_old: bool) -> None:
    calibration, _ = calibration_store.load(old)
    if calibration is None:
        return
    calibration_store.save(new, calibration)
    if not keep_old:
        calibration_store.delete(old)
