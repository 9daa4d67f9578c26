"""MoodPlayerApp.open_paths: what the command line (and a second invocation) hands the
running app plays as the user's pick; the dropdown shows it; Auto goes back to the mood."""

from __future__ import annotations

from helpers import feel, write_tone

from moodplayer.core.music.opened import OPENED
from moodplayer.playback.backend import PLAYING


def test_opened_music_plays_as_the_pick_and_auto_hands_back(make_app, qtbot, tmp_path):
    folder = tmp_path / "Album"
    for k in range(2):
        write_tone(folder / f"{k}.wav", 5.0)
    app = make_app(open_paths=[str(folder)])
    app.start()
    picker = app.window.player.picker
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=5000)
    assert app.backend.playlist.name == "Album" and len(app.backend.playlist.tracks) == 2
    assert picker.currentData() == OPENED and picker.currentText() == "Album"
    assert app.session.selector.override == OPENED
    feel(app.session, "sad")  # the pick wins over the mood
    assert app.backend.playlist.name == "Album"
    picker.setCurrentIndex(picker.findData(None))  # Auto
    assert app.session.selector.override is None and app.backend.playlist.name == "sad"
    assert app.settings.last_playlist == ""  # "opened" is never kept as the dropdown's choice


def test_a_second_invocation_hands_over_more_music(make_app, qtbot, tmp_path):
    app = make_app()
    app.start()
    first = write_tone(tmp_path / "first.wav", 5.0)
    assert app.open_paths([str(first)]) == ""
    second = write_tone(tmp_path / "b" / "second.wav", 5.0)
    said = app.open_paths([str(tmp_path / "gone.mp3")])  # nothing to play: said, nothing changes
    assert said.startswith("cannot open") and said.endswith("gone.mp3: not found")
    assert any("Cannot open" in m and "gone.mp3: not found" in m for m in app.window.messages)
    assert app.backend.playlist.name == "first"
    assert app.handle_request({"paths": [f"file://{second}", str(first)]}) == ""  # a second `moodplayer`
    picker = app.window.player.picker
    assert [picker.itemData(i) for i in range(picker.count())].count(OPENED) == 1
    assert picker.currentText() == "second + 1 more"
    assert [t.path.name for t in app.backend.playlist.tracks] == ["second.wav", "first.wav"]
