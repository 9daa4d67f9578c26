"""Music dragged from a file manager onto the window becomes a mood's playlist."""

from __future__ import annotations

import tomllib
from helpers import feel, write_tone
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent


def drop(window, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPointF(10, 10).toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    return True


def test_a_dropped_folder_becomes_the_moods_playlist(qtbot, tmp_path, make_app, monkeypatch):
    folder = tmp_path / "Calm music"
    write_tone(folder / "a.wav", 5.0)
    app = make_app()
    monkeypatch.setattr(app.profiles, "_ask_mood", lambda paths: "sad")  # the user picks sad
    assert drop(app.window, [folder])
    assert app.settings.profile.playlists["sad"] == str(folder)
    feel(app.session, "sad")
    assert app.backend.playlist.source == folder
    saved = tomllib.loads((tmp_path / "settings.toml").read_text())
    assert saved["profiles"]["Default"]["playlists"]["sad"] == str(folder)


def test_dropped_files_are_gathered_into_a_playlist(qtbot, tmp_path, make_app, session_tmp):
    files = [write_tone(tmp_path / "loose" / f"{k}.wav", 5.0, 300 + 50 * k) for k in range(3)]
    app = make_app()
    app.profiles.use_music(files, "happy")
    playlist = app.settings.profile.playlists["happy"]
    assert playlist.endswith("-happy.m3u8") and "Default-" in playlist
    assert playlist.startswith(str(session_tmp / "data"))
    feel(app.session, "happy")
    assert [t.path.name for t in app.backend.playlist.tracks] == ["0.wav", "1.wav", "2.wav"]


def test_a_drop_without_music_is_refused(qtbot, tmp_path, make_app):
    note = tmp_path / "notes.txt"
    note.write_text("not music")
    app = make_app()
    assert not drop(app.window, [note])  # the window does not even take it
    app.profiles.use_music([note], "happy")
    assert "Nothing dropped is music" in app.window.messages[-1]
    assert "happy" not in app.settings.profile.playlists
