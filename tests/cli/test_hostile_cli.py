"""Hostile files met by the commands (issue 19), as real processes: a FIFO as the settings
file, hand-edited records with NaN, a number for a mood, a time of 1e300."""

from __future__ import annotations

import os

import pytest
from helpers import moodplayer, profile_with_record


@pytest.fixture
def env(tmp_path):
    return os.environ.copy() | {"XDG_DATA_HOME": str(tmp_path / "data")}


def test_a_fifo_as_the_settings_file_does_not_hang_sessions(tmp_path, env):
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    result = moodplayer("sessions", "--config", str(fifo), timeout=60, env=env)
    assert "named pipe" in result.stderr and "Traceback" not in result.stderr
    assert fifo.is_fifo()


@pytest.mark.parametrize("line", [
    '{"type": "mood", "t": 1e300, "mood": "sad", "why": "a hand edit"}',
    '{"type": "mood", "t": NaN, "mood": "sad"}',
    '{"type": "mood", "t": 3, "mood": 123}',
    '{"type": "track", "t": 3, "title": ["x"], "path": "/a.mp3"}',
])
def test_sessions_and_report_read_a_hand_edited_record_as_damaged(tmp_path, env, line):
    config = profile_with_record(
        tmp_path, '{"type": "mood", "t": 1.0, "mood": "happy", "why": "happy: 70 %"}', line)
    listed = moodplayer("sessions", "--config", str(config), timeout=60, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "damaged: line 3 is not a session event" in listed.stdout
    out = tmp_path / "report.html"
    # a time of 1e300 once drew 10^297 grid lines: report spun for ten minutes and more
    made = moodplayer("report", "--out", str(out), "--config", str(config), timeout=120, env=env)
    assert made.returncode == 0, made.stderr
    html = out.read_text(encoding="utf-8")
    assert "This record is damaged (line 3 is not a session event)" in html and "happy" in html


@pytest.mark.parametrize("out, said", [
    ("afile:{tmp}/no/such/folder/x.wav", "does not exist"),  # libvlc would write nothing, silently
    ("clock:{tmp}", "is a folder"),
    ("afile:{tmp}/out.fifo", "is not a regular file"),  # libvlc blocked on it, SIGTERM too
    ("clock:{tmp}/out.fifo", "is not a regular file"),
])
def test_an_audio_output_that_cannot_be_written_is_one_line_before_the_window(tmp_path, env, out, said):
    os.mkfifo(tmp_path / "out.fifo")
    result = moodplayer("run", "--audio-out", out.format(tmp=tmp_path), "--quit-after", "1",
                        "--config", str(tmp_path / "s.toml"), timeout=60, env=env)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr

