"""What the window shows of the session: one handler per session event.

The session decides; this only presents (labels, track list, messages, the log) and
re-emits two Qt signals that tests and the soak watch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from moodplayer.core.music.cover_art import cover_for
from moodplayer.core.session import events
from moodplayer.ui.main_window import MainWindow

log = logging.getLogger("moodplayer")


class Presenter(QObject):
    mood_changed = Signal(str)
    playlist_started = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self._handlers: dict[type, Callable[[Any], None]] = {
            events.ReadingsSeen: self._readings_seen,
            events.MoodChanged: self._mood_changed,
            events.PlaylistStarted: self._playlist_started,
            events.TrackChanged: self._track_changed,
            events.PlaylistRefused: lambda e: window.show_message(
                f"Cannot play the {e.name} playlist: {e.why}"),
            events.Notice: lambda e: window.show_message(e.text),
            events.LiftFinished: lambda e: self._status(
                f"The lift from {e.mood} reached {e.target}: only {e.target} from now on"),
            events.PlaylistUpdated: self._playlist_updated,
            events.Paused: self._paused,
            events.Resumed: self._resumed,
        }

    def __call__(self, event: object) -> None:
        timeline = self.window.timeline.view
        if timeline.data.on_event(event):  # the timeline sees every event
            timeline.changed()
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _paused(self, e: events.Paused) -> None:
        if e.by == "policy":
            self._status("No face: the music is paused")

    def _resumed(self, e: events.Resumed) -> None:
        if e.by == "policy":
            self._status("The face is back: the music goes on")

    def _status(self, text: str) -> None:
        log.info("%s", text)
        self.window.statusBar().showMessage(text, 5000)

    def _readings_seen(self, e: events.ReadingsSeen) -> None:
        mood = self.window.mood
        if e.reading.has_face:
            mood.show_scores(e.reading.score_dict())
        mood.show_faces(e.reading.faces)
        mood.show_mood(e.state.mood, e.state.confidence,
                       "(no face: holding)" if e.state.face_lost else "")

    def _mood_changed(self, e: events.MoodChanged) -> None:
        self.window.mood.show_why(e.why)
        self.mood_changed.emit(e.mood)

    def _playlist_started(self, e: events.PlaylistStarted) -> None:
        if e.why:
            log.info("playlist: %s", e.why)
            self.window.mood.show_why(e.why)
        tracks = e.playlist.tracks
        self.window.player.tracks.show_tracks([t.label for t in tracks],
                                              {i for i, t in enumerate(tracks) if t.missing})
        self.window.player.show_now_playing(f"{e.playlist.name} playlist", e.name)
        self.playlist_started.emit(e.name)

    def _playlist_updated(self, e: events.PlaylistUpdated) -> None:
        self._status(f"The {e.name} playlist changed on disk: {e.added} added, {e.removed} removed")
        if e.playing is not None:  # the list on screen is this one: show it as it is now
            tracks = e.playlist.tracks
            self.window.player.tracks.show_tracks([t.label for t in tracks],
                                                  {i for i, t in enumerate(tracks) if t.missing})
            if e.playing >= 0:
                self.window.player.tracks.mark_current(e.playing)

    def _track_changed(self, e: events.TrackChanged) -> None:
        if e.why:
            log.info("track: %s", e.why)
        self.window.player.tracks.mark_current(e.index)
        self.window.player.cover.show_cover(cover_for(e.track.path) if e.track else None)
        if e.track is not None and e.playlist is not None:
            self.window.player.show_now_playing(f"{e.playlist.name}: {e.track.title}", e.playlist.name)
