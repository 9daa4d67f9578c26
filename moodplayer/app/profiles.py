"""The therapist's side of the app: the settings dialog and the client profiles
(new, rename, duplicate, delete, export, import). Each change becomes a new Settings that
the app applies live (``apply``) and saves (``save``)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from moodplayer.core.settings import lifecycle, profiles
from moodplayer.core.settings.schema import Settings
from moodplayer.ui.main_window import MainWindow


class ProfileCommands:
    def __init__(self, window: MainWindow, current: Callable[[], Settings],
                 apply: Callable[[Settings], None], save: Callable[[], object]) -> None:
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
        active = self.current().active_profile
        # asked first, copied after: a reload of the settings file while a question is open
        # must be in the copy (else applying the copy would undo it)
        if command in ("new", "rename", "duplicate"):
            name = name or self._ask_name(command, active)
            if not name:
                return
        elif command in ("export", "import"):
            path = path or self._ask_path(save=command == "export",
                                          suggested=f"{active}.toml" if command == "export" else "")
            if not path:
                return
        new = copy.deepcopy(self.current())
        active = new.active_profile
        try:
            if command in ("new", "rename", "duplicate"):
                assert name is not None  # asked for above
                if command == "new":
                    new.active_profile = profiles.add_profile(new, name)
                elif command == "rename":
                    lifecycle.rename(new, active, name)
                else:
                    new.active_profile = lifecycle.duplicate(new, active, name)
            elif command == "delete":
                records = lifecycle.delete(new, active)
                self.window.statusBar().showMessage(
                    f"Profile {active} deleted, with its calibration and {records} session records", 8000)
            elif command == "export":
                self._export(new, active, Path(str(path)))
                return
            elif command == "import":
                self._import(new, Path(str(path)))
        except profiles.ProfileError as err:
            self.window.show_message(f"Profile: {err}")
            return
        except OSError as err:  # the calibration file could not be written or moved
            self.window.show_message(f"Profile: the calibration could not be kept: {err}")
        self.apply(new)
        self.save()

    def use_music(self, paths: list[Path], mood: str | None = None) -> None:
        """Music dropped on the window becomes a mood's playlist (asked for when not given)."""
        from moodplayer.core.emotions import EMOTIONS
        from moodplayer.core.files.locations import data_dir
        from moodplayer.core.files.userpath import file_stem
        from moodplayer.core.music.dropped import playlist_for_drop

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

    def _export(self, settings: Settings, name: str, path: Path) -> None:
        """Written through a temporary file: a failure (a full disk) keeps an old export whole."""
        try:
            lifecycle.export(settings, name, path)
        except OSError as err:
            kept = "; the file there is kept as it was" if path.exists() else ""
            self.window.show_message(f"Profile {name} could not be exported to {path}: "
                                     f"{err.strerror or err}{kept}")
            return
        self.window.statusBar().showMessage(f"Profile {name} exported to {path}", 5000)

    def _import(self, new: Settings, path: Path) -> None:
        imported = lifecycle.import_into(new, path)
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
