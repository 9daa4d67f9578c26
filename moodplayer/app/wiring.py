"""Wiring: the one place where camera, analysis, session, player and window meet.

Everything here runs on the Qt main thread; the heavy work happens in the threads of
``pipeline``, the decisions in the Qt-free session (core/session.py). This module only
builds the parts, connects intents to the session and the session's events to the
presenter, and starts and stops things."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from moodplayer.app.calibration import CalibrationCommands
from moodplayer.app.camera import Camera
from moodplayer.app.enrolment import EnrolCommands
from moodplayer.app.geometry import fit_to_screens
from moodplayer.app.listeners import ListenerRecognition
from moodplayer.app.presenter import Presenter
from moodplayer.app.preview_feed import PreviewFeed
from moodplayer.app.profiles import ProfileCommands
from moodplayer.app.recording import Recording
from moodplayer.app.sessions import SessionCommands
from moodplayer.app.settings_file import SettingsKeeper
from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.locations import (
    cache_dir,
    config_file,
    demo_playlists_dir,
    loudness_cache_file,
    resource_root,
    resume_file,
)
from moodplayer.core.music.loudness import LoudnessCache
from moodplayer.core.music.playlist import Playlist
from moodplayer.core.session.engine import Session
from moodplayer.core.session.events import MoodChanged, ReadingsSeen, TrackChanged
from moodplayer.core.session.fade import Fades
from moodplayer.core.session.resume import load_resume, save_resume
from moodplayer.core.settings.effective import ConfigError, effective_config
from moodplayer.core.settings.schema import Settings
from moodplayer.desktop.mpris import start_mpris
from moodplayer.desktop.notify import Notifier
from moodplayer.pipeline import AnalysisThread, FrameSlot
from moodplayer.playback.backend import PLAYING, PlaybackUnavailable, PlayerBackend
from moodplayer.playback.null_backend import NullBackend
from moodplayer.ui.main_window import MainWindow
from moodplayer.ui.tray import TrayIcon

log = logging.getLogger("moodplayer")

READERS = {"fer": "the mini-Xception", "deepface": "DeepFace's Emotion model"}


def fallback_line(engine: str) -> str:
    """The status bar's line when face-api's net could not be used (the full reason, with
    the file, is the engine's notice: in the log and the line's tooltip)."""
    return (f"Reading faces with {READERS.get(engine, engine)} only: face-api's expression model "
            "is missing or damaged ('make setup' converts it)")
# machine-wide settings that apply while the app runs (the Playback tab)
PLAYBACK_SETTINGS = ("switch_fade_s", "crossfade_s", "replaygain", "resume", "tray", "notifications")


@dataclass
class AppOptions:
    # setting name -> value given on the command line (None: not given), every one that
    # `moodplayer run` accepts; applied for this run only, never written back
    overrides: dict[str, Any] = field(default_factory=dict)
    audio_out: str = "default"
    profile: str | None = None  # start on this client profile
    config: str | None = None
    allow_download: bool = False
    backend: str = "vlc"  # vlc | null
    quit_after: float | None = None
    screenshot: str | None = None  # saved just before quit_after closes the app
    open_settings: bool = False  # the settings dialog opens at start
    open_paths: list[str] = field(default_factory=list)  # files / folders / playlists / file:// URIs to play
    # the 5-second relaxed-face step, offered on a camera once per profile (tests that script
    # a camera for something else turn it off)
    offer_first_look: bool = True


def make_backend(kind: str, audio_out: str) -> tuple[PlayerBackend, str | None]:
    """The requested backend, or the null backend and the reason music is off."""
    if kind == "null":
        return NullBackend(), None
    try:
        from moodplayer.playback.vlc_backend import VlcBackend

        return VlcBackend(audio_out=audio_out), None
    except PlaybackUnavailable as err:
        return NullBackend(), f"Music is off: {err}"


class MoodPlayerApp(QObject):
    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.window = MainWindow()
        self.presenter = Presenter(self.window)
        self.mood_changed = self.presenter.mood_changed
        self.playlist_started = self.presenter.playlist_started
        self._shut_down = False
        self.exit_code = 0  # what the process ends with (2: the screenshot could not be saved)
        # run_app's own process may end while the model is still loading (nothing else may:
        # a QThread must not outlive its app); then model_left_loading says it did
        self.may_leave_model_loading = False
        self.model_left_loading = False
        self._started = False

        # The settings file: saves write only what this app changed, merged onto the file as
        # it is then; changes made by others meanwhile are reloaded (app/settings_file.py).
        self.settings_path = config_file(options.config)
        self.keeper = SettingsKeeper(self.settings_path, self.window, lambda: self.settings,
                                     self._adopt_settings, self._settings_busy)
        loaded = self.keeper.load()
        self.settings: Settings = loaded.settings
        for problem in loaded.problems:
            self.window.show_message(f"Settings: {problem}")
        if options.profile and options.profile in self.settings.profiles:
            self.settings.active_profile = options.profile
        self.machine = self._machine_settings()  # what this run uses: file + command line

        self.backend, why = make_backend(options.backend, options.audio_out)
        if why:
            self.window.show_message(why)
        self.backend.set_volume(self.settings.volume)
        self.session = Session(self.backend, self.settings.profile, lambda e: demo_playlists_dir() / e)
        self.session.subscribe(self.presenter)
        self.session.load_playlists()
        self._measuring: Playlist | None = None  # the playlist whose tracks the loudness service was handed
        self.loudness = self._start_loudness()
        self.tray: TrayIcon | None = None
        self.notifier: Notifier | None = None
        self.session.subscribe(self._follow_for_desktop)
        self._apply_playback()
        self.recording = Recording(self.session, self.window)  # the session record (opt-in)
        self.sessions = SessionCommands(self.window, lambda: self.settings.active_profile,
                                        self.recording.path)
        self.profiles = ProfileCommands(self.window, lambda: self.settings,
                                        self.apply_settings, self.save_now)

        self.slot = FrameSlot()
        self.camera = Camera(self.machine.source, self.slot, self.window)
        self.analysis = AnalysisThread(self.slot, self._make_analyzer,
                                       adaptive=self.machine.adaptive_rate,
                                       make_recogniser=self._make_recogniser)
        self.analysis_off: str | None = None  # why the emotion model failed, if it did
        self.calibrating = CalibrationCommands(self.window, self.analysis,
                                               lambda: self.settings.active_profile,
                                               self.use_calibration, self._why_no_calibration,
                                               first_look_over=self._first_look_over)
        self.preview = PreviewFeed(self.slot, self.window.preview, lambda: self.session.last_reading)
        # who is listening (opt-in: the recognise_listeners setting and an enrolled profile)
        self.listeners = ListenerRecognition(self.window, self.analysis, self.session.notify,
                                             self.switch_profile, self._listener_calibration)
        # Enrol this listener (opt-in, Profiles menu and the calibration wizard's end)
        self.enrolling = EnrolCommands(self.window, self.analysis, lambda: self.settings.active_profile,
                                       self._enrolled, lambda: self.listeners.apply(self.settings),
                                       self._why_no_enrolment)
        self.calibrating.enrol = self.enrolling  # the wizard's result page offers the same
        self.calibrating.recognition_resumed = lambda: self.listeners.apply(self.settings)
        self._position_timer = QTimer(self)
        from moodplayer.app.watch import MusicWatcher

        self.watcher = MusicWatcher(self._playlist_sources, self.session.refresh_playlist, self)
        self._wire()
        self.listeners.apply(self.settings)
        self.load_calibration()

    @property
    def mood_history(self) -> list[tuple[float, str]]:
        return self.session.mood_history

    def _machine_settings(self) -> Settings:
        o = self.options
        try:
            return effective_config(self.settings, None, o.overrides).settings
        except ConfigError as err:
            self.window.show_message(f"Command line: {err}; the settings file's value is used")
            return self.settings

    def _apply_playback(self) -> None:
        """Cross-fades, even loudness (and what else the Playback tab holds) take effect at once."""
        m = self.machine
        self.session.fades = Fades(switch_s=m.switch_fade_s, track_s=m.crossfade_s)
        self.backend.set_crossfade(m.crossfade_s)
        self._apply_tray()
        self._apply_notifications()
        if self.loudness is not None:
            if self.loudness.mode == "off" and m.replaygain != "off":
                self._measuring = None  # nothing of the playlist was queued while off: queue it
            self.loudness.set_mode(m.replaygain)
            self.backend.refresh_gain()

    @property
    def replaygain(self) -> str:
        """The even-loudness mode in use (track, album, off)."""
        return self.loudness.mode if self.loudness is not None else self.machine.replaygain

    @property
    def tray_mode(self) -> str:
        """off, icon, or background (closing the window keeps the music going)."""
        if self.tray is None:
            return "off"
        return "background" if self.window.keep_running_when_closed else "icon"

    @property
    def notifications_on(self) -> bool:
        return self.notifier is not None

    # --- the tray and notifications ----------------------------------------------------------
    def _apply_tray(self) -> None:
        """The tray icon as the setting says; background only where a tray can bring the
        window back (else closing it quits, as without a tray)."""
        mode = self.machine.tray
        if mode == "off":
            if self.tray is not None:
                self.tray.close()
                self.tray = None
            self.window.keep_running_when_closed = False
            return
        if self.tray is None:
            from PySide6.QtGui import QIcon

            icon = QIcon(str(resource_root() / "resources" / "icons" / "moodplayer-256.png"))
            self.tray = TrayIcon(icon, self.window)
            self.tray.play_pause_requested.connect(self.session.toggle)
            self.tray.next_requested.connect(self.session.next)
            self.tray.show_hide_requested.connect(self.toggle_window)
            self.tray.quit_requested.connect(self.quit)
            self.tray.show_playing(self.backend.state == PLAYING)
            if not self.tray.available:
                log.info("no system tray on this desktop: the tray icon is not shown")
        self.window.keep_running_when_closed = mode == "background" and self.tray.available

    def _apply_notifications(self) -> None:
        if self.machine.notifications and self.notifier is None:
            self.notifier = Notifier(parent=self)
        elif not self.machine.notifications and self.notifier is not None:
            self.notifier.close()
            self.notifier = None

    def _follow_for_desktop(self, event) -> None:
        """The tray shows the mood; a notification says a mood switch and why."""
        if isinstance(event, MoodChanged):
            if self.tray is not None:
                self.tray.show_mood(event.mood, event.why)
            if self.notifier is not None and not self._shut_down:
                self.notifier.notify(f"Mood: {event.mood}", event.why)

    def _show_playing_in_tray(self, state: str) -> None:
        if self.tray is not None:
            self.tray.show_playing(state == PLAYING)

    def toggle_window(self) -> None:
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
        else:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()
        if self.tray is not None:
            self.tray.show_window_shown(self.window.isVisible())

    def quit(self) -> None:
        """Quit from the tray: the window goes too, the settings are kept."""
        self.window.keep_running_when_closed = False
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def _playlist_sources(self) -> dict:
        """emotion -> the folder or playlist file its music comes from (watched)."""
        return {name: playlist.source for name, playlist in self.session.playlists.items()
                if name in EMOTIONS}

    # --- even loudness ----------------------------------------------------------------------
    def _start_loudness(self):
        """ReplayGain tags, else the loudness measured in the background (playback/loudness.py);
        only where music really plays."""
        if self.backend.name != "vlc":
            return None
        from moodplayer.playback.loudness import LoudnessService

        service = LoudnessService(LoudnessCache(loudness_cache_file()),
                                  cache_dir() / f"decoding-{os.getpid()}.wav", self.machine.replaygain)
        self.backend.gain_for = service.gain_for
        service.measured.connect(self._on_loudness_measured)
        self.session.subscribe(self._measure_what_plays)
        return service

    def _measure_what_plays(self, event) -> None:
        if not isinstance(event, TrackChanged) or event.playlist is None or self.loudness is None:
            return
        if event.playlist is self._measuring and event.track is not None:
            # the same list: its tracks wait already; the one that plays now goes first (the
            # whole list again, with a stat of each file, cost 0.2 s a track in 5,000 files)
            self.loudness.want([event.track.path])
            return
        self._measuring = event.playlist
        tracks = [t.path for t in event.playlist.tracks if not t.missing]
        i = max(0, event.index)  # the track that plays first, then the ones after it
        self.loudness.want(tracks[i:] + tracks[:i])

    def _on_loudness_measured(self, path: str) -> None:
        playlist, index = self.backend.playlist, self.backend.current_index
        if playlist is not None and 0 <= index < len(playlist.tracks) and str(playlist.tracks[index].path) == path:
            self.backend.refresh_gain()  # what plays moves to its level, smoothly

    # --- settings and profiles --------------------------------------------------------------
    def apply_settings(self, new: Settings) -> None:
        """Live: the session takes the new profile at once; camera and model apply at next start."""
        old, self.settings = self.settings, new
        fresh = self._machine_settings()  # the command line's values still win for this run
        for name in PLAYBACK_SETTINGS:  # camera and model wait for the next start
            setattr(self.machine, name, getattr(fresh, name))
        self._apply_playback()
        self.session.configure(new.profile, new_client=old.active_profile != new.active_profile)
        self.watcher.watch()  # the playlists' folders may be others now
        self.window.profile_bar.show_profiles(list(new.profiles), new.active_profile)
        if self._started:
            self.recording.update(new.active_profile, new.profile.record_sessions)
        self.listeners.apply(new)  # the mode, the active profile, the enrolled faces
        if old.active_profile != new.active_profile:
            self.load_calibration()
            self.offer_first_look()  # a profile just made, or one that never had it

    # --- the person's calibration -----------------------------------------------------------
    def load_calibration(self) -> None:
        """The active profile's calibration, if any; a damaged one is said and left aside."""
        from moodplayer.core.calibration import store as calibration_store

        calibration, problem = calibration_store.load(self.settings.active_profile)
        if problem:
            self.window.show_message(f"Calibration: {problem}")
        self.use_calibration(calibration)

    def use_calibration(self, calibration) -> None:
        """From now on every reading is corrected with ``calibration`` (None: uncalibrated),
        unless the face in front of the camera is not the profile's person (app/listeners.py)."""
        listeners = getattr(self, "listeners", None)
        applies = listeners is None or listeners.calibration_applies
        self.analysis.set_calibration(calibration if applies else None)
        self.window.profile_bar.show_calibrated(calibration is not None,
                                                calibration.labels if calibration else None)

    def forget_calibration(self) -> None:
        from moodplayer.core.calibration import store as calibration_store

        try:
            calibration_store.delete(self.settings.active_profile)
        except OSError as err:
            self.window.show_message(f"Calibration could not be deleted: {err}")
            return
        self.use_calibration(None)
        self.window.statusBar().showMessage(
            f"Profile {self.settings.active_profile}: calibration forgotten", 5000)

    def _listener_calibration(self, applies: bool) -> None:
        """The tracker's word on whether the active profile's calibration fits the face."""
        if applies:
            self.load_calibration()
            return
        self.analysis.set_calibration(None)
        if self.analysis.calibration is None:
            log.info("calibration of %s not applied: another face is listening",
                     self.settings.active_profile)

    def forget_face(self) -> None:
        self.listeners.forget(self.settings)

    def open_enrolment(self):
        """Enrol this listener (Profiles menu): app/enrolment.py."""
        return self.enrolling.open()

    def _enrolled(self, profile: str) -> None:
        """A face was just saved for ``profile``: the menu shows it. Recognition learns it when
        the enrolment's window (or the wizard) closes: not before, so no profile switches
        under an open enrolment."""
        if profile == self.settings.active_profile:
            self.window.profile_bar.show_enrolled(True)
        self.window.statusBar().showMessage(f"Profile {profile}: face enrolled", 5000)

    def _why_no_enrolment(self) -> str | None:
        if self.analysis.analyzer is None and not self.analysis_off:
            return "the face analysis is still starting: try again in a moment"
        return self._why_no_calibration()

    def open_calibration(self):
        """The calibration wizard (Profiles > Calibrate…): app/calibration.py."""
        return self.calibrating.open()

    def _why_no_calibration(self) -> str | None:
        if self.analysis_off:
            return f"the emotion analysis is off ({self.analysis_off})"
        if self.source_spec.kind == "demo":
            return "no camera is in use (the demo clip plays): connect a camera and restart"
        if self.camera_paused:
            return "the camera is paused: resume it first"
        return None

    def save_now(self) -> bool:
        """This app's changes, written onto the file as it is now (a failure is said)."""
        return self.keeper.save()

    def _adopt_settings(self, new: Settings) -> None:
        """The settings file as it is now (another program changed it), with this app's
        unsaved changes on top: the window shows its profiles, the player its volume."""
        volume_moved = new.volume != self.settings.volume
        self.apply_settings(new)
        if volume_moved:
            self.backend.set_volume(new.volume)
            self.window.player.controls.set_volume_quietly(new.volume)

    def _settings_busy(self) -> bool:
        """A reload waits while the settings dialog (which edits a copy) is open."""
        dialog = self.profiles.dialog
        return dialog is not None and dialog.isVisible()

    def open_settings(self):
        dialog = self.profiles.open_settings()
        dialog.finished.connect(lambda _result: self.keeper.check_disk())
        return dialog

    def switch_profile(self, name: str) -> None:
        self.profiles.switch_to(name)

    def profile_command(self, command: str, name: str | None = None, path: str | None = None) -> None:
        if command == "calibrate":
            self.open_calibration()
        elif command == "forget_calibration":
            self.forget_calibration()
        elif command == "forget_face":
            self.forget_face()
        elif command == "enrol":
            self.open_enrolment()
        else:
            self.profiles.run(command, name, path)

    # --- start-up -----------------------------------------------------------------------
    def _make_analyzer(self):
        # Runs on the analysis thread: model objects are born where they are used.
        from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig

        return Analyzer.create(AnalyzerConfig.from_settings(self.machine, self.options.allow_download))

    def _make_recogniser(self):
        # Runs on the analysis thread, at the first descriptor: face-api's nets (numpy)
        from moodplayer.vision.listeners import ListenerRecogniser

        return ListenerRecogniser.load()

    def _wire(self) -> None:
        w, session = self.window, self.session
        self.camera.show_state()
        w.player.picker.set_playlists(list(EMOTIONS))  # each with its mood's face icon
        w.player.controls.set_volume_quietly(self.settings.volume)

        # the user's intents
        w.player.picker.override_requested.connect(self._on_override)
        w.player.controls.previous_requested.connect(session.previous)
        w.player.controls.next_requested.connect(session.next)
        w.player.controls.play_pause_requested.connect(session.toggle)
        w.player.controls.volume_requested.connect(self._on_volume)
        w.player.tracks.track_activated.connect(session.activate_track)
        w.preview.camera_pause_requested.connect(self.pause_camera)
        w.profile_bar.show_profiles(list(self.settings.profiles), self.settings.active_profile)
        w.profile_bar.profile_selected.connect(self.switch_profile)
        w.profile_bar.profile_command.connect(self.profile_command)
        w.profile_bar.settings_requested.connect(self.open_settings)
        w.music_dropped.connect(self.profiles.use_music)
        w.sessions_requested.connect(self.sessions.open_window)

        # transport: seek, repeat one, shuffle, mute go to the player as they are
        c = w.player.controls
        c.seek_requested.connect(self.backend.seek)
        c.repeat_requested.connect(self.backend.set_repeat)
        c.shuffle_requested.connect(self.backend.set_shuffle)
        c.mute_requested.connect(self.backend.set_muted)
        self.backend.repeat_changed.connect(c.show_repeat)
        self.backend.shuffle_changed.connect(c.show_shuffle)
        self.backend.muted_changed.connect(c.show_muted)
        self.backend.volume_changed.connect(c.set_volume_quietly)  # e.g. set over MPRIS
        self.backend.volume_changed.connect(self._remember_volume)  # ... and kept for next time
        # MPRIS2: desktop media controls and media keys (None, logged, without a session bus)
        self.mpris = start_mpris(self.backend, w, intents=session)

        # what the player reports
        self.backend.state_changed.connect(lambda s: w.player.controls.show_playing(s == PLAYING))
        self.backend.state_changed.connect(self._show_playing_in_tray)
        w.hidden_to_tray.connect(lambda: log.info("the window is hidden; the music goes on (tray icon)"))
        self.backend.track_changed.connect(session.on_track_changed)
        self.backend.track_finished.connect(session.on_track_finished)
        self.backend.track_failed.connect(self._on_track_failed)
        self.backend.playlist_failed.connect(w.show_message)
        self.backend.playlist_failed.connect(session.on_playlist_failed)

        # what the analysis reports
        self.analysis.ready.connect(self._on_model_ready)
        self.analysis.failed.connect(self._on_model_failed)
        self.analysis.readings.connect(self._on_readings)
        if self.analysis.pace is not None:  # analysis slows down only once the mood has settled
            session.subscribe(self._follow_mood_window)
        self.analysis.rate.connect(w.show_fps)

        self._position_timer.timeout.connect(
            lambda: w.player.controls.show_position(*self.backend.position()))
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self) -> None:
        self._started = True
        self.recording.update(self.settings.active_profile, self.settings.profile.record_sessions)
        self.window.show()
        self.restore_geometry(self.settings.window_geometry)  # shown: its frame is known
        if self.options.open_paths:  # music given on the command line wins over resuming
            self.open_paths(self.options.open_paths)
        elif not self._resume_music() and self.settings.last_playlist in EMOTIONS:  # the dropdown as it was left
            picker = self.window.player.picker
            picker.setCurrentIndex(picker.findData(self.settings.last_playlist))
        self.window.show_loading(True)
        if self.camera.live:
            self.camera.start()  # a live preview while the model warms up
        # A video file waits for the model, so that no part of it goes unanalysed.
        self.analysis.start()
        self.preview.start()
        self._position_timer.start(250)
        if self.options.open_settings:
            self.open_settings()
        if self.options.quit_after:
            QTimer.singleShot(int(self.options.quit_after * 1000), self._finish)

    def restore_geometry(self, geometry: list[int]) -> None:
        """The window where it was left, fitted to the screens present now (app/geometry.py)."""
        if not geometry:
            return
        w = self.window
        screens = [(r.x(), r.y(), r.width(), r.height())
                   for r in (s.availableGeometry() for s in QGuiApplication.screens())]
        inside, outside = w.geometry(), w.frameGeometry()
        frame = (inside.x() - outside.x(), inside.y() - outside.y(),
                 outside.right() - inside.right(), outside.bottom() - inside.bottom())
        least = w.minimumSizeHint().expandedTo(w.minimumSize())
        x, y, width, height = geometry
        fitted = fit_to_screens((x, y, width, height), screens, (least.width(), least.height()), frame)
        if fitted is None:
            log.info("the remembered window geometry %s is no window here: the default is used", geometry)
            return
        if list(fitted) != list(geometry):
            log.info("the remembered window geometry %s does not fit the screens here: %s is used",
                     geometry, list(fitted))
        self.window.setGeometry(*fitted)

    # --- open-with: music handed to the app -------------------------------------------------
    def open_paths(self, paths: list[str]) -> str:
        """Play ``paths`` (audio files, folders, playlist files, ``file://`` URIs) as the
        user's pick: the dropdown shows it, Auto hands the music back to the mood. What is
        not music is said, one line each. Also what a second ``moodplayer`` hands over
        (``handle_request``). Returns what could not be opened ("": everything was)."""
        from moodplayer.core.music.opened import OPENED, music_paths, opened_playlist

        found, problems = music_paths(list(paths))
        for problem in problems:
            self.window.show_message(f"Cannot open {problem}")
        said = "; ".join(f"cannot open {p}" for p in problems)
        if not found:
            return said or "nothing to open"
        playlist = opened_playlist(found)
        if not self.session.open_playlist(playlist):
            return said or f"nothing in {playlist.name} can play"
        picker = self.window.player.picker
        picker.show_opened(OPENED, playlist.name)
        picker.show_choice(OPENED)
        log.info("opened %s: %d tracks", playlist.name, len(playlist.tracks))
        return said

    # --- resume: where the music stopped ------------------------------------------------------
    def _resume_music(self) -> bool:
        """With the resume setting, the profile's music plays on from where it stopped."""
        if not self.machine.resume:
            return False
        point = load_resume(resume_file(), self.settings.active_profile)
        if point is None or not self.session.resume(point.playlist, point.track, point.position_ms,
                                                    point.override):
            return False
        self.window.player.picker.show_choice(point.playlist if point.override else None)
        log.info("resumed %s at %.1f s", point.track, point.position_ms / 1000)
        return True

    def _keep_resume_point(self) -> None:
        if not self._started:
            return
        point = self.session.resume_point(self.backend.position()[0])
        try:
            save_resume(resume_file(), self.settings.active_profile, point)
        except OSError as err:
            log.warning("could not keep where the music stopped in %s: %s", resume_file(), err)

    def _finish(self) -> None:
        if self.options.screenshot:
            problem = self.save_screenshot(self.options.screenshot)
            if problem:
                print(f"moodplayer: error: {problem}", file=sys.stderr)
                self.exit_code = 2
        QApplication.exit(self.exit_code)

    def save_screenshot(self, path: str) -> str | None:
        """The screen as the display server shows it (under Xvfb: a real X screenshot),
        saved to ``path``; None, or why it could not be (the folder went away, ...)."""
        screen = self.window.screen()
        if screen is None or not screen.grabWindow(0).save(path):
            return f"the screenshot could not be saved to {path}"
        return None

    # --- another `moodplayer run` --------------------------------------------------------
    def raise_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def handle_request(self, request: dict) -> str:
        """What a second ``moodplayer run`` asked (app/instance.py): the window comes to the
        front, and files given on its command line are opened (when this app can). Returns
        what to tell that process ("": nothing to add)."""
        paths = request.get("paths") or []
        log.info("another `moodplayer run` asked for the window%s: it is raised",
                 f" and {len(paths)} file(s)" if paths else "")
        self.raise_window()
        if not paths:
            return ""
        open_paths = getattr(self, "open_paths", None)
        if open_paths is None:
            self.window.show_message("Opening files is not supported yet")
            return "opening files is not supported yet"
        return open_paths(paths) or ""

    # --- camera and analysis ---------------------------------------------------------------
    @property
    def capture(self):
        return self.camera.capture

    @property
    def camera_paused(self) -> bool:
        return self.camera.paused

    @property
    def source_spec(self):
        return self.camera.spec

    def pause_camera(self, paused: bool) -> None:
        self.camera.pause(paused)

    def _on_readings(self, batch: list) -> None:
        if self.analysis.collecting:
            return  # faces posed for the calibration wizard are not the person's mood
        self.session.push_readings(batch)

    def _follow_mood_window(self, event) -> None:
        pace = self.analysis.pace
        if isinstance(event, ReadingsSeen) and pace is not None:
            pace.follow(event.state)

    def _on_model_ready(self, engine: str) -> None:
        self.camera.start()
        self.window.show_loading(False)
        self.window.show_engine(f"{engine} + {self.machine.detector}")
        analyzer = self.analysis.analyzer  # set before ready is emitted
        notice = analyzer.engine.notice if analyzer is not None else None  # built and logged there
        # face-api's net missing or damaged: the user sees what reads their face (none: hidden)
        self.window.show_engine_notice(fallback_line(engine) if notice else "", notice or "")
        self.offer_first_look()

    def offer_first_look(self) -> bool:
        """On a camera, a profile that never had it and has no calibration gets the first look
        (app/calibration.py). True when it opened."""
        if not (self.options.offer_first_look and self.source_spec.kind == "camera"
                and self.analysis.analyzer is not None and self.calibrating.dialog is None):
            return False
        profile = self.settings.profile
        if profile.first_look_done or self.analysis.calibration is not None or self._why_no_calibration():
            return False
        self.calibrating.open(first_look=True)
        return True

    def _first_look_over(self, profile: str) -> None:
        """Done or skipped: that profile is not offered the first look again."""
        if profile in self.settings.profiles:
            self.settings.profiles[profile].first_look_done = True
            self.save_now()

    def _on_model_failed(self, why: str) -> None:
        self.analysis_off = why
        self.camera.start()
        self.window.show_loading(False, "no analysis")
        self.window.show_engine("none")
        self.window.show_message(f"Emotion analysis is off: {why}")

    # --- music intents that also touch the settings ------------------------------------------
    def _on_override(self, name: str | None) -> None:
        if (name is None or name in EMOTIONS) and (name or "") != self.settings.last_playlist:
            self.settings.last_playlist = name or ""
            self.keeper.save_soon()
        self.session.choose(name)

    def _on_volume(self, volume: int) -> None:
        self.backend.set_volume(volume)
        self._remember_volume(volume)

    def _remember_volume(self, volume: int) -> None:
        if volume != self.settings.volume:
            self.settings.volume = volume
            self.keeper.save_soon()

    def _on_track_failed(self, index: int, why: str) -> None:
        self.window.player.tracks.mark_broken(index)
        self.window.show_message(why)

    # --- shutdown -------------------------------------------------------------------------------
    def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        self.calibrating.close()
        self.enrolling.close()
        self.session.close()
        self.preview.stop()
        self._position_timer.stop()
        self.window.timeline.view.stop()  # the session is closed: no change will come
        loading = self.analysis.isRunning() and self.analysis.analyzer is None
        self.analysis.stop()
        self.camera.close()
        if self.loudness is not None:
            self.loudness.close()
        self._keep_resume_point()
        self.watcher.close()
        if self.tray is not None:
            self.tray.close()
        if self.notifier is not None:
            self.notifier.close()
        if loading and self.may_leave_model_loading:
            # The model is still being built (TensorFlow imports on a starved machine take
            # many seconds and cannot be interrupted): it holds nothing to save or release,
            # so the process ends without it once the rest is done (run_app).
            self.model_left_loading = not self.analysis.wait(300)
        elif not self.analysis.wait(2000):
            log.warning("AnalysisThread still busy after 2 s; waiting for it")
            self.analysis.wait(10000)  # never leave a thread running behind the app
        self.backend.close()
        self.recording.stop()
        g = self.window.geometry()
        geometry = [g.x(), g.y(), g.width(), g.height()]
        if self._started and geometry != self.settings.window_geometry:
            self.settings.window_geometry = geometry
        self.keeper.save(take=False)  # only what changed; a failure is logged
        self.keeper.close()


def run_app(options: AppOptions, instance=None) -> int:
    """The app until it is closed, or a signal ends it as closing does (app/exits.py).
    ``instance`` (app/instance.py): this process is the user's one MoodPlayer; later
    ``moodplayer run`` requests reach ``handle_request``."""
    from moodplayer.app.exits import SignalExits

    app = QApplication.instance() or QApplication([])
    app.setApplicationName("MoodPlayer")
    icon = resource_root() / "resources" / "icons" / "moodplayer-256.png"
    if icon.is_file():
        from PySide6.QtGui import QIcon

        QApplication.setWindowIcon(QIcon(str(icon)))
    exits = SignalExits(lambda _signum: QApplication.exit(0))
    try:
        player = MoodPlayerApp(options)
        player.may_leave_model_loading = True
        if instance is not None:
            instance.listen(player.handle_request)
        player.start()
        code = app.exec()
        if instance is not None:
            instance.close()  # a newcomer now waits for the lock: the settings are being saved
        player.shutdown()
    finally:
        exits.close()
    code = exits.exit_code or player.exit_code or code
    if player.model_left_loading:
        log.info("the emotion model was still loading: the process ends without waiting for it")
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # everything else is saved, closed and released; only the model's thread is left
    return code
