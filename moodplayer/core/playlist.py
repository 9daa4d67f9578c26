"""Playlists: a folder of audio files or an M3U/M3U8 file, read without any player.

Tracks are found by extension here and validated for real when the player opens them
(a corrupt file with an audio extension is only caught by the decoder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

AUDIO_EXTENSIONS = frozenset(
    ".mp3 .ogg .oga .opus .flac .wav .m4a .aac .wma .aiff .aif .mka .ape .wv .mpc".split()
)
PLAYLIST_EXTENSIONS = frozenset({".m3u", ".m3u8"})


@dataclass(frozen=True)
class Track:
    path: Path
    title: str
    duration_s: float | None = None  # from the file's header, when mutagen can read it

    @property
    def missing(self) -> bool:
        return not self.path.is_file()

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


def read_track(path: Path) -> Track:
    """Title ("artist – title") and length from the tags, falling back to the file name."""
    title, duration = None, None
    try:
        import mutagen  # optional at run time: titles are a nicety, not a requirement

        audio = mutagen.File(path)
        if audio is not None:
            length = getattr(audio.info, "length", None)
            duration = float(length) if length else None
            tags = audio.tags
            if tags:
                name, artist = _tag(tags, "title", "TIT2"), _tag(tags, "artist", "TPE1")
                if name:
                    title = f"{artist} – {name}" if artist else name
    except Exception:  # a broken tag must never stop a playlist from loading
        pass
    return Track(path=path, title=title or path.stem.replace("_", " "), duration_s=duration)


def _tag(tags, vorbis_key: str, id3_frame: str) -> str | None:
    """Vorbis/FLAC/MP4-style keys or ID3 frames (MP3, WAV, AIFF)."""
    for key in (vorbis_key, vorbis_key.upper(), id3_frame):
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
    src = Path(source).expanduser()
    playlist = Playlist(name=name, source=src)
    if src.suffix.lower() in PLAYLIST_EXTENSIONS:
        if not src.is_file():
            playlist.problem = f"playlist file not found: {src}"
            return playlist
        paths = read_m3u(src)
    elif src.is_dir():
        paths = sorted(
            (p for p in src.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()),
            key=lambda p: p.name.lower(),
        )
    else:
        playlist.problem = f"folder not found: {src}"
        return playlist
    playlist.tracks = [read_track(p) for p in paths]
    if not playlist.tracks:
        playlist.problem = f"no audio files in {src}"
    return playlist


def read_m3u(path: Path) -> list[Path]:
    base = path.parent
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return []
    tracks = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("file://"):
            line = line[len("file://"):]
        p = Path(line)
        tracks.append(p if p.is_absolute() else base / p)
    return tracks


def write_m3u(path: Path, tracks: list[Path]) -> None:
    """Write an extended M3U with paths relative to the playlist when possible."""
    lines = ["#EXTM3U"]
    for t in tracks:
        try:
            rel = os.path.relpath(t, path.parent)
        except ValueError:  # another drive on Windows
            rel = str(t)
        lines.append(rel)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
