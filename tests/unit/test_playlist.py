from pathlib import Path

import pytest
from helpers import write_tone

from moodplayer.core.music.playlist import load_playlist, read_m3u, write_m3u
from moodplayer.provision.demo_tracks import generate


def test_folder_lists_audio_files_sorted_and_skips_others(tmp_path):
    write_tone(tmp_path / "b.wav")
    write_tone(tmp_path / "A.wav")
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "notes.txt").write_text("x")
    pl = load_playlist("happy", tmp_path)
    assert [t.path.name for t in pl.tracks] == ["A.wav", "b.wav"]
    assert pl.playable and pl.problem is None


def test_missing_and_empty_folders_say_why(tmp_path):
    missing = load_playlist("sad", tmp_path / "nope")
    assert not missing.playable and "not found" in missing.problem
    (tmp_path / "empty").mkdir()
    empty = load_playlist("sad", tmp_path / "empty")
    assert not empty.playable and "no audio files" in empty.problem


def test_m3u_round_trip_uses_relative_paths(tmp_path):
    music = tmp_path / "music dir é"
    a = write_tone(music / "a.wav")
    b = write_tone(music / "b.wav")
    m3u = tmp_path / "lists" / "calm.m3u8"
    m3u.parent.mkdir()
    write_m3u(m3u, [a, b, music / "gone.wav"])
    text = m3u.read_text(encoding="utf-8")
    assert "../music dir é/a.wav" in text and str(tmp_path) not in text
    pl = load_playlist("calm", m3u)
    assert [t.path.resolve() for t in pl.tracks[:2]] == [a.resolve(), b.resolve()]
    assert [t.missing for t in pl.tracks] == [False, False, True]
    assert read_m3u(tmp_path / "absent.m3u") == []


def test_titles_come_from_tags_then_file_names(tmp_path):
    generate(tmp_path, seconds=1.0, per_mood=1)
    pl = load_playlist("happy", tmp_path / "happy")
    assert pl.tracks[0].title == "MoodPlayer demo – Happy 1"
    assert pl.tracks[0].duration_s == pytest.approx(1.0, abs=0.05)
    assert pl.tracks[0].label == "MoodPlayer demo – Happy 1  (0:01)"
    write_tone(tmp_path / "plain" / "my_song.wav", seconds=75.0)
    plain = load_playlist("x", tmp_path / "plain").tracks[0]
    assert plain.title == "my song" and plain.label == "my song  (1:15)"
    (tmp_path / "plain" / "broken.mp3").write_bytes(b"not audio")  # no tags, no length
    broken = load_playlist("x", tmp_path / "plain").tracks[0]
    assert broken.title == "broken" and broken.duration_s is None and broken.label == "broken"


def test_demo_generator_makes_distinct_moods(tmp_path):
    files = generate(tmp_path, seconds=2.0, per_mood=1)
    assert len(files) == 7
    blobs = {Path(f).read_bytes() for f in files}
    assert len(blobs) == 7
