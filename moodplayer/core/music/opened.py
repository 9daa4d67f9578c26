"""Music handed to ``moodplayer`` (the command line, "Open with MoodPlayer" in a file
manager, a second invocation passing its files on): paths or ``file://`` URIs, made into
the one playlist the user picked.

One folder or one playlist file plays as it is; audio files and several folders are
gathered, in the order given, into a playlist held in memory. Anything that is not local
music is named with the reason.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from moodplayer.core.files.userpath import user_path
from moodplayer.core.music.playlist import (
    AUDIO_EXTENSIONS,
    PLAYLIST_EXTENSIONS,
    Playlist,
    load_playlist,
    read_track,
)

OPENED = "opened"  # the session's name for it (the dropdown shows its own label)


def path_of(argument: str) -> tuple[Path | None, str | None]:
    """A path, or a ``file://`` URI (percent-decoded), as a local path; else (None, why)."""
    if "://" in argument or argument.startswith("file:"):
        uri = urlparse(argument)
        if uri.scheme != "file":
            return None, f"{argument}: only local files can be opened, not {uri.scheme}:// addresses"
        if uri.netloc not in ("", "localhost"):
            return None, f"{argument}: a file on another computer ({uri.netloc}) cannot be opened"
        return Path(unquote(uri.path)), None
    return user_path(argument), None


def music_paths(arguments: list[str]) -> tuple[list[Path], list[str]]:
    """The arguments that are local music (folders, playlist files, audio files), and one
    line for each that is not."""
    found: list[Path] = []
    problems: list[str] = []
    for argument in arguments:
        path, why = path_of(argument)
        if path is None:
            problems.append(why or argument)
        elif not path.exists():
            problems.append(f"{path}: not found")
        elif path.is_dir():
            found.append(path)
        elif path.suffix.lower() in AUDIO_EXTENSIONS | PLAYLIST_EXTENSIONS:
            found.append(path)
        else:
            problems.append(f"{path}: not music (a folder, a playlist or an audio file can be opened)")
    return found, problems


def label_for(paths: list[Path]) -> str:
    first = paths[0].stem if paths[0].is_file() else paths[0].name
    return first if len(paths) == 1 else f"{first} + {len(paths) - 1} more"


def opened_playlist(paths: list[Path]) -> Playlist:
    """What ``paths`` (from ``music_paths``) play, as one playlist."""
    if not paths:
        return Playlist(OPENED, Path(), [], problem="nothing to open")
    name = label_for(paths)  # what messages call it; the session keeps it as OPENED
    if len(paths) == 1 and (paths[0].is_dir() or paths[0].suffix.lower() in PLAYLIST_EXTENSIONS):
        return load_playlist(name, paths[0])
    tracks = []
    for path in paths:
        if path.is_dir() or path.suffix.lower() in PLAYLIST_EXTENSIONS:
            tracks += load_playlist(name, path).tracks
        else:
            tracks.append(read_track(path))
    return Playlist(name, paths[0], tracks, problem=None if tracks else "no music in what was opened")
