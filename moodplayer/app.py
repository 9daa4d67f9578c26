"""Wiring: the one place where camera, analysis, mood window, playlists, player and
window meet. Everything here runs on the Qt main thread; the heavy work happens in the
threads of ``pipeline``."""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from moodplayer.core.emotions import EMOTIONS, Reading
from moodplayer.core.lift import lift_order
from moodplayer.core.mapping import PlaylistSelector
from moodplayer.core.mood_window import MoodWindow, WindowConfig
from moodplayer.core.playlist import Playlist, load_playlist
from moodplayer.core.settings import Settings, load_settings, save_settings
from moodplayer.desktop.mpris import start_mpris
from moodplayer.paths import config_file, demo_playlists_dir, resource_root
from moodplayer.pipeline import AnalysisThread, CaptureThread, FrameSlot
from moodplayer.playback.backend import PLAYING, PlaybackUnavailable, PlayerBackend
from moodplayer.playback.null_backend import NullBackend
from moodplayer.ui.main_window import MainWindow
from moodplayer.vision.sources import (
    FrameSource,
    SourceError,
    SourceSpec,
    open_source,
    parse_source,
)

log = logging.getLogger("moodplayer")

PREVIEW_HZ = 25
BOX_FRESH_S = 0.6  # draw the face box only while the reading is this recent


@dataclass
class AppOptions:
    source: str | None = None  # overrides the settings' source
    audio_out: str = "default"
    engine: str | None = None
    detector: str | None = None
    config: str | None = None
    allow_download: bool = False
    backend: str = "vlc"  # vlc | null
    quit_after: float | None = None
    screenshot: str | None = None  # saved just before quit_after closes the app
    open_settings: bool = False  # the settings dialog opens at start


def fit(image, width: int, height: int):
    """The frame shrunk to fit (width, height), and the scale used: cheaper on the numpy
    array than a smooth QPixmap scale on the GUI thread. Bilinear is enough down to half
    size; below that, area averaging avoids aliasing."""
    import cv2

    h, w = image.shape[:2]
    scale = min(width / w, height / h, 1.0)
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, int(w * scale)), max(1, int(h * scale)))
    method = cv2.INTER_LINEAR if scale >= 0.5 else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=method), scale


def make_backend(kind: str, audio_out: str) -> tuple[PlayerBackend, str | None]:
    """The requested backend, or the null backend and the reason music is off."""
    if kind == "null":
        return NullBackend(), None
    try:
        from moodplayer.playback.vlc_backend import VlcBackend

        return VlcBackend(audio_out=audio_out), None
    except PlaybackUnavailable as err:
        return NullBackend(), f"Music is off: {err}"


def default_playlist_path(emotion: str) -> Path:
    return demo_playlists_dir() / emotion


class MoodPlayerApp(QObject):
    mood_changed = Signal(str)
    playlist_started = Signal(str)

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.started_at = time.monotonic()
        self.window = MainWindow()
        self.mood_history: list[tuple[float, str]] = []  # (seconds since start, mood)
        self.last_reading: Reading | None = None
        self._face_lost = False
        self._shut_down = False
        self._settings_dirty = False  # written back on exit only when the user changed one
        self._started = False

        self.settings_path = config_file(options.config)
        loaded = load_settings(self.settings_path)
        self.settings: Settings = loaded.settings
        for problem in loaded.problems:
            self.window.show_message(f"Settings: {problem}")

        self.mood_window = MoodWindow(self._window_config())
        self.selector = PlaylistSelector(self.settings.profile.switch_policy)
        self.playlists: dict[str, Playlist] = {}
        self._load_playlists()

        self.backend, why = make_backend(options.backend, options.audio_out)
        if why:
            self.window.show_message(why)
        self.backend.set_volume(self.settings.volume)

        self.slot = FrameSlot()
        self.source_spec, source = self._open_source()
        self.capture = self._new_capture(source)
        self.camera_paused = False
        self._lift_then: Playlist | None = None  # a lift is playing; then this, in a loop
        self._lift_at_end = False
        self.analysis = AnalysisThread(self.slot, self._make_analyzer)
        self._preview_timer = QTimer(self)
        self._position_timer = QTimer(self)
        self._wire()

    # --- settings and profiles --------------------------------------------------------------
    def _window_config(self) -> WindowConfig:
        p = self.settings.profile
        return WindowConfig(window_s=p.window_s, margin=p.margin, min_dwell_s=p.min_dwell_s,
                            no_face_timeout_s=p.no_face_timeout_s)

    def _load_playlists(self) -> None:
        p = self.settings.profile
        self.playlists = {e: load_playlist(e, p.playlists.get(e) or default_playlist_path(e))
                          for e in EMOTIONS}
        for playlist in self.playlists.values():
            if playlist.problem:
                self.window.show_message(f"{playlist.name} playlist: {playlist.problem}")

    def apply_settings(self, new: Settings) -> None:
        """Live: reaction, mapping and strategy take effect at once; the music changes
        only if what the current mood plays changed. Camera and model apply at next start."""
        old, self.settings = self.settings, new
        self._settings_dirty = True
        self.mood_window.config = self._window_config()
        self.selector.switch_policy = new.profile.switch_policy
        op, np_ = old.profile, new.profile
        if old.active_profile != new.active_profile or op.playlists != np_.playlists or op.lift != np_.lift:
            self._load_playlists()
            current = self.selector.current
            if current and (old.active_profile != new.active_profile
                            or op.playlists.get(current) != np_.playlists.get(current)
                            or op.lift.get(current) != np_.lift.get(current)):
                self._switch_to(current)
        self.window.profile_bar.show_profiles(list(new.profiles), new.active_profile)

    def save_now(self) -> None:
        try:
            save_settings(self.settings_path, self.settings)
            self._settings_dirty = False
        except OSError as err:
            self.window.show_message(f"Settings could not be saved to {self.settings_path}: {err}")

    def open_settings(self):
        """The settings dialog, non-modal; edits apply live, OK saves, Cancel restores."""
        from moodplayer.ui.settings_dialog import SettingsDialog
        from moodplayer.vision.sources import list_cameras

        dialog = SettingsDialog(self.settings, list_cameras(), self.window)
        dialog.changed.connect(self.apply_settings)
        dialog.accepted.connect(self.save_now)
        dialog.open()
        self.settings_dialog = dialog
        return dialog

    def switch_profile(self, name: str) -> None:
        if name == self.settings.active_profile or name not in self.settings.profiles:
            return
        new = copy.deepcopy(self.settings)
        new.active_profile = name
        self.apply_settings(new)
        self.window.statusBar().showMessage(f"Profile: {name}", 5000)
        self.save_now()

    def profile_command(self, command: str, name: str | None = None, path: str | None = None) -> None:
        """New / rename / duplicate / delete / export / import. ``name`` and ``path`` are
        asked for with a dialog when not given (tests give them)."""
        from moodplayer.core import profiles

        new = copy.deepcopy(self.settings)
        active = new.active_profile
        try:
            if command in ("new", "rename", "duplicate"):
                name = name or self._ask_name(command, active)
                if not name:
                    return
                if command == "new":
                    new.active_profile = profiles.add_profile(new, name)
                elif command == "rename":
                    profiles.rename_profile(new, active, name)
                else:
                    new.active_profile = profiles.duplicate_profile(new, active, name)
            elif command == "delete":
                profiles.delete_profile(new, active)
            elif command == "export":
                path = path or self._ask_path(save=True, suggested=f"{active}.toml")
                if path:
                    profiles.export_profile(new, active, Path(path))
                    self.window.statusBar().showMessage(f"Profile {active} exported to {path}", 5000)
                return
            elif command == "import":
                path = path or self._ask_path(save=False)
                if not path:
                    return
                imported = profiles.import_profile(Path(path))
                new.active_profile = profiles.unique_name(new, imported.name)
                new.profiles[new.active_profile] = imported.profile
                for problem in imported.problems:
                    self.window.show_message(f"Imported profile: {problem}")
                for missing in imported.missing_paths:
                    self.window.show_message(f"Imported profile {new.active_profile}: "
                                             f"{missing} does not exist on this machine")
        except profiles.ProfileError as err:
            self.window.show_message(f"Profile: {err}")
            return
        self.apply_settings(new)
        self.save_now()

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

    # --- start-up -----------------------------------------------------------------------
    def _open_source(self) -> tuple[SourceSpec, FrameSource]:
        text = self.options.source or self.settings.source
        try:
            spec = parse_source(text)
            return spec, open_source(spec)
        except SourceError as err:
            demo = parse_source("demo")
            self.window.preview.show_banner(f"{err} — showing the demo clip instead.")
            self.window.show_message(f"Camera: {err}; showing the demo clip")
            return demo, open_source(demo)

    def _reopen_source(self) -> FrameSource:
        return open_source(self.source_spec)

    def _new_capture(self, source: FrameSource) -> CaptureThread:
        capture = CaptureThread(source, self.slot, reopen=self._reopen_source)
        capture.problem.connect(self._on_capture_problem)
        capture.recovered.connect(self._on_capture_recovered)
        return capture

    def _make_analyzer(self):
        # Runs on the analysis thread: TensorFlow objects are born where they are used.
        from dataclasses import replace

        from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig

        cfg = AnalyzerConfig(engine=self.settings.engine, allow_download=self.options.allow_download)
        cfg = replace(cfg, detector=replace(cfg.detector, backend=self.settings.detector,
                                            align=self.settings.align,
                                            expand_percentage=self.settings.expand_percentage))
        return Analyzer.create(cfg.with_options(self.options.engine, self.options.detector))

    def _wire(self) -> None:
        w = self.window
        w.show_source(self.source_spec.describe())
        w.preview.set_camera_active(self.source_spec.kind == "camera",
                                    "" if self.source_spec.kind == "camera" else "○ no camera in use")
        w.player.picker.set_playlists(list(EMOTIONS))  # each with its mood's face icon
        w.player.controls.set_volume_quietly(self.settings.volume)

        w.player.picker.override_requested.connect(self._on_override)
        w.player.controls.previous_requested.connect(self.backend.previous)
        w.player.controls.next_requested.connect(self.backend.next)
        w.player.controls.play_pause_requested.connect(self.backend.toggle)
        w.player.controls.volume_requested.connect(self._on_volume)
        w.player.tracks.track_activated.connect(self._on_track_activated)

        self.backend.state_changed.connect(lambda s: w.player.controls.show_playing(s == PLAYING))
        self.backend.track_changed.connect(self._on_track_changed)
        self.backend.track_failed.connect(self._on_track_failed)
        self.backend.playlist_failed.connect(w.show_message)
        self.backend.track_finished.connect(self._on_track_finished)

        # --- transport (issue 14): seek, repeat one, shuffle, mute -------------------------------
        c = w.player.controls
        c.seek_requested.connect(self.backend.seek)
        c.repeat_requested.connect(self.backend.set_repeat)
        c.shuffle_requested.connect(self.backend.set_shuffle)
        c.mute_requested.connect(self.backend.set_muted)
        self.backend.repeat_changed.connect(c.show_repeat)
        self.backend.shuffle_changed.connect(c.show_shuffle)
        self.backend.muted_changed.connect(c.show_muted)
        self.backend.volume_changed.connect(c.set_volume_quietly)  # e.g. set over MPRIS
        # MPRIS2: desktop media controls and media keys (None, logged, without a session bus)
        self.mpris = start_mpris(self.backend, w)
        # --- end transport ------------------------------------------------------------------------

        self.analysis.ready.connect(self._on_model_ready)
        self.analysis.failed.connect(self._on_model_failed)
        self.analysis.readings.connect(self._on_readings)
        self.analysis.rate.connect(w.show_fps)
        w.preview.camera_pause_requested.connect(self.pause_camera)
        w.profile_bar.show_profiles(list(self.settings.profiles), self.settings.active_profile)
        w.profile_bar.profile_selected.connect(self.switch_profile)
        w.profile_bar.profile_command.connect(self.profile_command)
        w.profile_bar.settings_requested.connect(self.open_settings)

        self._preview_timer.timeout.connect(self._show_latest_frame)
        self._position_timer.timeout.connect(
            lambda: w.player.controls.show_position(*self.backend.position())
        )
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self) -> None:
        self._started = True
        geometry = self.settings.window_geometry
        if geometry:
            self.window.setGeometry(*geometry)
        self.window.show()
        if self.settings.last_playlist in EMOTIONS:  # the dropdown as it was left
            picker = self.window.player.picker
            picker.setCurrentIndex(picker.findData(self.settings.last_playlist))
        self.window.show_loading(True)
        if self.source_spec.kind == "camera":
            self.capture.start()  # a live preview while the model warms up
        # A video file waits for the model, so that no part of it goes unanalysed.
        self.analysis.start()
        self._preview_timer.start(1000 // PREVIEW_HZ)
        self._position_timer.start(250)
        if self.options.open_settings:
            self.open_settings()
        if self.options.quit_after:
            QTimer.singleShot(int(self.options.quit_after * 1000), self._finish)

    def _finish(self) -> None:
        if self.options.screenshot:
            # The screen as the display server shows it (under Xvfb: a real X screenshot).
            screen = self.window.screen()
            screen.grabWindow(0).save(self.options.screenshot)
        QApplication.quit()

    # --- analysis results -----------------------------------------------------------------
    def _start_capture(self) -> None:
        if not self.capture.isRunning() and not self._shut_down and not self.camera_paused:
            self.capture.start()

    def pause_camera(self, paused: bool) -> None:
        """Paused: the capture thread ends and releases the device (the camera light goes
        off), so no frame reaches the analysis, which waits. Resumed: the source is opened
        again on a new capture thread."""
        if paused == self.camera_paused or self._shut_down:
            return
        self.camera_paused = paused
        if paused:
            self.capture.stop()
            if not self.capture.wait(2000):
                log.warning("the capture thread did not stop within 2 s")
            if not self.capture.isRunning():
                self.capture.source.close()  # also when it never started
            self.slot.clear()
            self.window.preview.set_camera_active(False, "○ camera paused")
            self.window.preview.show_paused()
            self.window.statusBar().showMessage("Camera paused: the device is released", 5000)
            return
        try:
            source = self._reopen_source()
        except SourceError as err:
            self.camera_paused = True
            self.window.preview.pause_button.setChecked(True)
            self.window.show_message(f"Camera: {err}")
            return
        self.capture = self._new_capture(source)
        self.window.preview.set_camera_active(self.source_spec.kind == "camera",
                                              "" if self.source_spec.kind == "camera" else "○ no camera in use")
        self.capture.start()

    def _on_model_ready(self, engine: str) -> None:
        self._start_capture()
        self.window.show_loading(False)
        self.window.show_engine(f"{engine} + {self.options.detector or self.settings.detector}")

    def _on_model_failed(self, why: str) -> None:
        self._start_capture()
        self.window.show_loading(False, "no analysis")
        self.window.show_engine("none")
        self.window.show_message(f"Emotion analysis is off: {why}")

    def _on_readings(self, batch: list) -> None:
        state = None
        for reading in batch:
            self.last_reading = reading
            state = self.mood_window.push(reading)
            if state.changed and state.mood:
                self._on_mood(state.mood)
        if state is None:
            return
        latest = self.last_reading
        if latest is not None and latest.has_face:
            self.window.mood.show_scores(latest.score_dict())
        self.window.mood.show_faces(latest.faces if latest is not None else 0)
        note = "(no face: holding)" if state.face_lost else ""
        self.window.mood.show_mood(state.mood, state.confidence, note)
        self._on_face_presence(state.face_lost)

    def _on_face_presence(self, lost: bool) -> None:
        if lost == self._face_lost:
            return
        self._face_lost = lost
        if self.settings.profile.no_face_policy != "pause":
            return
        if lost and self.backend.state == PLAYING:
            self.backend.pause()
        elif not lost and self.selector.current:
            self.backend.play()

    def _on_mood(self, mood: str) -> None:
        self.mood_history.append((time.monotonic() - self.started_at, mood))
        log.info("mood: %s", mood)
        self.mood_changed.emit(mood)
        self._switch_to(self.selector.on_mood(mood))

    # --- music --------------------------------------------------------------------------------
    def _switch_to(self, name: str | None) -> None:
        if name is None:
            return
        playlist = self.playlists[name]
        if not playlist.playable:
            self.window.show_message(f"Cannot play the {name} playlist: {playlist.problem}")
            return
        self._lift_then, self._lift_at_end = None, False
        if self.settings.profile.strategy(name) == "lift" and self.selector.override is None:
            playlist = self._lift_playlist(name, playlist)
        self._load(name, playlist)

    def _lift_playlist(self, name: str, own: Playlist) -> Playlist:
        """Iso-principle: the mood's own music first, the target's more and more over N
        tracks, then only the target's (core/lift.py)."""
        lift = self.settings.profile.lift[name]
        if lift.target in EMOTIONS:
            target = self.playlists[lift.target]
        else:
            target = load_playlist(Path(lift.target).name, Path(lift.target).expanduser())
        if not target.playable:
            self.window.show_message(f"Cannot lift {name} towards {lift.target}: {target.problem}; "
                                     f"playing the {name} playlist")
            return own
        order, _ = lift_order(own.tracks, target.tracks, lift.tracks)
        self._lift_then = target
        return Playlist(name=f"{name} → {target.name}", source=own.source, tracks=order)

    def _load(self, name: str, playlist: Playlist) -> None:
        self.window.player.tracks.show_tracks(
            [t.label for t in playlist.tracks],
            {i for i, t in enumerate(playlist.tracks) if t.missing},
        )
        self.window.player.show_now_playing(f"{playlist.name} playlist", name)
        self.backend.load(playlist)
        self.playlist_started.emit(name)

    def _on_override(self, name: str | None) -> None:
        if (name or "") != self.settings.last_playlist:
            self.settings.last_playlist = name or ""
            self._settings_dirty = True
        target = self.selector.on_override(name)
        playing = self.backend.playlist.name if self.backend.playlist else None
        if target is None and name is not None and playing != name:
            target = name  # picked the mood's own playlist while its lift plays: play it as is
        self._switch_to(target)

    def _on_track_finished(self) -> None:
        self._switch_to(self.selector.on_track_finished())

    def _on_track_changed(self, index: int) -> None:
        playlist = self.backend.playlist
        if self._lift_then is not None and playlist is not None:
            if index == len(playlist.tracks) - 1:
                self._lift_at_end = True
            elif index == 0 and self._lift_at_end:
                # the lift has played through: from now on only the target, in a loop
                target, self._lift_then = self._lift_then, None
                self._load(target.name, target)
                return
        self.window.player.tracks.mark_current(index)
        if playlist and 0 <= index < len(playlist.tracks):
            self.window.player.show_now_playing(
                f"{playlist.name}: {playlist.tracks[index].title}", playlist.name
            )

    def _on_track_failed(self, index: int, why: str) -> None:
        self.window.player.tracks.mark_broken(index)
        self.window.show_message(why)

    def _on_track_activated(self, index: int) -> None:
        if self.backend.playlist:
            self.backend.load(self.backend.playlist, index)

    def _on_volume(self, volume: int) -> None:
        self.backend.set_volume(volume)
        self.settings.volume = volume
        self._settings_dirty = True

    # --- preview ------------------------------------------------------------------------------
    _shown_seq = 0

    def _show_latest_frame(self) -> None:
        frame = self.slot.latest()
        if frame is None or frame.seq == self._shown_seq:
            return
        self._shown_seq = frame.seq
        reading = self.last_reading
        box = label = None
        if reading is not None and reading.has_face and frame.t - reading.t < BOX_FRESH_S:
            box, label = reading.box, reading.emotion
        image, scale = fit(frame.image, *self.window.preview.display_size())
        if box is not None:
            box = tuple(int(round(v * scale)) for v in box)
        self.window.preview.show_frame(image, box, label or "")

    def _on_capture_problem(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)
        self.window.preview.set_camera_active(False, f"○ {text}")

    def _on_capture_recovered(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)
        self.window.preview.set_camera_active(self.source_spec.kind == "camera")

    # --- shutdown -------------------------------------------------------------------------------
    def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        self._preview_timer.stop()
        self._position_timer.stop()
        self.capture.stop()
        self.analysis.stop()
        for thread in (self.capture, self.analysis):
            if not thread.wait(2000):  # e.g. the model still loading on a starved machine
                log.warning("%s still busy after 2 s; waiting for it", type(thread).__name__)
                thread.wait(10000)  # never leave a thread running behind the app
        if not self.capture.isFinished():  # never started (the model never came up)
            self.capture.source.close()
        self.backend.close()
        g = self.window.geometry()
        geometry = [g.x(), g.y(), g.width(), g.height()]
        if self._started and geometry != self.settings.window_geometry:
            self.settings.window_geometry = geometry
            self._settings_dirty = True
        if not self._settings_dirty:
            return
        try:
            save_settings(self.settings_path, self.settings)
        except OSError as err:
            log.warning("could not save settings to %s: %s", self.settings_path, err)


def run_app(options: AppOptions) -> int:
    app = QApplication.instance() or QApplication([])
    app.setApplicationName("MoodPlayer")
    icon = resource_root() / "resources" / "icons" / "moodplayer-256.png"
    if icon.is_file():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    player = MoodPlayerApp(options)
    player.start()
    code = app.exec()
    player.shutdown()
    return code
