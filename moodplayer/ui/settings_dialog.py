"""The settings dialog a therapist uses: which music each mood gets (match it, or lift it
towards another playlist), how fast the music reacts, which camera and model.

It edits a copy of the settings and emits ``changed`` with the new copy after every valid
edit, so the app applies it live; Cancel emits the original again. An invalid value is
refused in its field: the field turns red, the reason shows beside it, nothing is applied.
The dialog never saves, plays or analyses anything itself.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.userpath import user_path
from moodplayer.core.session.lift import STRATEGIES, lift_target_problem
from moodplayer.core.settings.schema import LIFT_OPTIONS, PROFILE_OPTIONS, SETTINGS_OPTIONS, Lift, Settings
from moodplayer.ui.option_fields import editor_for, on_edit, show_value, value_of

REACTION = ("window_s", "margin", "min_dwell_s", "switch_policy", "no_face_timeout_s", "no_face_policy",
            "record_sessions")
PLAYBACK = ("switch_fade_s", "crossfade_s", "replaygain", "resume", "tray", "notifications")

PLAYLIST_SUFFIXES = (".m3u", ".m3u8", ".pls", ".xspf")
INVALID = "background:#ffd7d7;"


def playlist_problem(text: str) -> str | None:
    """None when ``text`` can be a playlist ("" means the demo playlist)."""
    if not text:
        return None
    path = user_path(text)
    if path.is_dir() or (path.is_file() and path.suffix.lower() in PLAYLIST_SUFFIXES):
        return None
    if path.exists():
        return "must be a folder or an .m3u/.m3u8/.pls/.xspf file"
    return "not found"


class MoodRow:
    """The widgets of one emotion's row on the Music tab."""

    def __init__(self, emotion: str, dialog: SettingsDialog) -> None:
        self.emotion = emotion
        self.playlist = QLineEdit()
        self.playlist.setPlaceholderText("demo playlist")
        self.playlist.setMinimumWidth(260)
        self.playlist.setObjectName(f"playlist_{emotion}")
        self.browse = QPushButton("Folder…")
        self.browse_file = QPushButton("File…")
        self.strategy = QComboBox()
        self.strategy.addItems(STRATEGIES)
        self.strategy.setObjectName(f"strategy_{emotion}")
        self.target = QComboBox()
        self.target.setEditable(True)  # another mood, or a folder / .m3u path
        self.target.addItems([e for e in EMOTIONS if e != emotion])
        self.target.setObjectName(f"target_{emotion}")
        self.tracks = editor_for(LIFT_OPTIONS["tracks"])
        self.tracks.setObjectName(f"tracks_{emotion}")
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#b00020;")
        self.browse.clicked.connect(lambda: dialog.pick_folder(self))
        self.browse_file.clicked.connect(lambda: dialog.pick_file(self))

    def widgets(self) -> list[QWidget]:
        return [self.playlist, self.browse, self.browse_file, self.strategy, self.target,
                self.tracks, self.problem]

    def show_lift_fields(self) -> None:
        lifting = self.strategy.currentText() == "lift"
        self.target.setEnabled(lifting)
        self.tracks.setEnabled(lifting)


class SettingsDialog(QDialog):
    changed = Signal(object)  # Settings: apply it (live); on Cancel, the original again

    def __init__(self, settings: Settings, cameras: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("MoodPlayer settings")
        self.original = copy.deepcopy(settings)
        self.settings = copy.deepcopy(settings)
        self.problems: dict[str, str] = {}  # field -> reason, while it is invalid
        self._loading = False

        tabs = QTabWidget()
        tabs.addTab(self._music_tab(), "Music")
        tabs.addTab(self._reaction_tab(), "Reaction")
        tabs.addTab(self._playback_tab(), "Playback")
        tabs.addTab(self._source_tab(cameras), "Camera and model")
        self.profile_label = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.profile_label)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.load(self.settings)

    # --- building ---------------------------------------------------------------------
    def _music_tab(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        for col, title in enumerate(["", "playlist", "", "", "strategy", "lift towards", "over", ""]):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, col)
        self.rows: dict[str, MoodRow] = {}
        for r, emotion in enumerate(EMOTIONS, start=1):
            row = MoodRow(emotion, self)
            self.rows[emotion] = row
            grid.addWidget(QLabel(emotion), r, 0)
            for col, widget in enumerate(row.widgets(), start=1):
                grid.addWidget(widget, r, col)
            row.playlist.textChanged.connect(lambda _=None, row=row: self._edit_row(row))
            row.strategy.currentTextChanged.connect(lambda _=None, row=row: self._edit_row(row))
            row.target.currentTextChanged.connect(lambda _=None, row=row: self._edit_row(row))
            on_edit(row.tracks, lambda _=None, row=row: self._edit_row(row))
        note = QLabel("match: play the mood's own music. lift: start with it, then move to the "
                      "chosen playlist over the given number of tracks (iso-principle).")
        note.setWordWrap(True)
        grid.addWidget(note, len(EMOTIONS) + 1, 0, 1, 8)
        return page

    def _reaction_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.reaction: dict[str, QWidget] = {}
        for name in REACTION:  # each field as its setting declares it
            option = PROFILE_OPTIONS[name]
            editor = editor_for(option)
            self.reaction[name] = editor
            setattr(self, name, editor)
            form.addRow(option.title, editor)
            on_edit(editor, self._edit_reaction)
        return page

    def _playback_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.playback: dict[str, QWidget] = {}
        for name in PLAYBACK:  # machine-wide: the same for every profile
            option = SETTINGS_OPTIONS[name]
            editor = editor_for(option)
            self.playback[name] = editor
            setattr(self, name, editor)
            form.addRow(option.title, editor)
            on_edit(editor, self._edit_playback)
        form.addRow("", QLabel("These apply to every profile, at once."))
        return page

    def _source_tab(self, cameras: list[int]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.source = QComboBox()
        self.source.setEditable(True)  # camera:N, demo, or a video path
        self.source.addItems([f"camera:{i}" for i in cameras] + ["demo"])
        self.engine = editor_for(SETTINGS_OPTIONS["engine"])
        self.detector = editor_for(SETTINGS_OPTIONS["detector"])
        self.source_problem = QLabel()
        self.source_problem.setStyleSheet("color:#b00020;")
        form.addRow(SETTINGS_OPTIONS["source"].title, self.source)
        form.addRow(SETTINGS_OPTIONS["engine"].title, self.engine)
        form.addRow(SETTINGS_OPTIONS["detector"].title, self.detector)
        form.addRow("", self.source_problem)
        form.addRow("", QLabel(f"Cameras found: {', '.join(map(str, cameras)) or 'none'}. "
                               "These three apply at the next start."))
        self.recognise = editor_for(SETTINGS_OPTIONS["recognise_listeners"])
        self.recognise.setObjectName("recogniseListeners")
        self.recognise.setToolTip(SETTINGS_OPTIONS["recognise_listeners"].help)
        form.addRow(SETTINGS_OPTIONS["recognise_listeners"].title, self.recognise)
        on_edit(self.recognise, self._edit_recognise)
        self.source.currentTextChanged.connect(self._edit_source)
        on_edit(self.engine, self._edit_source)
        on_edit(self.detector, self._edit_source)
        return page

    # --- showing settings -------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        """Show ``settings`` (its active profile) in the fields, without emitting."""
        self._loading = True
        try:
            self.settings = copy.deepcopy(settings)
            p = self.settings.profile
            self.profile_label.setText(f"Profile: <b>{self.settings.active_profile}</b>")
            for emotion, row in self.rows.items():
                row.playlist.setText(p.playlists.get(emotion, ""))
                lift = p.lift.get(emotion)
                row.strategy.setCurrentText("lift" if lift else "match")
                row.target.setCurrentText(lift.target if lift else "happy" if emotion != "happy" else "neutral")
                show_value(row.tracks, lift.tracks if lift else Lift().tracks)
                row.show_lift_fields()
            for name, editor in self.reaction.items():
                show_value(editor, getattr(p, name))
            for name, editor in self.playback.items():
                show_value(editor, getattr(self.settings, name))
            self.source.setCurrentText(self.settings.source)
            show_value(self.engine, self.settings.engine)
            show_value(self.detector, self.settings.detector)
            show_value(self.recognise, self.settings.recognise_listeners)
        finally:
            self._loading = False

    # --- edits --------------------------------------------------------------------------
    def _edit_row(self, row: MoodRow) -> None:
        row.show_lift_fields()
        if self._loading:
            return
        key = f"music.{row.emotion}"
        text = row.playlist.text().strip()
        problem = playlist_problem(text)
        target = row.target.currentText().strip()
        lifting = row.strategy.currentText() == "lift"
        if problem is None and lifting:
            target_problem = lift_target_problem(row.emotion, target)  # itself, an unknown mood
            if target_problem is None and target not in EMOTIONS:
                target_problem = playlist_problem(target)
            problem = f"lift target: {target_problem}" if target_problem else None
        self._mark(row.playlist, row.problem, key, problem)
        if problem:
            return
        p = self.settings.profile
        if text:
            p.playlists[row.emotion] = text
        else:
            p.playlists.pop(row.emotion, None)
        if lifting:
            p.lift[row.emotion] = Lift(target=target, tracks=value_of(row.tracks))
        else:
            p.lift.pop(row.emotion, None)
        self._emit()

    def _edit_reaction(self) -> None:
        if self._loading:
            return
        p = self.settings.profile
        for name, editor in self.reaction.items():
            setattr(p, name, PROFILE_OPTIONS[name].coerce(value_of(editor)))
        self._emit()

    def _edit_playback(self) -> None:
        if self._loading:
            return
        for name, editor in self.playback.items():
            setattr(self.settings, name, SETTINGS_OPTIONS[name].coerce(value_of(editor)))
        self._emit()

    def _edit_source(self) -> None:
        if self._loading:
            return
        source, detector = self.source.currentText().strip(), value_of(self.detector)
        problem = None
        if not source:
            problem = "choose a camera, demo or a video file"
        elif not (source.startswith("camera:") or source == "demo" or user_path(source).is_file()):
            problem = f"{source}: not a camera, demo or an existing video file"
        elif not detector:
            problem = "name a DeepFace detector (opencv)"
        self._mark(self.source, self.source_problem, "source", problem)
        if problem:
            return
        self.settings.source = source
        self.settings.engine = value_of(self.engine)
        self.settings.detector = detector
        self._emit()

    def _edit_recognise(self) -> None:
        if self._loading:
            return
        self.settings.recognise_listeners = value_of(self.recognise)
        self._emit()

    def _mark(self, field: QWidget, label: QLabel, key: str, problem: str | None) -> None:
        field.setStyleSheet(INVALID if problem else "")
        label.setText(problem or "")
        if problem:
            self.problems[key] = problem
        else:
            self.problems.pop(key, None)
        self.ok_button.setEnabled(not self.problems)

    def _emit(self) -> None:
        self.changed.emit(copy.deepcopy(self.settings))

    # --- file pickers -------------------------------------------------------------------
    def pick_folder(self, row: MoodRow) -> None:
        folder = QFileDialog.getExistingDirectory(self, f"Music for {row.emotion}")
        if folder:
            row.playlist.setText(folder)

    def pick_file(self, row: MoodRow) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Playlist for {row.emotion}", "",
                                              "Playlists (*.m3u *.m3u8 *.pls *.xspf)")
        if path:
            row.playlist.setText(path)

    # --- closing ------------------------------------------------------------------------
    def reject(self) -> None:
        self.changed.emit(copy.deepcopy(self.original))  # Cancel restores
        super().reject()

