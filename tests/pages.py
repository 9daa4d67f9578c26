"""The main window as tests drive it: its controls found by their objectName (set in ui/),
never through the widgets that happen to hold them. A control that is missing fails the
test with its name.

    page = MainPage(app.window)
    page.choose_playlist("happy")
    page.click_next()
    assert "camera on" in page.camera_indicator.text()
"""

from __future__ import annotations

from typing import TypeVar

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QPushButton, QSlider, QToolButton, QWidget

from moodplayer.core.records.timeline import TimelineData
from moodplayer.ui.mood_panel import MoodPanel
from moodplayer.ui.player_controls import PlayerPanel, PlaylistPicker, SeekSlider, TrackList, TransportControls
from moodplayer.ui.preview import PreviewView
from moodplayer.ui.timeline import TimelineView

T = TypeVar("T", bound=QObject)


class MainPage:
    def __init__(self, window: QWidget) -> None:
        self.window = window

    def find(self, kind: type[T], name: str) -> T:
        found = self.window.findChild(kind, name)
        if found is None:
            pytest.fail(f"the main window has no {kind.__name__} named {name!r}")
        return found

    # --- the music ---------------------------------------------------------------------------
    @property
    def player_panel(self) -> PlayerPanel:
        """What the app shows of the music (``show_now_playing`` ...)."""
        return self.find(PlayerPanel, "playerPanel")

    @property
    def transport(self) -> TransportControls:
        """The transport row (its intents are signals: ``next_requested`` ...)."""
        return self.find(TransportControls, "transportControls")

    @property
    def previous_button(self) -> QPushButton:
        return self.find(QPushButton, "previousButton")

    @property
    def play_pause_button(self) -> QPushButton:
        return self.find(QPushButton, "playPauseButton")

    @property
    def next_button(self) -> QPushButton:
        return self.find(QPushButton, "nextButton")

    @property
    def repeat_button(self) -> QPushButton:
        return self.find(QPushButton, "repeatButton")

    @property
    def shuffle_button(self) -> QPushButton:
        return self.find(QPushButton, "shuffleButton")

    @property
    def mute_button(self) -> QPushButton:
        return self.find(QPushButton, "muteButton")

    @property
    def seek(self) -> SeekSlider:
        return self.find(SeekSlider, "seekSlider")

    @property
    def position(self) -> QLabel:
        return self.find(QLabel, "positionLabel")

    @property
    def volume(self) -> QSlider:
        return self.find(QSlider, "volumeSlider")

    @property
    def picker(self) -> PlaylistPicker:
        return self.find(PlaylistPicker, "playlistPicker")

    @property
    def tracks(self) -> TrackList:
        return self.find(TrackList, "trackList")

    @property
    def now_playing(self) -> QLabel:
        return self.find(QLabel, "nowPlaying")

    def click_previous(self) -> None:
        self.previous_button.click()

    def click_play_pause(self) -> None:
        self.play_pause_button.click()

    def click_next(self) -> None:
        self.next_button.click()

    def set_volume(self, volume: int) -> None:
        """As the user drags the slider (the app hears ``volume_requested``)."""
        self.volume.setValue(volume)

    def choose_playlist(self, name: str | None) -> None:
        """Pick ``name`` in the playlist dropdown (None: Auto, the mood decides)."""
        picker = self.picker
        index = picker.findData(name)
        if index < 0:
            pytest.fail(f"the playlist dropdown has no {name!r}")
        picker.setCurrentIndex(index)

    @property
    def chosen_playlist(self) -> str | None:
        return self.picker.currentData()

    def track_titles(self) -> list[str]:
        tracks: QListWidget = self.tracks
        return [tracks.item(i).text() for i in range(tracks.count())]

    # --- the mood ----------------------------------------------------------------------------
    @property
    def mood_panel(self) -> MoodPanel:
        """What the app shows of the mood (``show_mood`` ...)."""
        return self.find(MoodPanel, "moodPanel")

    @property
    def mood_label(self) -> QLabel:
        return self.find(QLabel, "moodLabel")

    @property
    def why_label(self) -> QLabel:
        return self.find(QLabel, "whyLabel")

    @property
    def faces_label(self) -> QLabel:
        return self.find(QLabel, "facesLabel")

    # --- the camera --------------------------------------------------------------------------
    @property
    def preview(self) -> PreviewView:
        return self.find(PreviewView, "preview")

    @property
    def frames_shown(self) -> int:
        return self.preview.frames_shown

    @property
    def camera_indicator(self) -> QLabel:
        return self.find(QLabel, "cameraIndicator")

    @property
    def pause_camera_button(self) -> QPushButton:
        return self.find(QPushButton, "pauseCamera")

    @property
    def banner(self) -> QLabel:
        return self.find(QLabel, "previewBanner")

    def click_pause_camera(self) -> None:
        self.pause_camera_button.click()

    # --- the profile -------------------------------------------------------------------------
    @property
    def profiles(self) -> QComboBox:
        return self.find(QComboBox, "profileCombo")

    @property
    def calibration_state(self) -> QLabel:
        return self.find(QLabel, "calibrationState")

    def profile_action(self, command: str) -> QAction:
        """The Profiles menu's entry for ``command`` (ui/profile_bar.py PROFILE_COMMANDS)."""
        return self.find(QAction, f"profile_{command}")

    # --- the status bar, the notice and the timeline -----------------------------------------
    @property
    def engine_label(self) -> QLabel:
        return self.find(QLabel, "engineLabel")

    @property
    def engine_notice(self) -> QLabel:
        """The status bar's line when the engine fell back (face-api's net missing or damaged)."""
        return self.find(QLabel, "engineNotice")

    @property
    def recording_indicator(self) -> QLabel:
        return self.find(QLabel, "recordingLabel")

    @property
    def recording(self) -> bool:
        """Whether the window shows that the session is recorded."""
        return self.recording_indicator.isVisibleTo(self.window)

    @property
    def notice(self) -> QLabel:
        return self.find(QLabel, "notice")

    @property
    def messages(self) -> list[str]:
        """Every problem the window told the user, oldest first."""
        return self.window.messages

    @property
    def timeline(self) -> TimelineView:
        return self.find(TimelineView, "timelineView")

    @property
    def timeline_data(self) -> TimelineData:
        return self.timeline.data

    @property
    def timeline_toggle(self) -> QToolButton:
        return self.find(QToolButton, "timelineToggle")
