"""Even loudness: the gain each track plays with, from its ReplayGain tags or its measured
loudness, and the cache of measurements.

ReplayGain tags (ID3 ``TXXX:REPLAYGAIN_*``, Vorbis / FLAC / Opus comments, APEv2, MP4
``----:com.apple.iTunes:replaygain_*``, Opus ``R128_*_GAIN``) are read with mutagen. A track
without them is measured once, in the background (EBU R128 integrated loudness, by
libebur128: playback/loudness.py), and the result is kept by path, size and modification
time in the cache folder, so a file that changes is measured again. The gain brings every
track to ReplayGain 2's reference (-18 LUFS), lowered where the track's peak would clip.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moodplayer.core.files.atomic import write_text_atomically

REFERENCE_LUFS = -18.0  # ReplayGain 2.0's reference level
GAIN_RANGE_DB = (-32.0, 8.0)  # what the player's gain stage can do (playback/vlc_backend.py)
MODES = ("track", "album", "off")
CACHE_VERSION = 1
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class ReplayGain:
    track_gain: float | None = None  # dB
    track_peak: float | None = None  # linear, 1.0 = full scale
    album_gain: float | None = None
    album_peak: float | None = None

    @property
    def tagged(self) -> bool:
        return self.track_gain is not None or self.album_gain is not None


@dataclass(frozen=True)
class Measured:
    lufs: float  # integrated loudness (EBU R128)
    peak: float  # sample peak, linear


def _number(text: object) -> float | None:
    match = _NUMBER.search(str(text))
    if match is None:
        return None
    value = float(match.group())
    return value if math.isfinite(value) else None


def _first(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return value[0] if value else ""
    text = getattr(value, "text", None)  # an ID3 frame
    if isinstance(text, list):
        return text[0] if text else ""
    if isinstance(value, bytes):  # an MP4 freeform atom
        return value.decode("utf-8", "replace")
    return value


def _tag_items(tags: Any) -> dict[str, object]:
    """Every tag as lower-case name -> first value, whatever the container."""
    items: dict[str, object] = {}
    if hasattr(tags, "getall"):  # ID3: TXXX frames carry ReplayGain
        for frame in tags.getall("TXXX"):
            items[str(frame.desc).lower()] = _first(frame)
        return items
    try:
        pairs = list(tags.items())
    except Exception:
        return items
    for key, value in pairs:
        name = str(key).lower().removeprefix("----:com.apple.itunes:")
        items.setdefault(name, _first(value))
    return items


def replaygain_from_tags(items: dict[str, object]) -> ReplayGain:
    """ReplayGain from tags already read (lower-case names): REPLAYGAIN_* first, else
    Opus's R128_* (Q7.8 dB relative to -23 LUFS)."""
    track = _number(items["replaygain_track_gain"]) if "replaygain_track_gain" in items else None
    album = _number(items["replaygain_album_gain"]) if "replaygain_album_gain" in items else None
    if track is None and "r128_track_gain" in items:
        q = _number(items["r128_track_gain"])
        track = None if q is None else q / 256 + (REFERENCE_LUFS + 23.0)
    if album is None and "r128_album_gain" in items:
        q = _number(items["r128_album_gain"])
        album = None if q is None else q / 256 + (REFERENCE_LUFS + 23.0)
    track_peak = _number(items.get("replaygain_track_peak", "")) if "replaygain_track_peak" in items else None
    album_peak = _number(items.get("replaygain_album_peak", "")) if "replaygain_album_peak" in items else None
    return ReplayGain(track, track_peak, album, album_peak)


def read_replaygain(path: Path) -> ReplayGain:
    """The file's ReplayGain tags; an untagged, unreadable or unknown file has none."""
    try:
        import mutagen

        audio = mutagen.File(path)
    except Exception:  # a broken tag never stops the music: it just has no gain
        return ReplayGain()
    if audio is None or not audio.tags:
        return ReplayGain()
    return replaygain_from_tags(_tag_items(audio.tags))


def gain_db(mode: str, tags: ReplayGain, measured: Measured | None) -> float:
    """The gain a track plays with: ``mode`` track or album (each falls back to the other,
    then to the measurement), or off (0). Never so much that the peak would clip."""
    if mode == "off":
        return 0.0
    if mode == "album":
        order = [(tags.album_gain, tags.album_peak), (tags.track_gain, tags.track_peak)]
    else:
        order = [(tags.track_gain, tags.track_peak), (tags.album_gain, tags.album_peak)]
    gain, peak = next(((g, p) for g, p in order if g is not None), (None, None))
    if gain is None and measured is not None and math.isfinite(measured.lufs):
        gain, peak = REFERENCE_LUFS - measured.lufs, measured.peak
    if gain is None:
        return 0.0
    if peak is not None and peak > 0:
        gain = min(gain, -20.0 * math.log10(peak))  # keep the loudest sample below full scale
    return max(GAIN_RANGE_DB[0], min(GAIN_RANGE_DB[1], gain))


def file_key(path: Path) -> tuple[int, int] | None:
    """(size, modification time in ns): a measurement holds while these do."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class LoudnessCache:
    """Measurements by absolute path, valid while the file's size and mtime stay the same.
    A damaged cache file is ignored (everything is measured again), never fatal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tracks: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
                tracks = data.get("tracks", {})
                if isinstance(tracks, dict):
                    self._tracks = {k: v for k, v in tracks.items() if isinstance(v, dict)}
        except (OSError, ValueError):
            pass

    def get(self, track: Path) -> Measured | None:
        entry = self._tracks.get(str(track))
        key = file_key(track)
        if entry is None or key is None or [entry.get("size"), entry.get("mtime_ns")] != list(key):
            return None
        try:
            return Measured(float(entry["lufs"]), float(entry["peak"]))
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, track: Path, measured: Measured, key: tuple[int, int]) -> None:
        lufs = measured.lufs if math.isfinite(measured.lufs) else -200.0  # silence
        self._tracks[str(track)] = {"size": key[0], "mtime_ns": key[1],
                                    "lufs": round(lufs, 2), "peak": round(measured.peak, 5)}
        self.dirty = True

    def __len__(self) -> int:
        return len(self._tracks)

    def save(self) -> None:
        """Write the cache atomically (OSError to the caller)."""
        if not self.dirty:
            return
        write_text_atomically(self.path, json.dumps({"version": CACHE_VERSION, "tracks": self._tracks}))
        self.dirty = False
