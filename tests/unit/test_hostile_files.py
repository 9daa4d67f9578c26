"""Hostile files (issue 19): what a careless editor or a hostile user puts where MoodPlayer
reads. A BOM or CRLF line ends are fine; a FIFO or a device under a file's name is refused
without blocking; a number that is NaN, infinite or absurd makes a record line damaged,
never a traceback or a timeline of 10^297 grid lines."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from moodplayer.core.calibration.script import ScriptError, load_script
from moodplayer.core.files.reading import NotAFile, read_regular_bytes
from moodplayer.core.music.formats import PlaylistFileError, read_entries
from moodplayer.core.music.playlist import load_playlist
from moodplayer.core.records.record import MAX_T, load_session
from moodplayer.core.records.timeline import TimelineData
from moodplayer.core.settings.profiles import ProfileError, import_profile
from moodplayer.core.settings.schema import Profile, load_settings

SETTINGS = ('schema_version = 2\nvolume = 40\nactive_profile = "Anna"\n'
            '[profiles.Anna]\nwindow_s = 8\n[profiles.Bob]\nmargin = 0.3\n')


def finishes(fifo: Path, call, seconds: float = 20.0):
    """``call()``'s result; fails (instead of hanging the test run) when it blocks on
    ``fifo``, then frees it by opening the FIFO's other end."""
    out: dict = {}

    def target():
        try:
            out["value"] = call()
        except BaseException as err:  # handed to the test below
            out["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # a reader is waiting: this opens
        os.close(fd)
        thread.join(5)
        pytest.fail(f"reading {fifo.name} blocked: a FIFO was opened as a file")
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_a_settings_file_saved_by_notepad_with_a_bom_and_crlf_is_read_whole(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SETTINGS.replace("\n", "\r\n").encode("utf-8"))
    result = load_settings(path)
    assert result.problems == [] and result.backup is None and path.exists()
    s = result.settings
    assert s.volume == 40 and s.active_profile == "Anna" and set(s.profiles) == {"Anna", "Bob"}
    assert s.profiles["Anna"].window_s == 8.0 and s.profiles["Bob"].margin == 0.3


def test_an_exported_profile_and_a_script_with_a_bom_are_read(tmp_path):
    profile = tmp_path / "anna.toml"
    profile.write_bytes(b"\xef\xbb\xbf" + b'profile_name = "Anna"\r\n[profile]\r\nwindow_s = 7\r\n')
    imported = import_profile(profile)
    assert imported.name == "Anna" and imported.profile.window_s == 7.0
    script = tmp_path / "script.json"
    script.write_bytes(b"\xef\xbb\xbf" + b'{"script": [[0, 2, "neutral"],\r\n [2, 4, "happy"]]}\r\n')
    assert [s.label for s in load_script(script)] == ["neutral", "happy"]


def test_a_fifo_as_the_settings_file_is_refused_without_blocking_and_left_alone(tmp_path):
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    result = finishes(fifo, lambda: load_settings(fifo))
    assert "named pipe" in result.problems[0] and "left as it is" in result.problems[0]
    assert result.settings.profile == Profile() and result.backup is None
    assert fifo.is_fifo()  # not moved aside: it is not a settings file


@pytest.mark.parametrize("what", ["script", "record", "playlist", "profile", "calibration"])
def test_a_fifo_is_never_read_as_a_file(tmp_path, what, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    suffix = {"script": ".json", "record": ".jsonl", "playlist": ".m3u", "profile": ".toml",
              "calibration": ".json"}[what]
    fifo = tmp_path / f"hostile{suffix}"
    if what == "calibration":
        from moodplayer.core.calibration import store

        fifo = store.calibration_path("Anna")
        fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    if what == "script":
        with pytest.raises(ScriptError, match="named pipe"):
            finishes(fifo, lambda: load_script(fifo))
    elif what == "record":
        record = finishes(fifo, lambda: load_session(fifo))
        assert "named pipe" in record.damaged and record.lines == []
    elif what == "playlist":
        with pytest.raises(PlaylistFileError, match="named pipe"):
            finishes(fifo, lambda: read_entries(fifo))
        playlist = finishes(fifo, lambda: load_playlist("sad", fifo))
        assert not playlist.playable and "named pipe" in playlist.problem
    elif what == "profile":
        with pytest.raises(ProfileError, match="named pipe"):
            finishes(fifo, lambda: import_profile(fifo))
    else:
        from moodplayer.core.calibration import store

        calibration, problem = finishes(fifo, lambda: store.load("Anna"))
        assert calibration is None and "named pipe" in problem


def test_a_fifo_named_like_a_track_in_a_playlist_is_listed_as_missing_not_opened(tmp_path):
    fifo = tmp_path / "song.mp3"
    os.mkfifo(fifo)
    m3u = tmp_path / "list.m3u"
    m3u.write_text("#EXTM3U\nsong.mp3\n")
    playlist = finishes(fifo, lambda: load_playlist("sad", m3u))
    assert [t.missing for t in playlist.tracks] == [True] and not playlist.playable


def test_a_device_is_refused_and_a_folder_too(tmp_path):
    with pytest.raises(NotAFile, match="device"):
        read_regular_bytes(Path("/dev/zero"))
    with pytest.raises(NotAFile, match="folder"):
        read_regular_bytes(tmp_path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 2048)
    with pytest.raises(NotAFile, match="too large"):
        read_regular_bytes(big, limit=1024)
    assert "device" in load_settings(Path("/dev/zero")).problems[0]


START = '{"type": "start", "t": 0, "profile": "Anna", "at": "2026-11-28T10:00:00"}'


@pytest.mark.parametrize("line", [
    '{"type": "mood", "t": NaN, "mood": "sad"}',
    '{"type": "mood", "t": Infinity, "mood": "sad"}',
    '{"type": "mood", "t": 1e300, "mood": "sad"}',
    '{"type": "mood", "t": -5, "mood": "sad"}',
    '{"type": "mood", "t": 2, "mood": 123}',
    '{"type": "mood", "t": 2, "mood": "bored"}',
    '{"type": "mood", "t": 2, "mood": "sad", "why": 7}',
    '{"type": "mood", "t": 2, "mood": "sad", "confidence": NaN}',
    '{"type": "shares", "t": 2, "shares": {"sad": NaN}}',
    '{"type": "shares", "t": 2, "shares": {"sad": 1e9}}',
    '{"type": "shares", "t": 2, "shares": [1, 2]}',
    '{"type": "track", "t": 2, "title": 5, "path": "/a.mp3"}',
    '{"type": "track_end", "t": 2, "start": NaN, "path": "/a.mp3", "end": 3, "how": "skipped"}',
    '{"type": "override", "t": 2, "name": 3}',
    '{"type": "pause", "t": true}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
])
def test_a_hand_edited_record_line_with_a_bad_number_or_name_is_damaged(tmp_path, line):
    path = tmp_path / "2026-11-28T10-00-00.jsonl"
    good = '{"type": "mood", "t": 4.0, "mood": "happy", "why": "happy: 70 %"}'
    path.write_text("\n".join([START, line, good, '{"type": "end", "t": 9}']) + "\n")
    record = load_session(path)
    assert record.damaged == "line 2 is not a session event"
    assert [m["mood"] for m in record.moods] == ["happy"] and record.duration_s == 9
    json.dumps(record.summary(), allow_nan=False)  # every number in it is finite
    data = TimelineData.from_record(record)
    assert data.span_s <= MAX_T + 1 and data.now == 9
