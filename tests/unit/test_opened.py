"""Music handed to moodplayer: paths and file:// URIs, made into one playlist."""

from __future__ import annotations

from urllib.parse import quote

from helpers import write_tone

from moodplayer.core.music.opened import label_for, music_paths, opened_playlist, path_of


def test_file_uris_are_decoded_and_other_addresses_refused(tmp_path):
    song = write_tone(tmp_path / "Mélodies du soir" / "a b#1.wav", 0.2)
    uri = "file://" + quote(str(song))
    assert "%20" in uri and path_of(uri) == (song, None)
    assert path_of("file://localhost" + quote(str(song))) == (song, None)
    assert path_of("http://example.org/a.mp3")[1].endswith("not http:// addresses")
    assert "another computer" in path_of("file://nas/music/a.mp3")[1]


def test_what_is_not_local_music_is_named(tmp_path):
    song = write_tone(tmp_path / "s.wav", 0.2)
    (tmp_path / "notes.txt").write_text("x")
    found, problems = music_paths([str(song), str(tmp_path / "gone.mp3"), str(tmp_path / "notes.txt"),
                                   "https://radio.example/stream"])
    assert found == [song]
    assert problems[0].endswith("gone.mp3: not found")
    assert "notes.txt: not music" in problems[1] and "https://" in problems[2]


def test_one_folder_plays_as_it_is_and_loose_files_are_gathered_in_order(tmp_path):
    folder = tmp_path / "Album"
    for name in ("2.wav", "1.wav"):
        write_tone(folder / name, 0.2)
    one = opened_playlist([folder])
    assert one.playable and one.name == "Album" and [t.path.name for t in one.tracks] == ["1.wav", "2.wav"]
    extra = write_tone(tmp_path / "single.wav", 0.2)
    m3u = tmp_path / "list.m3u8"
    m3u.write_text(f"#EXTM3U\n{extra}\n", encoding="utf-8")
    many = opened_playlist([extra, folder, m3u])
    assert [t.path.name for t in many.tracks] == ["single.wav", "1.wav", "2.wav", "single.wav"]
    assert many.name == "single + 2 more" == label_for([extra, folder, m3u])
    assert not opened_playlist([]).playable
    (tmp_path / "empty").mkdir()
    assert not opened_playlist([tmp_path / "empty"]).playable
