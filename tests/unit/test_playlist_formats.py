"""Playlists written the way VLC, Rhythmbox (totem-pl-parser) and Strawberry write them:
read, titled, and played through the real libvlc."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import feel, wav_rms, write_tone

from moodplayer.core.music.formats import PlaylistFileError, read_entries, resolve
from moodplayer.core.music.playlist import load_playlist
from moodplayer.playback.backend import PLAYING
from moodplayer.playback.vlc_backend import VlcBackend
from moodplayer.provision.demo_tracks import generate

SONG = "Ünïcødé — ça (live) #1.wav"
STREAM = "http://radio.invalid/stream.mp3"  # must be listed, never fetched


def uri(path: Path) -> str:
    """A file URI percent-encoded as those players write it (UTF-8 bytes, %20 for spaces)."""
    return "file://" + quote(str(path), safe="/")


@pytest.fixture
def music(tmp_path) -> Path:
    folder = tmp_path / "My Music"
    write_tone(folder / SONG, seconds=30, freq=330)  # long: afile keeps one track's audio
    write_tone(folder / "b side.wav", seconds=1, freq=550)
    return folder


def vlc_m3u8(dest: Path, music: Path) -> Path:
    # VLC 3 "Save playlist": #EXTINF:seconds,Artist - Title, then an absolute file URI
    # (or, below the playlist's folder, the rest of the URI: still percent-encoded).
    dest.write_text(
        "#EXTM3U\n"
        f"#EXTINF:30,Some Artist - Encoded URI song\n{uri(music / SONG)}\n"
        f"#EXTINF:1,Some Artist - Relative one\n{quote(music.name)}/b%20side.wav\n"
        f"#EXTINF:-1,Radio\n#EXTVLCOPT:network-caching=1000\n{STREAM}\n",
        encoding="utf-8")
    return dest


def rhythmbox_pls(dest: Path, music: Path) -> Path:
    dest.write_text(
        "[playlist]\nX-GNOME-Title=Calm\nNumberOfEntries=3\n"
        f"File1={uri(music / SONG)}\nTitle1=Encoded URI song\n"
        f"File2={uri(music / 'b side.wav')}\nTitle2=Second\n"
        f"File3={STREAM}\nTitle3=Radio\n",
        encoding="utf-8")
    return dest


def rhythmbox_m3u(dest: Path, music: Path) -> Path:
    dest.write_text(f"#EXTM3U\n#EXTINF:-1,Encoded URI song\n{uri(music / SONG)}\n"
                    f"#EXTINF:-1,Second\n{uri(music / 'b side.wav')}\n", encoding="utf-8")
    return dest


def strawberry_m3u(dest: Path, music: Path) -> Path:
    # Strawberry: plain paths, absolute or relative to the playlist (its "automatic" mode)
    dest.write_text(f"#EXTM3U\n#EXTINF:30,Some Artist - Encoded URI song\n{music / SONG}\n"
                    f"#EXTINF:1,Some Artist - Second\n{music.name}/b side.wav\n", encoding="utf-8")
    return dest


def vlc_xspf(dest: Path, music: Path) -> Path:
    dest.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<playlist xmlns="http://xspf.org/ns/0/" xmlns:vlc="http://www.videolan.org/vlc/playlist/ns/0/" version="1">
\t<title>Playlist</title>
\t<trackList>
\t\t<track>
\t\t\t<location>{uri(music / SONG)}</location>
\t\t\t<title>Encoded URI song</title>
\t\t\t<creator>Some Artist</creator>
\t\t\t<duration>30000</duration>
\t\t\t<extension application="http://www.videolan.org/vlc/playlist/0">
\t\t\t\t<vlc:id>0</vlc:id>
\t\t\t</extension>
\t\t</track>
\t\t<track>
\t\t\t<location>{quote(music.name)}/b%20side.wav</location>
\t\t\t<extension application="http://www.videolan.org/vlc/playlist/0">
\t\t\t\t<vlc:id>1</vlc:id>
\t\t\t</extension>
\t\t</track>
\t</trackList>
\t<extension application="http://www.videolan.org/vlc/playlist/0">
\t\t<vlc:item tid="0"/>
\t\t<vlc:item tid="1"/>
\t</extension>
</playlist>
""", encoding="utf-8")
    return dest


WRITERS = {"vlc.m3u8": vlc_m3u8, "rhythmbox.pls": rhythmbox_pls, "rhythmbox.m3u": rhythmbox_m3u,
           "strawberry.m3u": strawberry_m3u, "vlc.xspf": vlc_xspf}


@pytest.mark.parametrize("name", WRITERS)
def test_other_players_playlists_resolve_every_local_file(name, music, tmp_path):
    playlist = load_playlist("calm", WRITERS[name](tmp_path / name, music))
    assert playlist.playable and playlist.problem is None
    local = [t for t in playlist.tracks if t.unplayable is None]
    assert [t.path.resolve() for t in local] == [(music / SONG).resolve(),
                                                 (music / "b side.wav").resolve()]
    assert not any(t.missing for t in local)
    # an untagged file takes its title (and length) from the playlist
    assert "Encoded URI song" in local[0].title
    assert local[0].duration_s == pytest.approx(30, abs=0.1)


def test_web_streams_are_listed_unplayable_with_a_reason(music, tmp_path):
    playlist = load_playlist("calm", vlc_m3u8(tmp_path / "vlc.m3u8", music))
    stream = playlist.tracks[2]
    assert stream.missing and stream.title == "Radio"
    assert "http:// stream" in stream.unplayable and "only local files" in stream.why_not
    assert resolve("file://nas/music/a.mp3", tmp_path).unplayable == "a file on another computer (nas)"


def test_tags_win_over_the_playlists_titles(tmp_path):
    [happy] = generate(tmp_path / "demo", seconds=1.0, per_mood=1)[:1]
    m3u = tmp_path / "x.m3u"
    m3u.write_text(f"#EXTM3U\n#EXTINF:99,Wrong - Title\n{uri(Path(happy))}\n", encoding="utf-8")
    track = load_playlist("x", m3u).tracks[0]
    assert track.title.startswith("MoodPlayer demo – ") and track.duration_s == pytest.approx(1, abs=0.05)


def test_a_playlist_whose_every_track_is_missing_says_so(tmp_path):
    m3u = tmp_path / "elsewhere.m3u8"
    m3u.write_text("#EXTM3U\n" + "".join(f"file:///home/me/My%20Music/{i}%20x.mp3\n" for i in range(12)),
                   encoding="utf-8")
    playlist = load_playlist("sad", m3u)
    assert not playlist.playable
    assert playlist.problem == "none of its 12 tracks exist on this machine"
    assert playlist.tracks[0].path == Path("/home/me/My Music/0 x.mp3")
    assert playlist.tracks[0].why_not == "not found on this machine"
    streams = tmp_path / "radio.pls"
    streams.write_text(f"[playlist]\nFile1={STREAM}\nFile2=/gone/a.mp3\nNumberOfEntries=2\n")
    problem = load_playlist("sad", streams).problem
    assert "none of its 2 tracks can play here" in problem and "web streams are not played" in problem


def test_broken_and_empty_playlist_files_say_why(tmp_path):
    bad = tmp_path / "bad.xspf"
    bad.write_text("<playlist><trackList><track>")
    assert "not a valid XSPF playlist" in load_playlist("x", bad).problem
    with pytest.raises(PlaylistFileError):
        read_entries(tmp_path / "absent.pls")
    pls = tmp_path / "notes.pls"
    pls.write_text("just some text")
    assert "not a PLS playlist" in load_playlist("x", pls).problem
    empty = tmp_path / "empty.m3u"
    empty.write_text("#EXTM3U\n")
    assert load_playlist("x", empty).problem == "empty.m3u lists no tracks"
    latin = tmp_path / "old.m3u"
    write_tone(tmp_path / "café.wav")
    latin.write_bytes("café.wav\n".encode("latin-1"))  # a legacy 8-bit .m3u
    assert not load_playlist("x", latin).tracks[0].missing


@pytest.mark.parametrize("name", WRITERS)
def test_other_players_playlists_play_through_libvlc(name, music, tmp_path, qtbot):
    out = tmp_path / "out.wav"
    backend = VlcBackend(audio_out=f"afile:{out}")
    try:
        backend.load(load_playlist("calm", WRITERS[name](tmp_path / name, music)))
        qtbot.waitUntil(lambda: backend.state == PLAYING and backend.current_index == 0, timeout=5000)
        qtbot.wait(1200)
        assert backend.current_index == 0 and not backend.broken
    finally:
        backend.close()
    seconds, rms = wav_rms(out)
    assert seconds >= 0.5 and rms > 0.05


def test_the_window_says_a_playlist_has_no_track_on_this_machine(qtbot, tmp_path, make_app):
    from moodplayer.core.settings.schema import Profile, Settings, save_settings

    m3u = tmp_path / "from another computer.m3u8"
    m3u.write_text("#EXTM3U\n" + "".join(f"#EXTINF:200,Band - Song {i}\nfile:///home/me/My%20Music/{i}.mp3\n"
                                         for i in range(12)), encoding="utf-8")
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists={"happy": str(m3u)})}))
    app = make_app(config=str(config))
    feel(app.session, "happy")
    said = "\n".join(app.window.messages)
    assert "Cannot play the happy playlist: none of its 12 tracks exist on this machine" in said
    assert app.backend.playlist is None  # nothing was started: no silence passed off as music


def test_a_home_folder_that_does_not_exist_is_a_missing_track_not_a_crash(tmp_path):
    m3u = tmp_path / "odd.m3u8"
    m3u.write_text("#EXTM3U\n~nosuchuser-moodplayer/a.mp3\n", encoding="utf-8")
    playlist = load_playlist("odd", m3u)
    assert not playlist.playable and "does not exist on this machine" in playlist.problem
    assert not load_playlist("odd", "~nosuchuser-moodplayer/music").playable
