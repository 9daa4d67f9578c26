"""Saves that merge, never overwrite (issue 19): core/settings/merge.py on real files, and
the lock between real processes."""

from __future__ import annotations

import multiprocessing
import os

import pytest
import tomllib

from moodplayer.core.files.lock import lock_path, locked
from moodplayer.core.settings import lifecycle
from moodplayer.core.settings.merge import (
    REPAIR,
    SettingsFile,
    SettingsRefused,
    apply,
    changes,
    update_file,
)
from moodplayer.core.settings.schema import Lift, Profile, Settings, save_settings


def read(path):
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "settings.toml"
    save_settings(path, Settings(volume=50, active_profile="Anna",
                                 profiles={"Anna": Profile(window_s=8.0), "Carl": Profile()}))
    return path


def app_loads(path):
    file = SettingsFile(path)
    loaded = file.load()
    assert loaded.problems == []
    return file, loaded.settings


def another_writer(path, edit):
    """What calibrate, a second app or an editor does meanwhile: its own whole read-modify-write."""
    data = read(path)
    edit(data)
    import tomli_w

    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def test_a_profile_added_meanwhile_survives_the_apps_save(path):
    file, settings = app_loads(path)
    another_writer(path, lambda d: d["profiles"].update(Bob={"margin": 0.4}))
    settings.volume = 20
    merged = file.save(settings)
    data = read(path)
    assert set(data["profiles"]) == {"Anna", "Carl", "Bob"} and data["profiles"]["Bob"]["margin"] == 0.4
    assert data["volume"] == 20
    assert set(merged.settings.profiles) == {"Anna", "Carl", "Bob"} and merged.wrote
    assert merged.settings.profiles["Bob"].margin == 0.4


def test_fields_the_app_did_not_change_keep_the_hand_edit_and_a_field_both_changed_is_the_apps(path):
    file, settings = app_loads(path)
    another_writer(path, lambda d: (d["profiles"]["Anna"].update(margin=0.5, window_s=30),
                                    d.update(volume=90)))
    settings.profiles["Anna"].window_s = 12.0  # both changed it: the app's save is the later
    file.save(settings)
    anna = read(path)["profiles"]["Anna"]
    assert anna["margin"] == 0.5 and anna["window_s"] == 12.0 and read(path)["volume"] == 90


def test_renames_and_deletes_are_one_change_each(path):
    file, settings = app_loads(path)
    another_writer(path, lambda d: (d["profiles"].update(Bob={}), d["profiles"]["Carl"].update(margin=0.6)))
    lifecycle.rename(settings, "Anna", "Ann")
    settings.profiles["Ann"].playlists["sad"] = "/music/sad"
    settings = file.save(settings).settings  # what the app uses from then on: everyone's changes
    data = read(path)
    assert list(data["profiles"]) == ["Carl", "Bob", "Ann"]
    assert data["profiles"]["Ann"]["window_s"] == 8.0 and data["profiles"]["Ann"]["playlists"] == {"sad": "/music/sad"}
    assert data["profiles"]["Carl"]["margin"] == 0.6 and data["active_profile"] == "Ann"
    # the app deletes Carl, the other one changes Bob: both happen
    del settings.profiles["Carl"]
    another_writer(path, lambda d: d["profiles"]["Bob"].update(margin=0.7))
    merged = file.save(settings)
    assert set(read(path)["profiles"]) == {"Ann", "Bob"} and merged.settings.profiles["Bob"].margin == 0.7


def test_a_profile_deleted_meanwhile_stays_deleted_with_the_apps_edits_to_it(path):
    file, settings = app_loads(path)
    another_writer(path, lambda d: d["profiles"].pop("Carl"))
    settings.profiles["Carl"].margin = 0.3
    settings.volume = 10
    merged = file.save(settings)
    assert set(read(path)["profiles"]) == {"Anna"} and read(path)["volume"] == 10
    assert set(merged.settings.profiles) == {"Anna"}


def test_keys_of_a_newer_moodplayer_and_untouched_files_are_kept(path):
    path.write_text(path.read_text() + '\n[future]\ncolour = "blue"\n')
    before = path.read_bytes()
    file, settings = SettingsFile(path), None
    settings = file.load().settings
    assert file.save(settings).wrote is False and path.read_bytes() == before  # nothing changed
    settings.volume = 5
    file.save(settings)
    assert read(path)["future"] == {"colour": "blue"} and read(path)["volume"] == 5


def test_a_value_the_loader_could_not_use_is_repaired_on_save(path):
    path.write_text(path.read_text().replace("volume = 50", 'volume = "loud"'))
    file = SettingsFile(path)
    loaded = file.load()
    assert loaded.backup is not None and file.base["volume"] is REPAIR
    file.save(loaded.settings)
    assert read(path)["volume"] == 70 and read(path)["profiles"]["Anna"]["window_s"] == 8


def test_a_missing_file_is_written_whole_only_when_there_is_something_to_keep(tmp_path):
    path = tmp_path / "new" / "settings.toml"
    file = SettingsFile(path)
    settings = file.load().settings
    assert file.save(settings).wrote is False and not path.exists()
    settings.volume = 33
    file.save(settings)
    data = read(path)
    assert data["volume"] == 33 and data["schema_version"] == 2 and "Default" in data["profiles"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]  # no lock, no temporary


def test_a_file_broken_meanwhile_is_moved_aside_and_written_whole(path):
    file, settings = app_loads(path)
    path.write_text("volume = [half an edit")
    settings.volume = 44
    merged = file.save(settings)
    assert read(path)["volume"] == 44 and set(read(path)["profiles"]) == {"Anna", "Carl"}
    [backup] = [p for p in path.parent.iterdir() if ".bak-" in p.name]
    assert backup.read_text() == "volume = [half an edit" and "moved to" in merged.problems[0]


def test_a_file_replaced_by_something_else_is_never_written(path):
    file, settings = app_loads(path)
    path.write_bytes(b"#EXTM3U\nsong.mp3\n\x00")
    settings.volume = 1
    with pytest.raises(SettingsRefused):
        file.save(settings)
    assert path.read_bytes() == b"#EXTM3U\nsong.mp3\n\x00"


def test_reload_takes_the_file_as_it_is_with_the_unsaved_changes_on_top(path):
    file, settings = app_loads(path)
    assert file.reload(settings) is None  # not changed
    settings.volume = 15  # not saved yet
    another_writer(path, lambda d: (d["profiles"].update(Bob={}), d.update(last_playlist="sad")))
    merged = file.reload(settings)
    assert set(merged.settings.profiles) == {"Anna", "Carl", "Bob"}
    assert merged.settings.volume == 15 and merged.settings.last_playlist == "sad"
    assert not merged.wrote and read(path)["volume"] == 50
    assert file.pending(merged.settings)  # the volume is still to be written
    another_writer(path, lambda d: d["profiles"].update(Dora={}))
    file.save(merged.settings)
    assert set(read(path)["profiles"]) == {"Anna", "Carl", "Bob", "Dora"} and read(path)["volume"] == 15


def test_calibrate_adds_its_profile_and_touches_nothing_else(path):
    path.write_text('unknown_key = 3\n' + path.read_text())  # a problem: no longer a reason to refuse
    assert lifecycle.ensure_in_file(path, "Bob") is True
    assert lifecycle.ensure_in_file(path, "Bob") is False
    data = read(path)
    assert data["profiles"]["Bob"] == {} and data["unknown_key"] == 3 and data["volume"] == 50
    broken = path.parent / "broken.toml"
    broken.write_text("volume = [")
    with pytest.raises(OSError, match="open MoodPlayer once"):
        lifecycle.ensure_in_file(broken, "Bob")
    assert broken.read_text() == "volume = ["


def test_changes_and_apply_in_small():
    base = {"volume": 50, "profiles": {"A": {"margin": 0.1, "lift": {}}, "B": {}}}
    now = {"volume": 50, "profiles": {"A": {"margin": 0.2, "lift": {"sad": {"target": "happy"}}}, "C": {}}}
    found = {(c.path, str(c.value)) for c in changes(base, now)}
    assert found == {(("profiles", "A", "margin"), "0.2"), (("profiles", "A", "lift", "sad"), "{'target': 'happy'}"),
                     (("profiles", "C"), "{}"), (("profiles", "B"), "DELETE")}
    disk = {"volume": 9, "profiles": {"A": {"margin": 0.1, "window_s": 3}, "B": {}, "D": {}}}
    assert apply(changes(base, now), disk) == {
        "volume": 9, "profiles": {"A": {"margin": 0.2, "window_s": 3, "lift": {"sad": {"target": "happy"}}},
                                  "D": {}, "C": {}}}


def _add_profiles(path: str, who: int, n: int) -> None:
    from pathlib import Path

    for k in range(n):
        def add(disk, name=f"p{who}-{k}"):
            disk["profiles"][name] = {"margin": 0.25}
            return True
        update_file(Path(path), add)


def test_writers_in_parallel_processes_lose_nothing(path):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_profiles, args=(str(path), who, 6)) for who in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert all(w.exitcode == 0 for w in workers)
    names = set(read(path)["profiles"])
    assert names == {"Anna", "Carl"} | {f"p{w}-{k}" for w in range(6) for k in range(6)}
    assert not lock_path(path).exists()


def test_the_lock_is_exclusive_and_says_who_waits(path):
    with locked(path):
        child = os.fork()
        if child == 0:  # another process: it must not get the lock while we hold it
            try:
                with locked(path, timeout_s=0.3):
                    os._exit(1)
            except OSError:
                os._exit(0)
        _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with locked(path, timeout_s=0.3):  # free again
        pass
    assert not lock_path(path).exists()


def test_an_app_base_keeps_lifts(path):
    file, settings = app_loads(path)
    settings.profiles["Anna"].lift["sad"] = Lift("happy", 3)
    file.save(settings)
    assert read(path)["profiles"]["Anna"]["lift"] == {"sad": {"target": "happy", "tracks": 3}}
    settings.profiles["Anna"].lift["sad"].tracks = 5
    another_writer(path, lambda d: d["profiles"]["Anna"]["lift"].update(angry={"target": "neutral", "tracks": 2}))
    file.save(settings)
    assert read(path)["profiles"]["Anna"]["lift"] == {"sad": {"target": "happy", "tracks": 5},
                                                       "angry": {"target": "neutral", "tracks": 2}}
