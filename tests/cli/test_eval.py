"""``moodplayer eval`` on a tiny labelled set built here from package-shipped faces."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import ASTRONAUT, feat_file, moodplayer

from moodplayer.core.emotions import EMOTIONS
from moodplayer.dev.face_clips import ANGRY_STILL, HAPPY_STILL, SURPRISE_STILL
from moodplayer.dev.metrics import score

DISGUST_STILL = "45-m7-di-ph.jpg"


def build_set(root: Path) -> Path:
    pictures = {
        "happy": [ASTRONAUT, feat_file(HAPPY_STILL)],
        "surprise": [feat_file(SURPRISE_STILL)],
        "angry": [feat_file(ANGRY_STILL)],
        "disgust": [feat_file(DISGUST_STILL)],
        "neutral": [feat_file("no_face.mp4")],  # not a picture: counted, skipped
        "contempt": [feat_file(HAPPY_STILL)],  # not one of the seven: counted, skipped
    }
    for label, files in pictures.items():
        (root / label).mkdir(parents=True)
        for f in files:
            shutil.copy(f, root / label / f.name)
    (root / "sad").mkdir()
    (root / "sad" / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")  # unreadable
    return root


def check_adds_up(out: dict, n: int) -> None:
    assert out["n"] == n
    assert sum(map(sum, out["confusion"])) == n
    assert sum(row["n"] for row in out["per_class"].values()) == n
    diagonal = sum(out["confusion"][i][i] for i in range(len(out["labels"])))
    assert out["accuracy"] == pytest.approx(diagonal / n, abs=1e-4)
    assert out["no_face"] == sum(row[-1] for row in out["confusion"])
    assert out["confusion_columns"][-1] == "no_face" and out["labels"] == out["confusion_columns"][:-1]


def test_eval_json_fields_exist_and_add_up(tmp_path):
    root = build_set(tmp_path / "set")
    result = moodplayer("eval", str(root), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for key in ("n", "no_face", "accuracy", "accuracy_on_faces", "macro_f1", "per_class",
                "confusion", "labels", "images_per_s", "engine", "detector", "skipped"):
        assert key in out, key
    check_adds_up(out, 5)
    assert out["skipped"] == {"not an image": 1, "unknown label": 1, "unreadable image": 1}
    assert set(out["per_class"]["happy"]) == {"n", "recall", "precision"}
    assert out["per_class"]["happy"]["n"] == 2 and out["per_class"]["happy"]["recall"] == 1.0
    assert out["confusion"][out["labels"].index("surprise")][out["labels"].index("surprise")] == 1
    assert "groups" not in out  # no group column in a folder layout
    assert out["engine"].startswith("fer") and out["detector"].startswith("opencv")


def test_eval_csv_with_groups_and_readable_table(tmp_path):
    root = build_set(tmp_path / "set")
    csv = tmp_path / "labels.csv"
    csv.write_text("path,label,group\n"
                   f"set/happy/{ASTRONAUT.name},happy,photo\n"
                   f"set/happy/{HAPPY_STILL},happy,posed\n"
                   f"set/surprise/{SURPRISE_STILL},surprise,posed\n"
                   "set/angry/missing.jpg,angry,posed\n"
                   "a line without a label\n")
    out = json.loads(moodplayer("eval", str(root), "--labels", str(csv), "--json").stdout)
    check_adds_up(out, 3)
    assert out["skipped"] == {"unreadable image": 1, "bad CSV line": 1}
    assert out["groups"]["accuracy"] == {"photo": {"n": 1, "accuracy": 1.0},
                                         "posed": {"n": 2, "accuracy": 1.0}}
    table = moodplayer("eval", str(root), "--labels", str(csv))
    assert table.returncode == 0
    assert "accuracy" in table.stdout and "confusion" in table.stdout and "posed" in table.stdout


def test_eval_no_detect_reads_crops(tmp_path):
    """--no-detect: the pictures are face crops already; the network reads the whole picture."""
    import cv2

    image = cv2.imread(str(feat_file(HAPPY_STILL)))
    (tmp_path / "happy").mkdir()
    cv2.imwrite(str(tmp_path / "happy" / "crop.png"), cv2.resize(image[90:430, 90:430], (60, 60)))
    out = json.loads(moodplayer("eval", str(tmp_path), "--no-detect", "--json").stdout)
    assert out["n"] == 1 and out["no_face"] == 0 and out["detector"] == "none"


@pytest.mark.parametrize("args,message", [(("/no/such/folder",), "not a folder"),
                                          (("{tmp}", "--labels", "{tmp}/x.csv"), "cannot read")])
def test_eval_bad_dataset_is_a_message(tmp_path, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    result = moodplayer("eval", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_scores_by_hand():
    out = score(["happy", "happy", "sad", "angry"], ["happy", None, "happy", "angry"],
                groups=["a", "a", "b", "b"])
    assert out["accuracy"] == 0.5 and out["no_face"] == 1 and out["accuracy_on_faces"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["per_class"]["happy"] == {"n": 2, "recall": 0.5, "precision": 0.5}
    assert out["per_class"]["sad"] == {"n": 1, "recall": 0.0, "precision": None}
    assert out["per_class"]["fear"]["n"] == 0
    assert out["groups"]["accuracy"]["a"] == {"n": 2, "accuracy": 0.5}
    # macro F1 over the classes present: happy 0.5, sad 0, angry 1
    assert out["macro_f1"] == pytest.approx(0.5, abs=1e-4)


def test_eval_per_person_fields_add_up(tmp_path):
    """Two "people" made of package stills: K=1 of each label calibrates, the rest is scored
    three ways on the same pictures; a person without a usable neutral is scored as the
    network reads them, and says why."""
    stills = {"neutral": "single_face.jpg", "happy": HAPPY_STILL, "angry": ANGRY_STILL,
              "surprise": SURPRISE_STILL}
    rows = ["path,label,group"]
    (tmp_path / "p").mkdir()
    for person in ("ann", "bob"):
        for label, still in stills.items():
            for copy in range(2 if label != "neutral" else 3):
                name = f"{person}-{label}-{copy}.jpg"
                shutil.copy(feat_file(still), tmp_path / "p" / name)
                rows.append(f"p/{name},{label},{person}")
    # cid has no face on his neutral picture: no calibration can be made for him
    shutil.copy(feat_file("BWPictureHuman.jpg"), tmp_path / "p" / "cid-neutral.jpg")
    shutil.copy(feat_file(HAPPY_STILL), tmp_path / "p" / "cid-happy-0.jpg")
    shutil.copy(feat_file(HAPPY_STILL), tmp_path / "p" / "cid-happy-1.jpg")
    rows += ["p/cid-neutral.jpg,neutral,cid", "p/cid-happy-0.jpg,happy,cid", "p/cid-happy-1.jpg,happy,cid"]
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")

    result = moodplayer("eval", str(tmp_path), "--per-person", "1", "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    check_adds_up(out, 2 * 9 + 3)  # the plain evaluation is still there, on every picture
    pp = out["per_person"]
    assert pp["k"] == 1 and pp["persons"] == 3
    # one picture of each label per person calibrates: ann and bob 9 - 4, cid 3 - 2
    assert pp["test_n"] == 5 + 5 + 1 == sum(g["test_n"] for g in pp["per_group"])
    assert [g["group"] for g in pp["per_group"]] == ["ann", "bob", "cid"]
    for way in ("uncalibrated", "neutral_only", "calibrated"):
        assert set(pp[way]) == {"accuracy", "macro_f1", "recall"}
        assert set(pp[way]["recall"]) == set(EMOTIONS)
        right = sum(g[way]["accuracy"] * g["test_n"] for g in pp["per_group"])
        assert pp[way]["accuracy"] == pytest.approx(right / pp["test_n"], abs=1e-3)
    cid = pp["per_group"][2]
    assert "neutral" in cid["problem"]
    assert cid["calibrated"] == cid["neutral_only"] == cid["uncalibrated"]
    # the resting face reads happy to the network; once calibrated it is neutral
    ann = pp["per_group"][0]
    assert ann["calibrated"]["accuracy"] > ann["uncalibrated"]["accuracy"]

    table = moodplayer("eval", str(tmp_path), "--per-person", "1", "--quiet")
    assert table.returncode == 0 and "per person (K = 1" in table.stdout and "neutral_only" in table.stdout
    bad = moodplayer("eval", str(tmp_path), "--per-person", "0", timeout=60)
    assert bad.returncode == 2 and "--per-person needs K >= 1" in bad.stderr


def build_people(root: Path) -> Path:
    """Three people of the packages, two pictures each (the picture and its mirror image,
    made here in the temporary folder): a path,label,group CSV."""
    import cv2

    root.mkdir(parents=True, exist_ok=True)
    rows = ["path,label,group"]
    for group, source, label in [("astronaut", ASTRONAUT, "happy"),
                                 ("hao", feat_file(HAPPY_STILL), "happy"),
                                 ("anc", feat_file(ANGRY_STILL), "angry")]:
        image = cv2.imread(str(source))
        for side, picture in (("a", image), ("b", image[:, ::-1])):
            name = f"{group}-{side}.png"
            cv2.imwrite(str(root / name), picture)
            rows.append(f"{name},{label},{group}")
    (root / "labels.csv").write_text("\n".join(rows) + "\n")
    return root


def test_eval_identify_adds_the_recognition_of_enrolled_people(tmp_path):
    import os

    if not (Path(os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"]) / "faceapi" / "face_recognition.npz").is_file():
        pytest.skip("face-api's nets are not converted: run 'make setup'")
    root = build_people(tmp_path / "people")
    env = dict(os.environ, DEEPFACE_HOME=os.environ["MOODPLAYER_SETUP_DEEPFACE_HOME"])
    result = moodplayer("eval", str(root), "--identify", "1", "--json", "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    identify = json.loads(result.stdout)["identify"]
    assert {"k", "n", "accuracy", "strangers_accepted"} <= set(identify)
    assert identify["k"] == 1 and identify["n"] == 3 and identify["no_face"] == 0
    assert identify["accuracy"] == 1.0  # a mirror image is the same person
    assert identify["strangers_accepted"] <= 1 / 6


def test_eval_identify_without_groups_is_one_line(tmp_path):
    root = build_set(tmp_path / "set")
    result = moodplayer("eval", str(root), "--identify", "1", "--json", "--quiet")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "--identify needs a group (person) per picture" in line
