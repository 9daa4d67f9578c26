"""Other players' playlist files: M3U/M3U8, PLS and XSPF, as VLC, Rhythmbox and Strawberry
write them.

Each reader returns ``Entry`` objects in playlist order; nothing is opened but the playlist
file itself (a web stream is listed as unplayable with the reason, never fetched). Where
entries point to:

- ``file://`` URIs, percent-encoded (VLC, Rhythmbox/totem-pl-parser: ``file:///home/me/My%20Music/a%20b.mp3``);
- absolute paths (Strawberry's "absolute" setting) and paths relative to the playlist's
  folder (VLC and Strawberry when the music is below the playlist; VLC keeps those
  percent-encoded, so a relative entry that does not exist as written is also tried decoded);
- any other URI scheme (``http://`` ...): not played, with a reason.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from moodplayer.core.files.reading import MB, read_regular_bytes
from moodplayer.core.files.userpath import user_path

M3U_SUFFIXES = frozenset({".m3u", ".m3u8"})
PLS_SUFFIXES = frozenset({".pls"})
XSPF_SUFFIXES = frozenset({".xspf"})
SUFFIXES = M3U_SUFFIXES | PLS_SUFFIXES | XSPF_SUFFIXES
PLAYLIST_LIMIT = 64 * MB  # a playlist of 100,000 tracks is about 10 MB

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_XSPF_NS = "{http://xspf.org/ns/0/}"


class PlaylistFileError(ValueError):
    """The playlist file cannot be read at all; the message says why."""


@dataclass(frozen=True)
class Entry:
    location: str  # as written in the playlist
    path: Path | None  # the local file it names; None when it is not a local file
    title: str | None = None  # the playlist's own title (#EXTINF, TitleN, <title>)
    duration_s: float | None = None
    unplayable: str | None = None  # why it is not played (a web stream, another host)


def read_entries(path: Path) -> list[Entry]:
    """The entries of a .m3u/.m3u8/.pls/.xspf file. Raises PlaylistFileError."""
    suffix = path.suffix.lower()
    text = _read_text(path)
    if suffix in PLS_SUFFIXES:
        return parse_pls(text, path.parent)
    if suffix in XSPF_SUFFIXES:
        return parse_xspf(text, path.parent)
    return parse_m3u(text, path.parent)


def _read_text(path: Path) -> str:
    try:
        data = read_regular_bytes(path, PLAYLIST_LIMIT)
    except OSError as err:
        raise PlaylistFileError(f"cannot read {path}: {err.strerror or err}") from err
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # a plain .m3u from an older player is often in a legacy 8-bit encoding
        return data.decode("latin-1")


def resolve(location: str, base: Path) -> Entry:
    """Where one playlist line points to, relative to the playlist's folder ``base``."""
    location = location.strip()
    scheme = _SCHEME.match(location)
    # "C:\Music\a.mp3" is a Windows path, not a URI with scheme "c"
    if scheme and len(scheme.group(1)) > 1:
        name = scheme.group(1).lower()
        if name != "file":
            return Entry(location, None, unplayable=f"a {name}:// stream: only local files are played")
        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            return Entry(location, None, unplayable=f"a file on another computer ({parts.netloc})")
        return Entry(location, Path(unquote(parts.path)))
    local = user_path(location)
    candidate = local if local.is_absolute() else base / local
    if "%" in location and not candidate.exists():
        decoded = user_path(unquote(location))
        decoded = decoded if decoded.is_absolute() else base / decoded
        if decoded.exists():
            candidate = decoded
    return Entry(location, candidate)


def _with(entry: Entry, title: str | None, duration_s: float | None) -> Entry:
    return Entry(entry.location, entry.path, title or None, duration_s, entry.unplayable)


def _seconds(text: str | None, scale: float = 1.0) -> float | None:
    try:
        value = float(text) / scale if text not in (None, "") else None
    except ValueError:
        return None
    return value if value and value > 0 else None  # -1 means "unknown" in M3U and PLS


def parse_m3u(text: str, base: Path) -> list[Entry]:
    entries, title, duration = [], None, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.upper().startswith("#EXTINF:"):
            # "#EXTINF:243,Artist - Title"; attributes (tvg-id="..") may sit before the comma
            info = line[len("#EXTINF:"):]
            length, _, name = info.partition(",")
            duration = _seconds(length.split()[0] if length.split() else None)
            title = name.strip() or None
            continue
        if line.startswith("#"):
            continue  # #EXTM3U, #EXTVLCOPT, #PLAYLIST ... say nothing about where files are
        entries.append(_with(resolve(line, base), title, duration))
        title, duration = None, None
    return entries


def parse_pls(text: str, base: Path) -> list[Entry]:
    fields: dict[int, dict[str, str]] = {}
    for raw in text.splitlines():
        key, sep, value = raw.strip().partition("=")
        match = re.fullmatch(r"(file|title|length)(\d+)", key.strip().lower()) if sep else None
        if match:
            fields.setdefault(int(match.group(2)), {})[match.group(1)] = value.strip()
    if not fields and "[playlist]" not in text.lower():
        raise PlaylistFileError("not a PLS playlist (no [playlist] section, no FileN= lines)")
    entries = []
    for number in sorted(fields):
        entry = fields[number]
        if entry.get("file"):
            entries.append(_with(resolve(entry["file"], base), entry.get("title"),
                                 _seconds(entry.get("length"))))
    return entries


def parse_xspf(text: str, base: Path) -> list[Entry]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise PlaylistFileError(f"not a valid XSPF playlist ({err})") from err
    ns = _XSPF_NS if root.tag.startswith(_XSPF_NS) else ""
    entries = []
    for track in root.iter(f"{ns}track"):
        location = track.findtext(f"{ns}location")
        if not location or not location.strip():
            continue
        location = location.strip()
        scheme = _SCHEME.match(location)
        if not scheme or len(scheme.group(1)) == 1:
            # a relative URI reference: resolved against the playlist's own URI
            location = urljoin(base.resolve().as_uri() + "/", location)
        name = (track.findtext(f"{ns}title") or "").strip()
        creator = (track.findtext(f"{ns}creator") or "").strip()
        title = f"{creator} – {name}" if name and creator else name or None
        entries.append(_with(resolve(location, base), title,
                             _seconds(track.findtext(f"{ns}duration"), scale=1000.0)))
    return entries
