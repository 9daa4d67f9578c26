"""moodplayer [run] [options] FILE|FOLDER|PLAYLIST …, and the .desktop file that makes
"Open with MoodPlayer" call it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import moodplayer, write_tone

REPO = Path(__file__).resolve().parents[2]
DESKTOP = REPO / "resources" / "moodplayer.desktop"


@pytest.mark.parametrize("make, words", [
    (lambda t: str(t / "no such song.mp3"), "no such song.mp3: not found"),
    (lambda t: (t / "notes.txt").write_text("x") and str(t / "notes.txt"), "notes.txt: not music"),
    (lambda t: "https://radio.example/live.mp3", "only local files can be opened"),
])
def test_what_cannot_be_opened_stops_with_one_line(tmp_path, make, words):
    result = moodplayer(make(tmp_path), "--backend", "null", "--config", str(tmp_path / "s.toml"), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("moodplayer: error: cannot open") and words in lines[0]
    assert not (tmp_path / "s.toml").exists()  # stopped before anything started


def test_a_file_uri_is_opened_as_the_users_pick(tmp_path):
    song = write_tone(tmp_path / "Mes chansons" / "chanson été.wav", 5.0)
    result = moodplayer("run", "--backend", "null", "--source", "demo", "--config", str(tmp_path / "s.toml"),
                        "--quit-after", "2", "file://" + quote(str(song)), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "opened chanson été: 1 tracks" in result.stderr
    assert "you opened chanson été → playlist chanson été" in result.stderr


def test_run_help_names_the_paths():
    result = moodplayer("run", "--help", timeout=60)
    assert result.returncode == 0 and "FILE|FOLDER|PLAYLIST" in result.stdout


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-utils is installed by make setup")
def test_the_desktop_file_is_valid_and_opens_music_with_uris():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    entry = dict(line.split("=", 1) for line in DESKTOP.read_text().splitlines() if "=" in line)
    assert entry["Exec"] == "moodplayer %U"
    types = entry["MimeType"].split(";")
    for mime in ("audio/mpeg", "audio/flac", "audio/ogg", "audio/x-mpegurl", "audio/x-scpls",
                 "application/xspf+xml", "inode/directory"):
        assert mime in types
