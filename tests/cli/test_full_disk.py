"""A full disk (issue 19), on a real small file system (tmpfs): a report or a profile
export that cannot be written keeps the old file whole and leaves no other file; the
failure is one line."""

from __future__ import annotations

import os

import pytest
from helpers import fill_up, moodplayer, profile_with_record, small_disk

OLD = "the old report, kept\n"


@pytest.fixture
def recorded(tmp_path):
    env = os.environ.copy() | {"XDG_DATA_HOME": str(tmp_path / "data")}
    config = profile_with_record(
        tmp_path, '{"type": "mood", "t": 1.0, "mood": "sad", "why": "sad: 80 %"}',
        '{"type": "mood", "t": 30.0, "mood": "happy", "why": "happy: 70 %"}')
    return config, env


@pytest.mark.parametrize("suffix", [".html", ".pdf"])
def test_a_report_on_a_full_disk_keeps_the_old_file_whole(tmp_path, recorded, suffix):
    config, env = recorded
    with small_disk(tmp_path / "disk", "128k") as disk:
        out = disk / f"report{suffix}"
        out.write_text(OLD)
        filler = fill_up(disk)
        result = moodplayer("report", "--out", str(out), "--config", str(config), timeout=120, env=env)
        assert out.read_text() == OLD  # not truncated to 0 bytes (nor to half a PDF)
        assert result.returncode == 2, result.stdout + result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("moodplayer: error: cannot write") and "the old report is kept" in line
        assert sorted(disk.iterdir()) == sorted([out, filler])  # no temporary file left
        filler.unlink()  # room again: the same command now writes the report
        made = moodplayer("report", "--out", str(out), "--config", str(config), timeout=120, env=env)
        assert made.returncode == 0, made.stderr
        assert out.read_bytes()[:5] == (b"%PDF-" if suffix == ".pdf" else b"<html")
        assert sorted(disk.iterdir()) == [out]
