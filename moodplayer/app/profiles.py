"""The therapist's side of the app: the settings dialog and the client profiles
(new, rename, duplicate, delete, export, import). Each change becomes a new Settings that
the app applies live (``apply``) and saves (``save``)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

from moodplayer.core import calibration_store, profiles, record
from moodplayer.core.settings import Settings
from moodplayer.ui.main_window import MainWindow


class ProfileCommands:
    def __init__(self, window: MainWindow, current: Callable[[], Settings],
                 apply: Callable[[Settings], None], save: Callable[[], None]) -> None:
        self.window = window
        self.current = current
        self.apply = apply
        self.save = save
        self.dialog = None

    def open_settings(self):
        """The settings dialog, non-modal; edits apply live, OK saves, Cancel restores."""
        from moodplayer.ui.settings_dialog import SettingsDialog
        from moodplayer.vision.sources import list_cameras

        dialog = SettingsDialog(self.current(), list_cameras(), self.window)
        dialog.changed.connect(self.apply)
        dialog.accepted.connect(self.save)
        dialog.open()
        self.dialog = dialog
        return dialog

    def switch_to(self, name: str) -> None:
        settings = self.current()
        if name == settings.active_profile or name not in settings.profiles:
            return
        new = copy.deepcopy(settings)
        new.active_profile = name
        self.apply(new)
        self.window.statusBar().showMessage(f"Profile: {name}", 5000)
        self.save()

    def run(self, command: str, name: str | None = None, path: str | None = None) -> None:
        """New / rename / duplicate / delete / export / import. ``name`` and ``path`` are
        asked for with a dialog when not given (tests give them)."""
        new = copy.deepcopy(self.current())
        active = new.active_profile
        try:
            if command in ("new", "rename", "duplicate"):
                name = name or self._ask_name(command, active)
                if not name:
                    return
                if command == "new":
                    new.active_profile = profiles.add_profile(new, name)
                elif command == "rename":
                    name = profiles.rename_profile(new, active, name)
                    self._carry_calibration(active, name, keep_old=False)
                    self._move_records(active, name)
                else:
                    new.active_profile = profiles.duplicate_profile(new, active, name)
                    self._carry_calibration(active, new.active_profile, keep_old=True)
            elif command == "delete":
                profiles.delete_profile(new, active)
                # a deleted client's face and session records go with them: a later profile
                # of the same name must not find another person's data
                calibration_store.delete(active)
                records = record.delete_all_sessions(active)
                self.window.statusBar().showMessage(
                    f"Profile {active} deleted, with its calibration and {records} session records", 8000)
            elif command == "export":
                path = path or self._ask_path(save=True, suggested=f"{active}.toml")
                if path:
                    calibration, _ = calibration_store.load(active)
                    profiles.export_profile(new, active, Path(path), calibration)
                    self.window.statusBar().showMessage(f"Profile {active} exported to {path}", 5000)
                return
            elif command == "import":
                path = path or self._ask_path(save=False)
                if not path:
                    return
                self._import(new, Path(path))
        except profiles.ProfileError as err:
            self.window.show_message(f"Profile: {err}")
            return
        except OSError as err:  # the calibration file could not be written or moved
            self.window.show_message(f"Profile: the calibration could not be kept: {err}")
        self.apply(new)
        self.save()

    def use_music(self, paths: list[Path], mood: str | None = None) -> None:
        """Music dropped on the window becomes a mood's playlist (asked for when not given)."""
        from moodplayer.core.dropped import playlist_for_drop
        from moodplayer.core.emotions import EMOTIONS
        from moodplayer.core.userpath import file_stem
        from moodplayer.paths import data_dir

        mood = mood or self._ask_mood(paths)
        if mood not in EMOTIONS:
            return
        settings = self.current()
        gathered = data_dir() / "playlists" / f"{file_stem(settings.active_profile)}-{mood}.m3u8"
        try:
            playlist = playlist_for_drop(paths, gathered)
        except OSError as err:
            self.window.show_message(f"Could not make a playlist of the dropped files in {gathered}: {err}")
            return
        if playlist is None:
            self.window.show_message("Nothing dropped is music: drop a folder, a playlist or audio files")
            return
        new = copy.deepcopy(settings)
        new.profile.playlists[mood] = str(playlist)
        self.apply(new)
        self.save()
        self.window.statusBar().showMessage(f"{mood} now plays {playlist.name}", 5000)

    def _ask_mood(self, paths: list[Path]) -> str | None:
        from PySide6.QtWidgets import QInputDialog

        from moodplayer.core.emotions import EMOTIONS

        what = paths[0].name if len(paths) == 1 else f"these {len(paths)} items"
        mood, ok = QInputDialog.getItem(self.window, "Use this music", f"Play {what} for the mood:",
                                        list(EMOTIONS), 0, False)
        return mood if ok else None

    @staticmethod
    def _carry_calibration(old: str, new: str, keep_old: bool) -> None:
        """A renamed or duplicated profile keeps its person's calibration."""
        calibration, _ = calibration_store.load(old)
        if calibration is None:
            return
        calibration_store.save(new, calibration)
        if not keep_old:
            calibration_store.delete(old)

    @staticmethod
    def _move_records(old: str, new: str) -> None:
        """A renamed profile keeps its session records (a duplicate is a new client: none)."""
        source, target = record.profile_dir(old), record.profile_dir(new)
        if source.is_dir() and not target.exists():
            source.rename(target)

    def _import(self, new: Settings, path: Path) -> None:
        imported = profiles.import_profile(path)
        new.active_profile = profiles.unique_name(new, imported.name)
        new.profiles[new.active_profile] = imported.profile
        if imported.calibration is not None:
            calibration_store.save(new.active_profile, imported.calibration)
        for problem in imported.problems:
            self.window.show_message(f"Imported profile: {problem}")
        for missing in imported.missing_paths:
            self.window.show_message(f"Imported profile {new.active_profile}: "
                                     f"{missing} does not exist on this machine")

    def _ask_name(self, command: str, active: str) -> str | None:
        from PySide6.QtWidgets import QInputDialog

        default = {"rename": active, "duplicate": f"{active} (copy)"}.get(command, "")
        text, ok = QInputDialog.getText(self.window, "Client profile", "Name:", text=default)
        return text.strip() if ok and text.strip() else None

    def _ask_path(self, save: bool, suggested: str = "") -> str | None:
        from PySide6.QtWidgets import QFileDialog

        if save:
            path, _ = QFileDialog.getSaveFileName(self.window, "Export profile", suggested, "TOML (*.toml)")
        else:
            path, _ = QFileDialog.getOpenFileName(self.window, "Import profile", "", "TOML (*.toml)")
        return path or None
