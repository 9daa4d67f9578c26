"""The active profile's calibration in the running app: applied to the analysis, shown,
forgotten, and carried with the profile (rename, duplicate, delete, export, import)."""

from __future__ import annotations

import numpy as np
import pytest
import tomllib
from pages import MainPage

from moodplayer.core.calibration import store as calibration_store
from moodplayer.core.calibration.model import fit
from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.records import record


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path, monkeypatch):
    """Calibrations of these tests live in their own data folder, whatever happens."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def a_calibration():
    rng = np.random.default_rng(0)

    def scores(label):
        s = np.full(len(EMOTIONS), 0.02) + rng.random(len(EMOTIONS)) * 0.01
        s[EMOTIONS.index(label)] = 0.8
        return s / s.sum()

    return fit([(label, scores(label), rng.random(128)) for label in ("neutral", "happy", "sad")])


def test_the_profiles_calibration_reaches_the_analysis_and_can_be_forgotten(qtbot, make_app):
    calibration_store.save("Default", a_calibration())
    app = make_app()
    assert app.analysis.calibration is not None
    page = MainPage(app.window)
    assert "calibrated" in page.calibration_state.text() and "not" not in page.calibration_state.text()
    assert page.profile_action("forget_calibration").isEnabled()
    page.profile_action("forget_calibration").trigger()
    assert app.analysis.calibration is None
    assert "not calibrated" in page.calibration_state.text()
    assert calibration_store.load("Default") == (None, None)  # gone from the data folder


def test_a_damaged_calibration_is_said_and_the_app_runs_uncalibrated(qtbot, make_app):
    path = calibration_store.save("Default", a_calibration())
    path.write_text('{"profile": "Default", "calibration": {"version": 1, "labels": {"happy": 3}}}')
    app = make_app()
    assert app.analysis.calibration is None
    assert any("Calibration:" in m and "ignored" in m for m in app.window.messages)


def test_the_calibration_goes_with_the_profile(qtbot, tmp_path, make_app):
    calibration_store.save("Default", a_calibration())
    records = record.profile_dir("Default")
    records.mkdir(parents=True)
    (records / "2026-11-28T10-00-00.jsonl").write_text('{"type": "start", "t": 0}\n')
    app = make_app()
    app.profile_command("rename", name="Anna")
    assert calibration_store.load("Anna")[0] is not None and calibration_store.load("Default") == (None, None)
    assert len(record.list_sessions("Anna")) == 1 and not records.exists()  # records follow
    assert app.analysis.calibration is not None  # still the same person
    app.profile_command("duplicate", name="Anna 2")
    assert calibration_store.load("Anna 2")[0] is not None
    exported = tmp_path / "anna.toml"
    app.switch_profile("Anna")
    app.profile_command("export", path=str(exported))
    data = tomllib.loads(exported.read_text())
    assert set(data["calibration"]["labels"]) == {"neutral", "happy", "sad"}  # numbers, no image
    app.profile_command("delete")  # deletes Anna, her face's numbers and her records
    assert calibration_store.load("Anna") == (None, None) and record.list_sessions("Anna") == []
    app.profile_command("import", path=str(exported))
    assert app.settings.active_profile == "Anna" and app.analysis.calibration is not None
    assert calibration_store.load("Anna")[0].labels == ["happy", "sad", "neutral"]
