"""A calibration video's timing script: ``{"script": [[start_s, end_s, label], ...]}``, each
label one of the seven emotions or "none" (frames not to use). Read and checked here, so
``moodplayer calibrate`` and any later user of scripts say the same about a bad one."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.reading import MB, read_regular_text

NO_LABEL = "none"


class ScriptError(ValueError):
    """The script cannot be used: one line names the entry and what is wrong."""


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    label: str  # one of EMOTIONS, or NO_LABEL


def load_script(path: str | Path) -> list[Segment]:
    """The script at ``path``, checked (ScriptError)."""
    try:
        text = read_regular_text(Path(path), MB)  # a BOM from Notepad is fine; no FIFO
    except OSError as err:
        raise ScriptError(f"cannot read the script {path}: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise ScriptError(f"the script {path} is not UTF-8 text: {err}") from err
    return parse_script(text, str(path))


def _seconds(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_script(text: str, where: str = "the script") -> list[Segment]:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ScriptError(f"{where} is not JSON: {err}") from err
    entries = data.get("script") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ScriptError(f'{where} must be {{"script": [[start_s, end_s, label], ...]}}')
    segments = []
    for i, entry in enumerate(entries):
        what = f"script entry {i + 1} ({json.dumps(entry)[:80]})"
        if not isinstance(entry, list) or len(entry) != 3:
            raise ScriptError(f"{what}: expected [start_s, end_s, label]")
        start, end, label = entry
        if not (_seconds(start) and _seconds(end)) or not 0 <= start < end:
            raise ScriptError(f"{what}: times must be seconds with 0 <= start < end")
        if not isinstance(label, str) or label.lower() not in EMOTIONS + (NO_LABEL,):
            raise ScriptError(f"{what}: label {str(label)[:40]!r} is not one of "
                              f"{', '.join(EMOTIONS)} or {NO_LABEL}")
        segments.append(Segment(float(start), float(end), label.lower()))
    segments.sort(key=lambda s: s.start)
    for a, b in zip(segments, segments[1:]):
        if b.start < a.end:
            raise ScriptError(f"script segments overlap: {a.start:g}-{a.end:g} s and "
                              f"{b.start:g}-{b.end:g} s")
    if not any(s.label == "neutral" for s in segments):
        raise ScriptError("the script has no neutral segment: a calibration starts "
                          "from the relaxed face")
    return segments


def segment_at(script: list[Segment], t: float) -> Segment | None:
    for s in script:
        if s.start <= t < s.end:
            return s
    return None


def label_at(script: list[Segment], t: float) -> str | None:
    s = segment_at(script, t)
    return None if s is None or s.label == NO_LABEL else s.label
