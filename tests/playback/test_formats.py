"""Real audio formats, encoded here by FFmpeg (PyAV) and tagged by mutagen: titles, lengths
and covers come from their tags, and each one plays through the real libvlc."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import wav_rms

from moodplayer.core.music.cover_art import cover_for, embedded_cover, folder_cover
from moodplayer.core.music.playlist import load_playlist, read_track
from moodplayer.dev.audio_formats import FORMATS, png
from moodplayer.playback.backend import PLAYING
from moodplayer.playback.vlc_backend import VlcBackend

COVER = png(rgb=(10, 120, 200))


def make_formats(folder: Path, *args: str) -> dict[str, Path]:
    """Encode in a child process: PyAV's FFmpeg and libvlc's in one process abort now and then."""
    result = subprocess.run([sys.executable, "-m", "moodplayer.dev.audio_formats", str(folder),
                             *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return {fmt: Path(path) for fmt, path in (line.split("\t") for line in result.stdout.splitlines())}


@pytest.fixture(scope="session")
def formats(tmp_path_factory) -> dict[str, Path]:
    return make_formats(tmp_path_factory.mktemp("formats"), "--seconds", "6", "--cover-rgb", "10,120,200")


@pytest.mark.parametrize("fmt", FORMATS)
def test_titles_lengths_and_covers_come_from_the_tags(fmt, formats):
    track = read_track(formats[fmt])
    assert track.title == f"MoodPlayer tests – {fmt.upper()} tone"
    assert track.duration_s == pytest.approx(6.0, abs=0.1)
    assert embedded_cover(formats[fmt]) == COVER


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_plays_through_libvlc(fmt, formats, tmp_path, qtbot, monkeypatch):
    # libvlc caches a playing track's embedded cover in $XDG_CACHE_HOME/vlc/art (as VLC
    # does); here in this test's own folder, not in the suite's shared cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "out.wav"
    backend = VlcBackend(audio_out=f"afile:{out}")
    failed = []
    backend.track_failed.connect(lambda i, why: failed.append(why))
    try:
        backend.load(load_playlist(fmt, _alone(formats[fmt], tmp_path)))
        qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
        qtbot.wait(1500)
        assert not failed and backend.state == PLAYING
    finally:
        backend.close()
    seconds, rms = wav_rms(out)
    assert seconds >= 0.5 and rms > 0.05, f"{fmt}: {seconds:.2f} s of audio, RMS {rms:.3f}"


def _alone(track: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "alone"
    folder.mkdir()
    shutil.copy(track, folder / track.name)
    return folder


def test_a_folder_cover_stands_in_when_the_file_has_none(tmp_path):
    plain = make_formats(tmp_path / "album", "--only", "flac", "--untagged", "--seconds", "0.5")["flac"]
    assert embedded_cover(plain) is None and cover_for(plain) is None
    (tmp_path / "album" / "Folder.JPG").write_bytes(b"jpeg bytes")
    (tmp_path / "album" / "cover.png").write_bytes(COVER)
    assert folder_cover(plain) == COVER  # cover.* before folder.*, any case
    assert cover_for(plain) == COVER
    tagged = make_formats(tmp_path / "tagged", "--only", "mp3", "--cover-rgb", "1,2,3", "--seconds", "0.5")["mp3"]
    (tmp_path / "tagged" / "cover.png").write_bytes(COVER)
    assert cover_for(tagged) == png(rgb=(1, 2, 3))  # the embedded one wins


def test_broken_or_absent_files_have_no_cover(tmp_path):
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"ID3\x04\x00garbage" * 10)
    assert embedded_cover(broken) is None
    assert cover_for(tmp_path / "nowhere" / "gone.ogg") is None


def test_the_cover_widget_shows_a_picture_or_nothing(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from moodplayer.ui.cover_art import COVER_SIZE, CoverArt

    holder = QWidget()
    qtbot.addWidget(holder)
    cover = CoverArt()
    QVBoxLayout(holder).addWidget(cover)
    holder.show()
    assert cover.show_cover(png(width=300, height=150))
    assert cover.isVisible() and cover.pixmap().width() == COVER_SIZE
    assert cover.pixmap().height() == COVER_SIZE // 2  # aspect kept
    assert not cover.show_cover(b"not an image") and not cover.isVisible()
    assert cover.pixmap().isNull()  # no stale cover
    assert cover.show_cover(COVER) and not cover.show_cover(None) and not cover.isVisible()
