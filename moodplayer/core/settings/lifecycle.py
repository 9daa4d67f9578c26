"""A client profile's life, Qt-free: what goes with a profile when it is made, renamed,
duplicated, deleted, exported or imported. The profile lives in the settings; its person's
calibration and session records live in the data folder under a name derived from the
profile's (core/files/userpath.py ``file_stem``), so they must follow it. The app's profile
menu (app/profiles.py) and ``moodplayer calibrate`` both come here."""

from __future__ import annotations

from pathlib import Path

from moodplayer.core.calibration import store as calibration_store
from moodplayer.core.records import record
from moodplayer.core.settings import profiles
from moodplayer.core.settings.schema import Settings, load_settings, save_settings


def rename(settings: Settings, old: str, new: str) -> str:
    """Rename ``old`` to ``new`` in ``settings``; its calibration and records move with it.
    Raises ProfileError (the name) or OSError (a file could not be moved)."""
    name = profiles.rename_profile(settings, old, new)
    _carry_calibration(old, name, keep_old=False)
    source, target = record.profile_dir(old), record.profile_dir(name)
    if source.is_dir() and not target.exists():
        source.rename(target)
    return name


def duplicate(settings: Settings, source: str, name: str) -> str:
    """A copy of ``source`` named ``name``, with its calibration (a new client: no records)."""
    name = profiles.duplicate_profile(settings, source, name)
    _carry_calibration(source, name, keep_old=True)
    return name


def delete(settings: Settings, name: str) -> int:
    """Delete ``name`` with its calibration and its session records (a later profile of the
    same name must not find another person's data). Returns how many records went."""
    profiles.delete_profile(settings, name)
    calibration_store.delete(name)
    return record.delete_all_sessions(name)


def export(settings: Settings, name: str, path: Path) -> None:
    calibration, _ = calibration_store.load(name)
    profiles.export_profile(settings, name, path, calibration)


def import_into(settings: Settings, path: Path) -> profiles.ImportedProfile:
    """The profile in ``path`` added to ``settings`` (under a free name, made active) with
    its calibration. The returned ImportedProfile lists its problems and missing paths."""
    imported = profiles.import_profile(path)
    settings.active_profile = profiles.unique_name(settings, imported.name)
    settings.profiles[settings.active_profile] = imported.profile
    if imported.calibration is not None:
        calibration_store.save(settings.active_profile, imported.calibration)
    return imported


def ensure_in_file(path: Path, name: str) -> bool:
    """The settings file at ``path`` gets an (empty) profile ``name`` if it has none; True
    when it was made. A settings file that cannot be read is never overwritten: OSError."""
    loaded = load_settings(path, keep_aside=False)
    if name in loaded.settings.profiles:
        return False
    if loaded.problems:
        raise OSError(f"{path} has problems ({loaded.problems[0]}); profile {name!r} was not "
                      f"added to it (open MoodPlayer once to repair it)")
    profiles.add_profile(loaded.settings, name)
    save_settings(path, loaded.settings)
    return True


def _carry_calibration(old: str, new: str, keep_old: bool) -> None:
    calibration, _ = calibration_store.load(old)
    if calibration is None:
        return
    calibration_store.save(new, calibration)
    if not keep_old:
        calibration_store.delete(old)
