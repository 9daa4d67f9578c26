"""Saves that merge, never overwrite: each writer of the settings file writes only what it
changed, onto the file as it is on disk at that moment.

Several programs change the one settings file: the app (on exit, after a dialog, a few
seconds after the volume moved), a second app, ``moodplayer calibrate`` (it adds a profile)
and the user's own editor. Writing a whole copy of what one of them loaded would throw away
what the others did meanwhile. So a writer remembers the settings as it loaded them (the
*base*); to save, it takes the lock (core/files/lock.py), reads the file as it is now,
applies onto it only the differences between its base and its current settings (field by
field, profile by profile: a profile added, deleted or renamed is one change), writes the
result atomically (core/files/atomic.py), and that result becomes its new base.

- A field both sides changed: the writer's value wins (it is the later change).
- A profile another program deleted: the writer's edits to it are dropped with it.
- What the writer does not know (keys of a newer MoodPlayer, comments aside) stays.
- A value the file held that the loader could not use (``volume = "loud"``) is repaired on
  the next save: the loader already kept a copy of the file aside.
- A file that is missing is written whole; one that no longer parses is moved aside first.

Qt-free: the app's file watcher (app/settings_file.py) calls ``reload`` when the file
changed, which does the same merge without writing (the app's unsaved changes stay on top).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moodplayer.core.files.lock import locked
from moodplayer.core.settings.schema import (
    DEFAULT_PROFILE,
    SCHEMA_VERSION,
    LoadResult,
    Settings,
    load_settings,
    migrate,
    move_aside,
    read_settings_file,
    settings_from_dict,
    settings_to_dict,
    write_toml_atomically,
)

Table = dict[str, Any]
Path_ = tuple[str, ...]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


REPAIR = _Marker("REPAIR")  # in a base: the file's value there was unusable, always write ours
DELETE = _Marker("DELETE")  # in a change: remove the key


@dataclass(frozen=True)
class Change:
    path: Path_  # ("volume",), ("profiles", "Bob"), ("profiles", "Anna", "playlists", "sad")
    value: Any  # the new value, or DELETE


def changes(base: Table, current: Table, at: Path_ = ()) -> list[Change]:
    """What ``current`` changed relative to ``base``: tables compared key by key, any other
    value (a number, a list) as a whole."""
    out: list[Change] = []
    for key, value in current.items():
        old = base.get(key, DELETE)
        if isinstance(old, dict) and isinstance(value, dict):
            out += changes(old, value, (*at, key))
        elif old is DELETE or old is REPAIR or old != value:
            out.append(Change((*at, key), copy.deepcopy(value)))
    out += [Change((*at, key), DELETE) for key in base if key not in current]
    return out


def apply(changes_: list[Change], disk: Table) -> Table:
    """``disk`` (a normalised settings table) with ``changes_`` applied; a copy."""
    out = copy.deepcopy(disk)
    for change in changes_:
        path = change.path
        if len(path) > 2 and path[0] == "profiles" and \
                not isinstance(out.get("profiles", {}).get(path[1]), dict):
            continue  # that profile was deleted meanwhile: the edits go with it
        node = out
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        if change.value is DELETE:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = copy.deepcopy(change.value)
    return out


def normalized(raw: Table) -> Table:
    """The file's table in today's shape: a schema 1 file migrated, the implicit Default
    profile made explicit (so changes to it have a table to go in)."""
    data = copy.deepcopy(raw)
    version = data.get("schema_version", 1)
    if isinstance(version, int) and not isinstance(version, bool) and version < SCHEMA_VERSION:
        data = migrate(data)
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or not profiles:
        data["profiles"] = {DEFAULT_PROFILE: {}}
    return data


def as_table(settings: Settings) -> Table:
    """The settings as a table to compare (without the schema version: the file keeps its own)."""
    table = settings_to_dict(settings)
    table.pop("schema_version", None)
    return table


def base_of(disk: Table) -> tuple[Settings, list[str], Table]:
    """What a program loading ``disk`` (normalised) understands of it: the settings, the
    loader's problems, and the base to diff against later (with REPAIR wherever the file
    held a value the loader could not use)."""
    settings, problems = settings_from_dict(copy.deepcopy(disk))
    base = as_table(settings)
    _mark_repairs(base, disk)
    return settings, problems, base


def _mark_repairs(base: Table, disk: Table) -> None:
    for key, value in base.items():
        if key not in disk:
            continue  # the file leaves it out: the default, nothing to repair
        if isinstance(value, dict) and isinstance(disk[key], dict):
            _mark_repairs(value, disk[key])
        elif value != disk[key]:
            base[key] = REPAIR


def _with_version(table: Table, disk: Table | None) -> Table:
    version = (disk or {}).get("schema_version")
    keep = isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION
    return {"schema_version": version if keep else SCHEMA_VERSION, **table}


Signature = tuple[int, int, int]


def signature(path: Path) -> Signature | None:
    """Which version of the file is there (inode, mtime, size); None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


@dataclass
class Merged:
    """The settings file after a save or a reload: what the program should now use."""

    settings: Settings
    problems: list[str] = field(default_factory=list)
    wrote: bool = False


class SettingsRefused(OSError):
    """The path is not a MoodPlayer settings file (or cannot be read): it is never written."""


class SettingsFile:
    """The settings file at ``path`` as this program last read or wrote it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base: Table = as_table(Settings())  # what the program's settings started from
        self.refused: str | None = None  # set by load: never written this run
        self.seen: Signature | None = None  # the file's version the base is of

    # --- reading ------------------------------------------------------------------------
    def load(self, keep_aside: bool = True) -> LoadResult:
        """``load_settings``, remembering the base."""
        seen = signature(self.path)  # before reading: a change after it is noticed later
        loaded = load_settings(self.path, keep_aside)
        self.refused = loaded.refused
        self.seen = seen if loaded.data is not None else signature(self.path)
        if loaded.data is not None:
            _, _, self.base = base_of(normalized(loaded.data))
        else:
            self.base = as_table(Settings())
        return loaded

    def changed_on_disk(self) -> bool:
        return signature(self.path) != self.seen

    def pending(self, current: Settings) -> bool:
        """True when ``current`` holds changes not in the file yet."""
        return bool(changes(self.base, as_table(current)))

    def reload(self, current: Settings) -> Merged | None:
        """When the file changed on disk since it was last read or written: the file as it
        is now, with ``current``'s unsaved changes on top (nothing is written). None when
        it did not change."""
        seen = signature(self.path)
        if seen == self.seen or self.refused:
            return None
        self.seen = seen
        raw = read_settings_file(self.path)
        if raw.data is None:  # deleted, or mid-edit and broken: keep ours, written on the next save
            why = raw.refused or raw.broken
            problems = [f"{self.path} changed on disk and cannot be read now ({why}); the "
                        "settings in use are kept"] if why else []
            return Merged(current, problems)
        disk = normalized(raw.data)
        mine = changes(self.base, as_table(current))
        _, _, self.base = base_of(disk)
        settings, problems = settings_from_dict(_with_version(apply(mine, disk), raw.data))
        return Merged(settings, problems)

    # --- writing ------------------------------------------------------------------------
    def save(self, current: Settings) -> Merged:
        """Writes ``current``'s changes (relative to the base) onto the file as it is now,
        under the lock; returns the file's settings after it (everyone's changes). Raises
        SettingsRefused for a file that is not ours, OSError when it cannot be written (the
        file is then as it was, and the base too: the next save tries again)."""
        if self.refused:
            raise SettingsRefused(f"{self.refused}: settings are not saved to it")
        mine = changes(self.base, as_table(current))
        problems: list[str] = []
        with locked(self.path):
            raw = read_settings_file(self.path)
            if raw.refused:
                raise SettingsRefused(f"{raw.refused}: settings are not saved to it")
            if raw.broken:
                backup = move_aside(self.path)
                problems.append(f"{self.path} no longer parsed ({raw.broken}); "
                                + (f"it was moved to {backup} and " if backup else "")
                                + "the settings in use were written whole")
            if raw.data is None:
                if not mine and not raw.broken:
                    return Merged(current)  # no file and nothing to say: none is made
                merged = _with_version(as_table(current), None)
            else:
                disk = normalized(raw.data)
                merged = _with_version(apply(mine, disk), raw.data)
            wrote = bool(mine) or raw.data is None
            if wrote:
                write_toml_atomically(self.path, merged)
            self.seen = signature(self.path)
        settings, more = settings_from_dict(copy.deepcopy(merged))
        _, _, self.base = base_of(normalized(merged))
        return Merged(settings, problems + more, wrote)


def update_file(path: Path, change: Callable[[Table], bool]) -> bool:
    """``change(table)`` on the settings file at ``path`` as it is now (normalised; a
    missing file is the defaults, written whole), under the lock, written back when it
    returns True. For writers that change one thing (``calibrate`` adds a profile). Raises
    SettingsRefused (not a settings file, or one that does not parse: it is left for the
    app to repair) or OSError."""
    with locked(path):
        raw = read_settings_file(path)
        if raw.refused or raw.broken:
            raise SettingsRefused(f"{raw.refused or f'{path} does not parse ({raw.broken})'}; it was "
                                  "left as it is (open MoodPlayer once to repair it)")
        disk = normalized(raw.data) if raw.data is not None else _with_version(as_table(Settings()), None)
        if not change(disk):
            return False
        write_toml_atomically(path, _with_version({k: v for k, v in disk.items()
                                                   if k != "schema_version"}, raw.data))
        return True
