"""``--config`` never moves or rewrites a file that is not a MoodPlayer settings file (issue
19): a playlist, a video, a binary, someone else's TOML or an exported profile given by
mistake is refused in one line (exit 2) and left byte for byte as it was; a settings file
that is ours but broken is still moved aside and replaced, as before."""

from __future__ import annotations

import os
import shutil

import pytest
from helpers import feat_file, moodplayer

from moodplayer.core.settings.schema import read_settings_file

# lines that are not the error: TFLite's start-up, and the engine's notice where face-api's
# nets are not converted (the tests' model folder)
NOT_ERRORS = ("INFO: Created TensorFlow", "WARNING engine ")

NOT_SETTINGS = {
    "playlist.m3u": b"#EXTM3U\n#EXTINF:120,Song\nsong.mp3\n",
    "notes.toml.txt": b"volume = 3\n",  # our content, but not a .toml name
    "binary.toml": b"\x00\x01\x02volume = 3\n",
    "latin1.toml": "volume = 3 # caf\xe9\n".encode("latin-1"),
    "pyproject.toml": b'[project]\nname = "x"\n',
    "prose.toml": b"Dear diary, today I [[ went out\n",
    "anna-export.toml": b'schema_version = 2\nprofile_name = "Anna"\n[profile]\nwindow_s = 7\n',
}
OURS = {
    "empty.toml": (b"", "data"),
    "settings.toml": (b'volume = 30\n[profiles.Anna]\nmargin = 0.2\n', "data"),
    "schema1.toml": (b'window_s = 8\n', "data"),
    "future.toml": (b'schema_version = 3\nhologram = true\n', "data"),
    "broken.toml": (b'volume = [unclosed\n', "broken"),
    "broken-table.toml": (b'[profiles.Anna\nmargin = 0.2\n', "broken"),
}


@pytest.mark.parametrize("name", sorted(NOT_SETTINGS))
def test_what_is_not_a_settings_file_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(NOT_SETTINGS[name])
    raw = read_settings_file(path)
    assert raw.refused and raw.data is None and raw.broken is None


@pytest.mark.parametrize("name", sorted(OURS))
def test_what_is_ours_is_read_or_known_broken(tmp_path, name):
    content, kind = OURS[name]
    path = tmp_path / name
    path.write_bytes(content)
    raw = read_settings_file(path)
    assert raw.refused is None and (raw.data is not None if kind == "data" else raw.broken)


def test_a_missing_file_is_made_only_under_a_toml_name(tmp_path):
    assert read_settings_file(tmp_path / "new.toml").refused is None
    assert ".toml" in read_settings_file(tmp_path / "new.m3u").refused


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if not line.startswith(NOT_ERRORS)]
    assert len(lines) == 1 and lines[0].startswith("moodplayer: error: "), stderr
    return lines[0]


@pytest.mark.parametrize("what", ["playlist", "video", "binary", "export"])
def test_run_with_a_mistaken_config_exits_2_and_leaves_the_file_untouched(tmp_path, what):
    folder = tmp_path / "mine"
    folder.mkdir()
    if what == "video":
        path = folder / "clip.mp4"
        shutil.copy(feat_file("no_face.mp4"), path)
    else:
        name = {"playlist": "playlist.m3u", "binary": "binary.toml", "export": "anna-export.toml"}[what]
        path = folder / name
        path.write_bytes(NOT_SETTINGS[name])
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    for command in (["run", "--source", "demo", "--backend", "null", "--quit-after", "1"],
                    ["sessions"], ["calibrate", "Bob", "--pictures", str(tmp_path)]):
        result = moodplayer(*command, "--config", str(path), timeout=120)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        line = one_error_line(result.stderr)
        assert str(path) in line and "left as it is" in line
        assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
        assert sorted(folder.iterdir()) == [path]  # nothing moved aside, nothing written beside
    if what == "export":
        assert "Import" in line


def test_run_with_a_config_name_that_is_not_toml_makes_no_file(tmp_path):
    result = moodplayer("run", "--source", "demo", "--backend", "null", "--quit-after", "1",
                        "--config", str(tmp_path / "playlist.m3u"), timeout=120)
    assert result.returncode == 2 and ".toml" in one_error_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_a_broken_settings_file_of_ours_is_still_moved_aside(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("volume = [unclosed\n")
    env = os.environ.copy() | {"XDG_DATA_HOME": str(tmp_path / "data")}
    result = moodplayer("run", "--source", "demo", "--backend", "null", "--quit-after", "2",
                        "--config", str(path), timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    [backup] = [p for p in tmp_path.iterdir() if ".bak-" in p.name]
    assert backup.read_text() == "volume = [unclosed\n"
    assert path.exists() and "unclosed" not in path.read_text()  # written anew at exit
