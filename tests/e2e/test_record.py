"""The session record (issue 13): opt-in per profile, JSON Lines in the user's data folder,
read back even when damaged, and a failed write never stops the music."""

from __future__ import annotations

import json
import os
import resource
import signal

import pytest
from helpers import feel, no_face
from pages import MainPage

from moodplayer.core.records.record import (
    delete_all_sessions,
    delete_session,
    list_sessions,
    profile_dir,
)
from moodplayer.core.settings.schema import Profile, Settings, save_settings
from moodplayer.playback.backend import PLAYING


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """This test's own data folder (platformdirs reads XDG_DATA_HOME when asked)."""
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def config_with(tmp_path, record: bool, name: str = "Anna", **profile) -> str:
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={name: Profile(record_sessions=record, **profile)},
                                   active_profile=name))
    return str(config)


def test_recording_off_writes_nothing(qtbot, make_app, tmp_path, data_home):
    app = make_app(config=config_with(tmp_path, record=False))
    app.start()
    feel(app.session, "sad")
    feel(app.session, "happy")
    assert not MainPage(app.window).recording
    app.shutdown()
    assert not data_home.exists() or not any(data_home.rglob("*.jsonl"))


def test_a_recorded_session_holds_what_happened_and_no_images(qtbot, make_app, tmp_path, data_home):
    app = make_app(config=config_with(tmp_path, record=True, no_face_policy="pause",
                                      no_face_timeout_s=1.0))
    app.start()
    assert MainPage(app.window).recording  # "● recording"
    feel(app.session, "sad")
    feel(app.session, "happy")
    app.session.next()  # skipped by the user
    app.session.choose("neutral")
    app.session.choose(None)
    app.session.pause()
    app.session.play()
    no_face(app.session, 2.0)
    feel(app.session, "happy")
    app.shutdown()

    [record] = list_sessions("Anna")
    assert record.path.parent.parent == data_home / "moodplayer" / "sessions"
    assert record.path.parent.name.startswith("Anna-")  # the name, and a checksum of it
    assert record.damaged is None and record.ended and record.profile == "Anna"
    assert [m["mood"] for m in record.moods] == ["sad", "happy"]
    assert record.moods[1]["why"].startswith("happy: ") and set(record.moods[1]["shares"]) >= {"sad", "happy"}
    assert [(p["by"]) for p in record.of("pause")] == ["user", "policy"]
    assert [o["name"] for o in record.of("override")] == ["neutral", None]
    assert record.of("no_face") and record.of("face_back")
    hows = [t["how"] for t in record.tracks]
    assert hows[-1] == "session ended" and "skipped" in hows
    assert all({"title", "path", "start", "end"} <= set(t) for t in record.tracks)
    assert set(record.time_per_mood()) == {"sad", "happy"}
    text = record.path.read_text()
    assert all(json.loads(line) for line in text.splitlines())  # every line is whole
    assert "base64" not in text and len(text) < 50_000  # numbers and names, no pictures


def test_a_damaged_file_is_listed_as_damaged_and_the_others_still_open(tmp_path, data_home):
    folder = profile_dir("Anna")
    folder.mkdir(parents=True)
    good = ['{"type": "start", "t": 0, "profile": "Anna", "at": "2026-11-28T10:00:00"}',
            '{"type": "mood", "t": 1.0, "mood": "sad", "why": "sad: 80 %"}',
            '{"type": "mood", "t": 5.0, "mood": "happy", "why": "happy: 70 %"}',
            '{"type": "end", "t": 9.0}']
    (folder / "2026-11-28T10-00-00.jsonl").write_text("\n".join(good) + "\n")
    (folder / "2026-11-28T11-00-00.jsonl").write_text("\n".join(good[:3]) + '\n{"type": "mo')
    (folder / "2026-11-28T12-00-00.jsonl").write_bytes(b"\x00\xff garbage\n")
    incomplete = good[:1] + ['{"type": "mood", "t": 1}', '{"type": "track", "t": 2}'] + good[1:]
    (folder / "2026-11-28T13-00-00.jsonl").write_text("\n".join(incomplete) + "\n")
    first, truncated, garbage, partial = list_sessions("Anna")
    assert partial.damaged == "line 3 is not a session event"  # valid JSON, but not a whole event
    assert partial.summary()["time_per_mood"] == {"sad": 4.0, "happy": 4.0}  # no KeyError
    delete_session(partial)
    assert first.damaged is None and first.time_per_mood() == {"sad": 4.0, "happy": 4.0}
    assert truncated.damaged == "truncated at line 4"
    assert [m["mood"] for m in truncated.moods] == ["sad", "happy"]  # what survived still opens
    assert garbage.damaged and garbage.moods == []
    delete_session(garbage)
    assert [s.id for s in list_sessions("Anna")] == ["2026-11-28T10-00-00", "2026-11-28T11-00-00"]
    assert delete_all_sessions("Anna") == 2 and list_sessions("Anna") == []


def test_an_unwritable_data_folder_is_reported_and_the_music_goes_on(qtbot, make_app, tmp_path,
                                                                      monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    app = make_app(config=config_with(tmp_path, record=True))
    app.start()
    assert any("Session recording is off" in m for m in app.window.messages)
    assert not MainPage(app.window).recording
    feel(app.session, "happy")
    qtbot.waitUntil(lambda: app.backend.state == PLAYING, timeout=3000)
    assert app.backend.playlist.name == "happy"


def test_turning_recording_on_in_the_settings_starts_a_record(qtbot, make_app, tmp_path, data_home):
    import copy

    app = make_app(config=config_with(tmp_path, record=False))
    app.start()
    settings = copy.deepcopy(app.settings)
    settings.profile.record_sessions = True
    app.apply_settings(settings)
    assert MainPage(app.window).recording
    feel(app.session, "angry")
    settings = copy.deepcopy(app.settings)
    settings.profile.record_sessions = False
    app.apply_settings(settings)  # off: the record is closed
    assert not MainPage(app.window).recording
    [record] = list_sessions("Anna")
    assert record.ended and [m["mood"] for m in record.moods] == ["angry"]


def _limit_file_size():
    # A full disk, for this process only: writes past 1.5 kB fail (EFBIG) instead of killing it
    # (the start line and the first moods fit; a few seconds of the record do not).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1536, resource.RLIM_INFINITY))


def test_a_full_disk_stops_the_recording_and_the_app_goes_on(tmp_path, data_home):
    import subprocess
    import sys

    config = config_with(tmp_path, record=True, name="Default")
    env = os.environ.copy() | {"PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "moodplayer", "--source", "demo", "--backend", "null",
         "--config", config, "--quit-after", "15"],
        capture_output=True, text=True, timeout=180, env=env, preexec_fn=_limit_file_size)
    assert result.returncode == 0, result.stderr[-2000:]
    log = result.stderr
    assert "Session recording stopped: cannot write" in log, log[-2000:]
    after = log.split("Session recording stopped", 1)[1]
    assert "mood: " in after or "track: " in after or "playlist: " in after  # the app went on
    [record] = list_sessions("Default")
    assert record.lines[0]["type"] == "start" and record.path.stat().st_size <= 1536


def test_the_settings_dialog_checkbox_turns_recording_on(qtbot, make_app, tmp_path, data_home):
    app = make_app(config=config_with(tmp_path, record=False))
    app.start()
    dialog = app.open_settings()
    checkbox = dialog.record_sessions  # made from the setting's declaration
    assert checkbox.accessibleName() == "Record sessions" and not checkbox.isChecked()
    checkbox.click()
    qtbot.waitUntil(lambda: MainPage(app.window).recording, timeout=3000)
    dialog.reject()


def test_another_clients_profile_starts_its_own_record(qtbot, make_app, tmp_path, data_home):
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Anna": Profile(record_sessions=True),
                                             "Ben": Profile(record_sessions=True),
                                             "Cleo": Profile()}, active_profile="Anna"))
    app = make_app(config=str(config))
    app.start()
    feel(app.session, "sad")
    app.switch_profile("Ben")
    feel(app.session, "happy")
    app.switch_profile("Cleo")  # Cleo is not recorded
    assert not MainPage(app.window).recording
    feel(app.session, "angry")
    app.shutdown()
    [anna], [ben] = list_sessions("Anna"), list_sessions("Ben")
    assert anna.ended and [m["mood"] for m in anna.moods] == ["sad"]
    assert ben.ended and "angry" not in [m["mood"] for m in ben.moods]
    assert list_sessions("Cleo") == []
