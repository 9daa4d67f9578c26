"""Playlists: a folder of audio files or a playlist file (M3U/M3U8, PLS, XSPF: see
``playlist_formats``), read without any player.

Tracks are found by extension here and validated for real when the player opens them
(a corrupt file with an audio extension is only caught by the decoder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moodplayer.core.files.atomic import write_text_atomically
from moodplayer.core.files.reading import is_regular_file
from moodplayer.core.files.userpath import user_path
from moodplayer.core.music.formats import SUFFIXES, Entry, PlaylistFileError, read_entries

AUDIO_EXTENSIONS = frozenset(
    ".mp3 .ogg .oga .opus .flac .wav .m4a .aac .wma .aiff .aif .mka .ape .wv .mpc".split()
)
PLAYLIST_EXTENSIONS = SUFFIXES  # .m3u .m3u8 .pls .xspf


@dataclass(frozen=True)
class Track:
    path: Path
    title: str
    duration_s: float | None = None  # from the file's header, when mutagen can read it
    unplayable: str | None = None  # why it is never tried (a web stream in a playlist file)

    @property
    def missing(self) -> bool:
        """Cannot be played here: not on this machine, or not a local file at all."""
        return self.unplayable is not None or not self.path.is_file()

    @property
    def why_not(self) -> str | None:
        """Why it cannot play, for the track list; None when it can."""
        if self.unplayable:
            return self.unplayable
        return "not found on this machine" if not self.path.is_file() else None

    @property
    def label(self) -> str:
        """What the track list shows: the title and the length (m:ss) when known."""
        if self.duration_s is None:
            return self.title
        minutes, seconds = divmod(int(round(self.duration_s)), 60)
        return f"{self.title}  ({minutes}:{seconds:02d})"


@dataclass
class Playlist:
    name: str
    source: Path
    tracks: list[Track] = field(default_factory=list)
    problem: str | None = None  # why it cannot play, for the user

    @property
    def playable(self) -> bool:
        return self.problem is None and bool(self.tracks)


def read_track(path: Path, title_hint: str | None = None, duration_hint: float | None = None) -> Track:
    """Title ("artist – title") and length from the tags, then from the playlist file
    (``#EXTINF``, ``TitleN``, ``<title>``), then the file name."""
    title, duration = None, None
    if not is_regular_file(path):  # missing, or a FIFO / device named like music: not opened
        return Track(path=path, title=title_hint or path.stem.replace("_", " "), duration_s=duration_hint)
    try:
        import mutagen  # optional at run time: titles are a nicety, not a requirement

        audio = mutagen.File(path)
        if audio is not None:
            length = getattr(audio.info, "length", None)
            duration = float(length) if length else None
            tags = audio.tags
            if tags:
                name = _tag(tags, "title", "TIT2", "\xa9nam")
                artist = _tag(tags, "artist", "TPE1", "\xa9ART")
                if name:
                    title = f"{artist} – {name}" if artist else name
    except Exception:  # a broken tag must never stop a playlist from loading
        pass
    return Track(path=path, title=title or title_hint or path.stem.replace("_", " "),
                 duration_s=duration or duration_hint)


def track_from_entry(entry: Entry) -> Track:
    if entry.path is None:  # a web stream or the like: listed, never opened
        return Track(path=Path(entry.location), title=entry.title or entry.location,
                     duration_s=entry.duration_s, unplayable=entry.unplayable)
    return read_track(entry.path, entry.title, entry.duration_s)


def _tag(tags: Any, vorbis_key: str, id3_frame: str, mp4_atom: str) -> str | None:
    """Vorbis comments (FLAC, Ogg Vorbis, Opus), ID3 frames (MP3, WAV, AIFF) or MP4 atoms (M4A)."""
    for key in (vorbis_key, vorbis_key.upper(), id3_frame, mp4_atom):
        try:
            value = tags[key]
        except (KeyError, ValueError, TypeError):
            continue
        value = getattr(value, "text", value)
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if value:
            return str(value)
    return None


def load_playlist(name: str, source: str | os.PathLike[str]) -> Playlist:
    src = user_path(source)
    playlist = Playlist(name=name, source=src)
    if src.suffix.lower() in PLAYLIST_EXTENSIONS:
        if not src.exists():  # a FIFO or a folder of that name: read_entries says what it is
            playlist.problem = f"playlist file not found: {src}"
            return playlist
        try:
            entries = read_entries(src)
        except PlaylistFileError as err:
            playlist.problem = str(err)
            return playlist
        playlist.tracks = [track_from_entry(e) for e in entries]
        if not playlist.tracks:
            playlist.problem = f"{src.name} lists no tracks"
        else:
            playlist.problem = nothing_playable(playlist.tracks)
        return playlist
    if not src.is_dir():
        playlist.problem = f"folder not found: {src}"
        return playlist
    paths = sorted(
        (p for p in src.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()),
        key=lambda p: p.name.lower(),
    )
    playlist.tracks = [read_track(p) for p in paths]
    if not playlist.tracks:
        playlist.problem = f"no audio files in {src}"
    return playlist


def nothing_playable(tracks: list[Track]) -> str | None:
    """Why a playlist file none of whose entries can play is not started (instead of
    playing silence); None when at least one can."""
    if not tracks or any(not t.missing for t in tracks):
        return None
    n = len(tracks)
    absent = sum(1 for t in tracks if t.unplayable is None)
    streams = n - absent
    noun = "track" if n == 1 else "tracks"
    if streams == 0:
        return (f"none of its {n} {noun} exist on this machine" if n > 1
                else "its only track does not exist on this machine")
    if absent == 0:
        return f"none of its {n} {noun} is a local file (web streams are not played)"
    return (f"none of its {n} {noun} can play here: {absent} not on this machine, "
            f"{streams} not local files (web streams are not played)")


def read_m3u(path: Path) -> list[Path]:
    """The local files an M3U names ([] when it cannot be read)."""
    try:
        return [e.path for e in read_entries(path) if e.path is not None]
    except PlaylistFileError:
        return []


def write_m3u(path: Path, tracks: list[Path]) -> None:
    """Write an extended M3U with paths relative to the playlist when possible."""
    lines = ["#EXTM3U"]
    for t in tracks:
        try:
            rel = os.path.relpath(t, path.parent)
        except ValueError:  # another drive on Windows
            rel = str(t)
        lines.append(rel)
    write_text_atomically(path, "\n".join(lines) + "\n")
