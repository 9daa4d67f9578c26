"""``--screenshot PATH`` that cannot be written: exit 2 with one line, before the app
starts (not after the whole run); a path that becomes unwritable during the run: exit 2
with one line when saving, never a silent exit 0."""

from __future__ import annotations

import shutil

import pytest
from app_process import AppProcess
from helpers import moodplayer

ERROR = "moodplayer: error: --screenshot "


@pytest.mark.parametrize("where, why", [
    ("/proc/x.png", "cannot be written"),
    ("{tmp}/no/such/folder/x.png", "cannot be written"),
    ("{tmp}", "the name must end in"),
    ("{tmp}/folder.png", "is a folder"),
    ("{tmp}/shot.txt", "the name must end in"),
])
def test_an_unwritable_screenshot_path_is_refused_before_the_app_starts(tmp_path, where, why):
    (tmp_path / "folder.png").mkdir()
    path = where.format(tmp=tmp_path)
    # --quit-after 60 with a timeout of 50: had the app started, the test would time out
    done = moodplayer("run", "--backend", "null", "--source", "demo", "--config", str(tmp_path / "s.toml"),
                      "--quit-after", "60", "--screenshot", path, timeout=50)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(ERROR + path) and why in lines[0], done.stderr
    assert not (tmp_path / "s.toml").exists() and not (tmp_path / "shot.txt").exists()


def test_a_screenshot_folder_removed_during_the_run_is_said_when_saving(tmp_path):
    folder = tmp_path / "shots"
    folder.mkdir()
    shot = folder / "x.png"
    app = AppProcess("--quit-after", "8", "--screenshot", str(shot), config=tmp_path / "s.toml")
    try:
        app.wait_for("MPRIS is off")  # the app is built; its --quit-after clock is about to start
        shutil.rmtree(folder)
        code = app.proc.wait(timeout=120)
    finally:
        app.stop()
    errors = [line for line in app.lines if line.startswith("moodplayer: error:")]
    assert code == 2 and errors == [f"moodplayer: error: the screenshot could not be saved to {shot}"], app.lines
    assert not any("Traceback" in line for line in app.lines)
