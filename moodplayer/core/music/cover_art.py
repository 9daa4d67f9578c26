"""A track's cover picture: embedded in its tags, else an image file beside it.

Pure file reading (mutagen), no Qt: the now-playing widget turns the bytes into a picture.
Every function returns None rather than raising: a track without a cover, or with a broken
tag, is an ordinary track.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

# Looked for in the track's folder, in this order, case-insensitively.
FOLDER_COVERS = ("cover", "folder", "front", "album", "albumart")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp")
FRONT_COVER = 3  # the ID3/FLAC picture type "Cover (front)"
MAX_FOLDER_COVER_BYTES = 20 * 2**20  # a cover, not a photo archive


def cover_for(track: Path) -> bytes | None:
    """The track's cover image bytes (embedded first, then the folder's), or None."""
    return embedded_cover(track) or folder_cover(track)


def embedded_cover(track: Path) -> bytes | None:
    """The picture in the file's tags: ID3 APIC (MP3, WAV, AIFF), FLAC pictures, MP4
    ``covr`` (M4A/AAC), Ogg ``METADATA_BLOCK_PICTURE`` (Vorbis, Opus). Prefers the front cover."""
    try:
        import mutagen

        audio = mutagen.File(track)
    except Exception:  # unreadable or not audio: no cover, not an error
        return None
    if audio is None:
        return None
    pictures: list[tuple[int, bytes]] = []
    for picture in getattr(audio, "pictures", None) or []:  # FLAC
        pictures.append((picture.type, picture.data))
    tags = audio.tags
    if tags is not None:
        if hasattr(tags, "getall"):  # ID3
            pictures += [(frame.type, frame.data) for frame in tags.getall("APIC")]
        pictures += [(FRONT_COVER, bytes(c)) for c in _values(tags, "covr")]  # MP4
        for encoded in _values(tags, "metadata_block_picture"):  # Ogg Vorbis / Opus
            picture = _flac_picture(encoded)
            if picture is not None:
                pictures.append(picture)
    pictures = [(kind, data) for kind, data in pictures if data]
    if not pictures:
        return None
    fronts = [data for kind, data in pictures if kind == FRONT_COVER]
    return (fronts or [pictures[0][1]])[0]


COVER_NAMES = frozenset(stem + suffix for stem in FOLDER_COVERS for suffix in IMAGE_SUFFIXES)
# folder -> (its modification time, its cover-like files by lower-case name): listing a folder
# of 5,000 tracks for each track that starts cost 0.17 s; a file added or removed changes the
# folder's mtime, so the listing is taken again then
_listings: dict[Path, tuple[int, dict[str, Path]]] = {}


def _cover_files(folder: Path) -> dict[str, Path] | None:
    try:
        mtime = folder.stat().st_mtime_ns
        cached = _listings.get(folder)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        found = {p.name.lower(): p for p in folder.iterdir() if p.name.lower() in COVER_NAMES}
    except OSError:
        return None
    if len(_listings) > 256:
        _listings.clear()
    _listings[folder] = (mtime, found)
    return found


def folder_cover(track: Path) -> bytes | None:
    """cover.jpg, folder.jpg, front.png ... in the track's folder, or None."""
    by_name = _cover_files(track.parent)
    if by_name is None:
        return None
    for stem in FOLDER_COVERS:
        for suffix in IMAGE_SUFFIXES:
            path = by_name.get(stem + suffix)
            try:
                if path is not None and 0 < path.stat().st_size <= MAX_FOLDER_COVER_BYTES:
                    return path.read_bytes()
            except OSError:
                continue
    return None


def _values(tags: Any, key: str) -> list[Any]:
    try:
        return list(tags.get(key) or [])
    except (TypeError, ValueError, KeyError):
        return []


def _flac_picture(encoded: object) -> tuple[int, bytes] | None:
    try:
        from mutagen.flac import Picture

        picture = Picture(base64.b64decode(str(encoded)))  # type: ignore[no-untyped-call]  # mutagen leaves it unannotated
        return picture.type, picture.data
    except Exception:  # a damaged picture block is just no picture
        return None
