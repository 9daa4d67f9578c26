"""Property tests (issue 19): the parsers of what a user or another program can hand
MoodPlayer (the settings file, session records, calibration scripts, exported profiles)
meet arbitrary bytes and arbitrary TOML / JSON of the right shape, and never raise anything
but their module's own error; what they return holds only values the rest of the app can
use (finite numbers, known moods, valid settings)."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moodplayer.core.calibration.script import ScriptError, parse_script
from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.records.record import LINE_KEYS, MAX_T, _valid, load_session
from moodplayer.core.settings.merge import SettingsFile, apply, as_table, base_of, changes, normalized
from moodplayer.core.settings.profiles import ProfileError, import_profile
from moodplayer.core.settings.schema import (
    LIFT_OPTIONS,
    PROFILE_OPTIONS,
    SETTINGS_OPTIONS,
    Settings,
    load_settings,
    read_settings_file,
    settings_from_dict,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FOLDER = Path(tempfile.mkdtemp(prefix="moodplayer-properties-"))

# --- values of the right shape -------------------------------------------------------------
numbers = st.one_of(st.integers(min_value=-2**63, max_value=2**63 - 1), st.floats(allow_nan=True),
                    st.sampled_from([0, 1, -1, 0.5, 100, 1e300, -1e300, math.inf, -math.inf, math.nan]))
texts = st.one_of(st.text(max_size=12), st.sampled_from(list(EMOTIONS) + ["", " ", "none", "Default"]))
scalars = st.one_of(numbers, texts, st.booleans())
toml_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)), max_leaves=12)


def table_of(keys: list[str], values=toml_values):
    return st.dictionaries(st.one_of(st.sampled_from(keys), texts), values, max_size=8)


lift_tables = st.dictionaries(st.one_of(st.sampled_from(list(EMOTIONS)), texts),
                              st.one_of(table_of(list(LIFT_OPTIONS)), toml_values), max_size=3)
profile_tables = st.one_of(
    st.fixed_dictionaries({}, optional={"lift": lift_tables,
                                        "playlists": st.dictionaries(texts, toml_values, max_size=3)})
    .flatmap(lambda fixed: table_of(list(PROFILE_OPTIONS)).map(lambda rest: {**rest, **fixed})),
    toml_values)
settings_tables = st.fixed_dictionaries(
    {}, optional={"schema_version": st.one_of(st.integers(-3, 5), scalars),
                  "profiles": st.one_of(st.dictionaries(texts, profile_tables, max_size=4), toml_values),
                  "active_profile": texts}
).flatmap(lambda fixed: table_of(list(SETTINGS_OPTIONS) + list(PROFILE_OPTIONS)).map(
    lambda rest: {**rest, **fixed}))


def assert_usable(s: Settings) -> None:
    """Every field of ``s`` passes its own declaration: nothing NaN, out of range or wrong."""
    for name, option in SETTINGS_OPTIONS.items():
        assert option.validate(getattr(s, name)) is None, (name, getattr(s, name))
    assert s.profiles and s.active_profile in s.profiles
    for name, profile in s.profiles.items():
        assert name.strip()
        for field, option in PROFILE_OPTIONS.items():
            assert option.validate(getattr(profile, field)) is None, (name, field)
        for emotion, lift in profile.lift.items():
            assert emotion in EMOTIONS
            for field, option in LIFT_OPTIONS.items():
                assert option.validate(getattr(lift, field)) is None


def toml_bytes(table: dict) -> bytes | None:
    try:
        return tomli_w.dumps(table).encode("utf-8")
    except (TypeError, ValueError):  # e.g. a nan inside an array tomli_w will not write
        return None


# --- the settings file --------------------------------------------------------------------
@FAST
@given(st.binary(max_size=400))
def test_settings_from_arbitrary_bytes_never_raise(data):
    path = FOLDER / "bytes.toml"
    path.write_bytes(data)
    loaded = load_settings(path, keep_aside=False)
    assert_usable(loaded.settings)
    raw = read_settings_file(path)
    assert (raw.data is not None) + bool(raw.broken) + bool(raw.refused) <= 1


@FAST
@given(settings_tables)
def test_settings_from_arbitrary_tables_are_always_usable(table):
    s, problems = settings_from_dict(table)
    assert_usable(s)
    assert all(isinstance(p, str) for p in problems)
    data = toml_bytes(table)
    if data is not None:  # the same through the real file and parser
        path = FOLDER / "table.toml"
        path.write_bytes(b"\xef\xbb\xbf" + data)
        assert_usable(load_settings(path, keep_aside=False).settings)


@FAST
@given(settings_tables, settings_tables)
def test_merging_onto_any_file_gives_usable_settings(loaded, disk):
    """The app loaded one file; another program left the file as anything else meanwhile."""
    settings_loaded, _, base = base_of(normalized(loaded))
    mine = Settings(**{**settings_loaded.__dict__, "volume": 7})
    merged = apply(changes(base, as_table(mine)), normalized(disk))
    s, _ = settings_from_dict(merged)
    assert_usable(s)
    if toml_bytes(disk) is not None:
        path = FOLDER / "merge.toml"
        path.write_bytes(toml_bytes(loaded) or b"")
        file = SettingsFile(path)
        current = file.load(keep_aside=False).settings
        current.volume = 9
        path.write_bytes(toml_bytes(disk))
        try:
            after = file.save(current)
        except OSError:  # refused (the file is no longer ours): the module's own answer
            return
        assert_usable(after.settings) and after.settings.volume == 9


@FAST
@given(st.binary(max_size=300))
def test_an_exported_profile_of_arbitrary_bytes_is_read_or_refused(data):
    path = FOLDER / "profile.toml"
    path.write_bytes(data)
    try:
        imported = import_profile(path)
    except ProfileError:
        return
    for field, option in PROFILE_OPTIONS.items():
        assert option.validate(getattr(imported.profile, field)) is None


# --- session records ----------------------------------------------------------------------
json_values = st.recursive(st.one_of(st.none(), numbers, texts, st.booleans()), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)), max_leaves=8)
kinds = st.sampled_from(sorted(LINE_KEYS) + ["end", "no_face", "face_back", "future"])
record_keys = sorted({k for required, optional in LINE_KEYS.values() for k in (*required, *optional)})
events = st.builds(lambda kind, t, rest: {**rest, "type": kind, "t": t}, kinds,
                   st.one_of(numbers, texts, st.none()),
                   st.dictionaries(st.sampled_from(record_keys), json_values, max_size=5))


def check_record(record) -> None:
    assert all(_valid(line) for line in record.lines)
    assert math.isfinite(record.duration_s) and 0 <= record.duration_s <= MAX_T
    json.dumps(record.summary(), allow_nan=False)
    record.time_per_mood(), record.lifts(), record.tracks
    assert all(m["mood"] in EMOTIONS for m in record.moods)


@FAST
@given(st.binary(max_size=400))
def test_a_record_of_arbitrary_bytes_never_raises(data):
    path = FOLDER / "bytes.jsonl"
    path.write_bytes(data)
    check_record(load_session(path))


@FAST
@given(st.lists(events, max_size=8))
def test_a_record_of_arbitrary_events_gives_only_usable_lines(lines):
    path = FOLDER / "events.jsonl"
    start = {"type": "start", "t": 0, "profile": "Anna", "at": "2026-11-28T10:00:00"}
    path.write_text("\n".join(json.dumps(line) for line in [start, *lines]) + "\n")  # NaN as JSON writes it
    record = load_session(path)
    check_record(record)
    from moodplayer.core.records.timeline import TimelineData

    data = TimelineData.from_record(record)
    assert data.span_s <= MAX_T + 1


# --- calibration scripts ------------------------------------------------------------------
entries = st.lists(st.one_of(st.tuples(st.one_of(numbers, texts), st.one_of(numbers, texts),
                                       st.one_of(texts, numbers)).map(list), json_values), max_size=6)


def check_script(text: str) -> None:
    try:
        segments = parse_script(text)
    except ScriptError:
        return
    assert any(s.label == "neutral" for s in segments)
    for a, b in zip(segments, segments[1:]):
        assert a.end <= b.start
    assert all(math.isfinite(s.start) and math.isfinite(s.end) and 0 <= s.start < s.end for s in segments)


@FAST
@given(st.text(max_size=300))
def test_a_script_of_arbitrary_text_is_read_or_refused(text):
    check_script(text)


@FAST
@given(entries)
def test_a_script_of_arbitrary_entries_is_read_or_refused(items):
    check_script(json.dumps({"script": items}))
