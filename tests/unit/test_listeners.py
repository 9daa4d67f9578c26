"""Enrolled listeners, Qt-free: an enrolment (numbers only), its store, matching one face
against the enrolled profiles, and the tracker that decides who is listening. Fake
descriptors: points on a 128-d sphere, a person's faces scattered around their own."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moodplayer.core.listeners import store
from moodplayer.core.listeners.enrolment import DESCRIPTOR_SIZE, MAX_KEPT, Enrolment, EnrolmentError, enrol
from moodplayer.core.listeners.matching import distances, identify
from moodplayer.core.listeners.tracker import ListenerTracker
from moodplayer.dev.identify import identify_eval


def person(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DESCRIPTOR_SIZE)
    return v / np.linalg.norm(v) * 0.5  # people lie ~0.7 apart


def faces_of(centre: np.ndarray, n: int, spread: float = 0.02, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [centre + rng.normal(scale=spread, size=DESCRIPTOR_SIZE) for _ in range(n)]


@pytest.fixture()
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


# -- the enrolment -------------------------------------------------------------------------

def test_enrolment_keeps_a_few_spread_faces_and_their_mean():
    anna = person(1)
    faces = faces_of(anna, 40)
    e = enrol("Anna", faces)
    assert e.count == 40 and len(e.descriptors) == MAX_KEPT
    assert np.allclose(e.mean, np.mean(faces, axis=0))
    assert e.matrix().shape == (MAX_KEPT + 1, DESCRIPTOR_SIZE)
    # one face: that face, and it is the mean
    one = enrol("Anna", faces[:1])
    assert one.count == 1 and np.allclose(one.descriptors[0], faces[0]) and np.allclose(one.mean, faces[0])
    # the same face twice is kept once
    assert len(enrol("Anna", [faces[0], faces[0]]).descriptors) == 1
    # a smile and a frown are both kept: the farthest face is among the kept ones
    frown = anna + 0.3 * person(9)
    e = enrol("Anna", faces_of(anna, 20) + [frown])
    assert any(np.allclose(d, frown) for d in e.descriptors)


def test_enrolment_round_trip_and_refusals():
    e = enrol("Anna", faces_of(person(1), 5))
    back = Enrolment.from_dict(json.loads(json.dumps(e.to_dict())), profile="Anna")
    assert back.count == 5 and back.model == e.model
    assert np.allclose(back.matrix(), e.matrix(), atol=1e-6)
    with pytest.raises(EnrolmentError):
        enrol("Anna", [])
    with pytest.raises(EnrolmentError):
        enrol(" ", faces_of(person(1), 1))
    with pytest.raises(EnrolmentError):
        enrol("Anna", [np.zeros(64)])
    with pytest.raises(EnrolmentError):
        enrol("Anna", [np.full(DESCRIPTOR_SIZE, np.nan)])
    good = e.to_dict()
    for damage in ({"format": 99}, {"model": ""}, {"count": 0}, {"count": True}, {"descriptors": []},
                   {"descriptors": [[0.0] * 5]}, {"mean": ["x"] * DESCRIPTOR_SIZE},
                   {"descriptors": good["descriptors"] * 3}):
        with pytest.raises(EnrolmentError):
            Enrolment.from_dict({**good, **damage})
    with pytest.raises(EnrolmentError):
        Enrolment.from_dict([1, 2])


# -- the store -----------------------------------------------------------------------------

def test_store_beside_the_calibrations_numbers_only(data_home):
    e = enrol("Anna / living room", faces_of(person(1), 3))
    path = store.save("Anna / living room", e)
    assert path.parent == data_home / "moodplayer" / "listeners"
    assert path.name.startswith("Anna_living_room-") and path.suffix == ".json"
    assert store.enrolment_path("Anna B") != store.enrolment_path("Anna_B")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"profile", "enrolment"} and data["profile"] == "Anna / living room"
    numbers = data["enrolment"]["descriptors"] + [data["enrolment"]["mean"]]
    assert all(isinstance(v, float) for row in numbers for v in row)
    back, problem = store.load("Anna / living room")
    assert problem is None and back.profile == "Anna / living room" and back.count == 3
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert store.load("someone else") == (None, None)
    assert store.delete("Anna / living room") is True
    assert store.load("Anna / living room") == (None, None)
    assert store.delete("Anna / living room") is False


def test_damaged_file_is_said_and_ignored(data_home):
    path = store.save("Anna", enrol("Anna", faces_of(person(1), 2)))
    store.save("Ben", enrol("Ben", faces_of(person(2), 2)))
    for text in ("{not json", json.dumps({"profile": "Ben", "enrolment": {}}),
                 json.dumps({"profile": "Anna", "enrolment": {"format": 1}}), "\xff"):
        path.write_text(text, encoding="utf-8")
        enrolment, problem = store.load("Anna")
        assert enrolment is None and str(path) in problem and "ignored" in problem
        found, problems = store.load_all(["Anna", "Ben", "Carl"])
        assert [e.profile for e in found] == ["Ben"] and len(problems) == 1


def test_rename_and_duplicate_carry_the_face(data_home):
    store.save("Anna", enrol("Anna", faces_of(person(1), 2)))
    assert store.copy("Anna", "Anna 2") is True
    assert store.move("Anna", "Anne") is True
    assert store.load("Anna") == (None, None)
    assert store.load("Anne")[0].profile == "Anne" and store.load("Anna 2")[0].profile == "Anna 2"
    assert store.move("nobody", "x") is False and store.copy("nobody", "x") is False
    assert store.load("x") == (None, None)


def test_a_failed_write_keeps_the_old_file(data_home, monkeypatch):
    store.save("Anna", enrol("Anna", faces_of(person(1), 2)))

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("moodplayer.core.files.atomic.os.fsync", full_disk)
    with pytest.raises(OSError):
        store.save("Anna", enrol("Anna", faces_of(person(1), 7)))
    back, problem = store.load("Anna")
    assert problem is None and back.count == 2
    assert len(list(store.enrolments_dir().iterdir())) == 1


# -- matching ------------------------------------------------------------------------------

def test_matching_finds_the_nearest_enrolled_profile_within_the_threshold():
    anna, ben, stranger = person(1), person(2), person(3)
    enrolled = [enrol("Anna", faces_of(anna, 3, seed=1)), enrol("Ben", faces_of(ben, 3, seed=2))]
    face = faces_of(anna, 1, seed=7)[0]
    match = identify(face, enrolled, threshold=0.5)
    assert match is not None and match.profile == "Anna" and match.distance < 0.5
    assert identify(faces_of(ben, 1, seed=8)[0], enrolled, 0.5).profile == "Ben"
    assert identify(stranger, enrolled, 0.5) is None  # unknown = None
    assert identify(face, [], 0.5) is None
    d = distances(face, enrolled)
    assert set(d) == {"Anna", "Ben"} and d["Anna"] < d["Ben"]
    # a descriptor of another net is never compared
    assert identify(face, enrolled, 0.5, model="another-net") is None
    with pytest.raises(ValueError):
        identify(face, enrolled, 0.0)
    with pytest.raises(ValueError):
        identify(face[:10], enrolled)


def test_identify_eval_counts_right_answers_and_strangers():
    faces = []
    for g in range(4):
        faces += [(f"p{g}", f) for f in faces_of(person(g), 6, seed=g)]
    faces.append(("p0", None))  # a picture without a face
    result = identify_eval(faces, k=1, threshold=0.5, rounds=3)
    assert result["k"] == 1 and result["n"] == 4 * 5 and result["no_face"] == 1
    assert result["accuracy"] == 1.0 and result["strangers_accepted"] == 0.0
    # a threshold that accepts everyone: every stranger accepted, and still the nearest wins
    loose = identify_eval(faces, k=2, threshold=10.0, rounds=2)
    assert loose["accuracy"] == 1.0 and loose["strangers_accepted"] == 1.0 and loose["n"] == 16
    with pytest.raises(ValueError):
        identify_eval(faces, k=6)  # nobody has more than 6 faces found
    with pytest.raises(ValueError):
        identify_eval(faces, k=0)


# -- who is listening ----------------------------------------------------------------------

def feed(tracker, t0, answers, step=1.0):
    """Push answers one a second ("-" = no face); return the changes."""
    changes = []
    for i, a in enumerate(answers):
        change = tracker.push(t0 + i * step, None if a in ("?", "-") else a, face=a != "-")
        if change is not None:
            changes.append(change)
    return changes


def test_the_active_profiles_person_is_recognised_and_keeps_the_calibration():
    tracker = ListenerTracker("Anna", enrolled={"Anna", "Ben"})
    assert not tracker.calibration_applies  # enrolled: not before the face is recognised
    changes = feed(tracker, 0, ["Anna", "Anna", "Anna"])
    assert [(c.profile, c.switch_to) for c in changes] == [("Anna", None)]
    assert "Anna recognised" in changes[0].why and tracker.calibration_applies
    # one odd identification moves nothing
    assert feed(tracker, 3, ["Ben", "?", "Anna", "Anna", "Ben", "Anna"]) == []
    assert tracker.listener == "Anna" and tracker.calibration_applies


def test_a_known_other_listener_seen_for_a_few_seconds_is_a_switch_proposal():
    tracker = ListenerTracker("Anna", enrolled={"Anna", "Ben"})
    feed(tracker, 0, ["Anna"] * 5)
    changes = feed(tracker, 5, ["Ben", "Ben"])
    assert changes == [] and tracker.listener == "Anna"
    changes = feed(tracker, 7, ["Ben", "Ben"])
    assert len(changes) == 1
    change = changes[0]
    assert (change.profile, change.previous, change.switch_to) == ("Ben", "Anna", "Ben")
    assert change.t == 7 and "switch to profile Ben" in change.why
    assert not tracker.calibration_applies  # Anna's calibration is not Ben's
    tracker.set_active("Ben")  # the app switched
    assert tracker.switch_to is None and tracker.calibration_applies


def test_a_refused_switch_is_not_proposed_again_until_someone_else():
    tracker = ListenerTracker("Anna", enrolled={"Anna", "Ben"})
    feed(tracker, 0, ["Ben"] * 3)
    assert tracker.switch_to == "Ben"
    tracker.decline()
    assert tracker.switch_to is None and not tracker.calibration_applies
    assert feed(tracker, 3, ["Ben"] * 5) == []
    feed(tracker, 8, ["Anna"] * 4)
    changes = feed(tracker, 12, ["Ben"] * 4)
    assert changes and changes[0].switch_to == "Ben"


def test_a_stranger_keeps_the_profile_without_its_calibration():
    tracker = ListenerTracker("Anna", enrolled={"Anna", "Ben"})
    feed(tracker, 0, ["Anna"] * 4)
    changes = feed(tracker, 4, ["?"] * 4)
    assert [(c.profile, c.switch_to) for c in changes] == [(None, None)]
    assert "nobody enrolled" in changes[0].why and "not applied" in changes[0].why
    assert tracker.active == "Anna" and not tracker.calibration_applies
    # a profile that is not enrolled cannot be told from a stranger: its calibration applies
    carl = ListenerTracker("Carl", enrolled={"Anna"})
    assert carl.calibration_applies
    feed(carl, 0, ["?"] * 4)
    assert carl.listener is None and carl.calibration_applies
    feed(carl, 4, ["Anna"] * 4)
    assert carl.switch_to == "Anna" and not carl.calibration_applies


def test_after_a_long_absence_the_next_face_is_identified_afresh():
    tracker = ListenerTracker("Anna", enrolled={"Anna"}, absent_s=10)
    feed(tracker, 0, ["Anna"] * 3)
    feed(tracker, 3, ["-"] * 5)
    assert tracker.decided and tracker.calibration_applies  # a short look away
    feed(tracker, 8, ["-"] * 8)
    assert not tracker.decided and not tracker.calibration_applies
    changes = feed(tracker, 16, ["?"] * 3)
    assert [c.profile for c in changes] == [None] and changes[0].previous is None


def test_forgetting_a_face_makes_its_person_unknown():
    tracker = ListenerTracker("Anna", enrolled={"Anna", "Ben"})
    feed(tracker, 0, ["Ben"] * 3)
    tracker.set_active("Anna", enrolled={"Anna"})  # Ben's face was forgotten
    assert not tracker.decided
    with pytest.raises(ValueError):
        tracker.push(4, "Ben")
    with pytest.raises(ValueError):
        ListenerTracker("Anna", share=0.4)


# -- the profile's life cycle carries the face ---------------------------------------------

def test_the_profile_life_cycle_carries_the_enrolled_face(data_home, tmp_path):
    from moodplayer.core.settings import lifecycle, profiles
    from moodplayer.core.settings.schema import Settings

    settings = Settings()
    profiles.add_profile(settings, "Anna")
    store.save("Anna", enrol("Anna", faces_of(person(1), 3)))
    lifecycle.rename(settings, "Anna", "Anne")
    assert store.load("Anna") == (None, None) and store.load("Anne")[0].count == 3
    lifecycle.duplicate(settings, "Anne", "Anne 2")
    assert store.load("Anne 2")[0].profile == "Anne 2"
    exported = tmp_path / "anne.toml"
    lifecycle.export(settings, "Anne", exported)
    assert "[enrolment]" in exported.read_text()
    lifecycle.delete(settings, "Anne")
    assert store.load("Anne") == (None, None)
    imported = lifecycle.import_into(settings, exported)
    assert imported.problems == [] and settings.active_profile == "Anne"
    back = store.load("Anne")[0]
    assert back is not None and back.count == 3 and back.profile == "Anne"
    assert np.allclose(back.mean, store.load("Anne 2")[0].mean, atol=1e-6)
    # a second import of the same file gets a free name, and the face goes with that name
    again = lifecycle.import_into(settings, exported)
    assert again.problems == [] and store.load(settings.active_profile)[0].profile == settings.active_profile
    # a damaged face in the file: imported without it, said
    exported.write_text(exported.read_text().replace("format = 1", "format = 9"))
    third = lifecycle.import_into(settings, exported)
    assert any("enrolled face" in p and "imported without it" in p for p in third.problems)
    assert store.load(settings.active_profile) == (None, None)


def test_enrolling_from_the_camera_takes_one_face_and_says_why_not():
    from moodplayer.core.listeners.enrolment import SeenFace, enrol_from_frames

    ann = [tuple(d) for d in faces_of(person(1), 6)]
    made = enrol_from_frames("Ann", [SeenFace(d, 1) for d in ann] + [SeenFace(None, 0)])
    assert made.count == 6 and made.profile == "Ann"
    with pytest.raises(EnrolmentError, match="no face was seen in 3 frames"):
        enrol_from_frames("Ann", [SeenFace(None, 0)] * 3)
    with pytest.raises(EnrolmentError, match="several faces were seen .2 of 6 frames"):
        enrol_from_frames("Ann", [SeenFace(d, 2 if i < 2 else 1) for i, d in enumerate(ann)])
    with pytest.raises(EnrolmentError, match="only 2 clear faces"):
        enrol_from_frames("Ann", [SeenFace(d, 1) for d in ann[:2]] + [SeenFace(None, 0)] * 4)
    one_odd = [SeenFace(d, 1) for d in ann] * 2 + [SeenFace(ann[0], 2)]  # a passer-by, once
    assert enrol_from_frames("Ann", one_odd).count == 12


def test_a_hand_edited_or_odd_enrolment_file_never_blocks_or_raises(data_home):
    """A FIFO under the file's name (the app would hang at start), [[[[...]]]] thousands
    deep (RecursionError), a Notepad BOM with CRLF (read), a value no descriptor holds."""
    import os

    path = store.save("Anna", enrol("Anna", faces_of(person(1), 2)))
    good = path.read_text(encoding="utf-8")
    path.write_bytes(("\ufeff" + good.replace("\n", "\r\n")).encode("utf-8"))
    assert store.load("Anna")[0] is not None
    data = json.loads(good)
    data["enrolment"]["mean"] = [1e308] * DESCRIPTOR_SIZE
    huge = json.loads(good)
    huge["enrolment"]["descriptors"][0][0] = 10**400
    for text in ("[" * 100_000 + "]" * 100_000, json.dumps(data), json.dumps(huge)):
        path.write_text(text, encoding="utf-8")
        enrolment, problem = store.load("Anna")
        assert enrolment is None and str(path) in problem and "ignored" in problem
    path.unlink()
    os.mkfifo(path)
    enrolment, problem = store.load("Anna")
    assert enrolment is None and "named pipe" in problem
