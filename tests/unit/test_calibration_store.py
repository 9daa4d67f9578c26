"""A profile's calibration on disk: round trip, damage reported, numbers only."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from moodplayer.core.calibration import store
from moodplayer.core.calibration.model import fit


@pytest.fixture()
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def a_calibration():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(7), size=2)
    return fit([("neutral", p[0], rng.normal(size=16)), ("happy", p[1], rng.normal(size=16))])


def test_round_trip_in_the_data_folder(data_home):
    cal = a_calibration()
    path = store.save("Anna / living room", cal)
    assert path.parent == data_home / "moodplayer" / "calibrations"
    assert path.name.startswith("Anna_living_room-") and path.suffix == ".json"
    back, problem = store.load("Anna / living room")
    assert problem is None and back.labels == cal.labels
    reading = np.full(7, 1 / 7)
    assert np.allclose(back.apply(reading), cal.apply(reading), atol=1e-5)
    # names that slug alike are still different files
    assert store.calibration_path("Anna B") != store.calibration_path("Anna_B")
    assert store.load("someone else") == (None, None)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert store.delete("Anna / living room") is True
    assert store.load("Anna / living room") == (None, None)
    assert store.delete("Anna / living room") is False


def test_file_holds_json_numbers_only(data_home):
    path = store.save("me", a_calibration())
    raw = path.read_bytes()
    data = json.loads(raw.decode("utf-8"))  # text JSON, not a picture
    assert set(data) == {"profile", "calibration"} and data["profile"] == "me"

    def leaves(x):
        if isinstance(x, dict):
            for v in x.values():
                yield from leaves(v)
        elif isinstance(x, list):
            for v in x:
                yield from leaves(v)
        else:
            yield x
    assert all(isinstance(v, (int, float)) for v in leaves(data["calibration"]))
    assert len(raw) < 20_000  # a few vectors, not an image


@pytest.mark.parametrize("content, why", [
    (b"{ not json", "cannot be read"),
    (b"\xff\xd8\xff\xe0 a jpeg", "cannot be read"),
    (json.dumps({"profile": "me", "calibration": {"version": 1, "labels": {"happy": {}}}}).encode(),
     "damaged"),
    (json.dumps({"profile": "other", "calibration": {}}).encode(), "not the calibration of"),
    (b"[]", "not the calibration of"),
])
def test_damaged_file_is_reported_and_ignored(data_home, content, why):
    path = store.save("me", a_calibration())
    path.write_bytes(content)
    cal, problem = store.load("me")
    assert cal is None and why in problem and str(path) in problem


def test_empty_profile_name_is_refused(data_home):
    with pytest.raises(ValueError, match="empty"):
        store.save("  ", a_calibration())


def test_failed_write_keeps_the_old_file(data_home, monkeypatch):
    store.save("me", a_calibration())

    def broken_fsync(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        store.save("me", fit([("neutral", np.full(7, 1 / 7))]))
    cal, problem = store.load("me")
    assert problem is None and cal.labels == ["happy", "neutral"]
    assert len(list(store.calibrations_dir().iterdir())) == 1
