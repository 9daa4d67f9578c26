"""Music dropped on the window: what it can become for a mood.

One folder or one playlist file is used as it is; loose audio files (or several folders)
are gathered into an M3U8 of their own, since a mood's playlist is one path."""

from __future__ import annotations

from pathlib import Path

from moodplayer.core.music.playlist import AUDIO_EXTENSIONS, PLAYLIST_EXTENSIONS, write_m3u


def is_music(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() in AUDIO_EXTENSIONS | PLAYLIST_EXTENSIONS


def playlist_for_drop(paths: list[Path], gathered: Path) -> Path | None:
    """The path a mood should play for ``paths``; loose files are written to ``gathered``
    (an .m3u8). None when nothing dropped is music."""
    music = [p for p in paths if is_music(p)]
    if not music:
        return None
    if len(music) == 1 and (music[0].is_dir() or music[0].suffix.lower() in PLAYLIST_EXTENSIONS):
        return music[0]
    tracks: list[Path] = []
    for p in music:
        if p.is_dir():
            tracks += sorted((f for f in p.iterdir() if f.suffix.lower() in AUDIO_EXTENSIONS and f.is_file()),
                             key=lambda f: f.name.lower())
        elif p.suffix.lower() in AUDIO_EXTENSIONS:
            tracks.append(p)
    if not tracks:
        return None
    gathered.parent.mkdir(parents=True, exist_ok=True)
    write_m3u(gathered, tracks)
    return gathered
