"""The session record: what happened in a therapy session, as JSON Lines, and reading it back.

Opt-in per profile (``record_sessions``). One file per session in the user's data folder,
``sessions/<profile>/<start>.jsonl``: a ``start`` line, then one line per thing that
happened (mood changes with their shares and why, tracks with start, end and whether they
finished or were skipped, playlists, overrides, pauses, no-face spans, the window's shares
once a second for the timeline), then an ``end`` line. Every line is flushed as it is
written, so a crash loses at most the line being written. No image, crop or frame is ever
written: the recorder only sees the session's events, which hold numbers and names.

Reading never raises for a file's content: a damaged or truncated file is listed with what
is wrong with it (``damaged``), and what could be read of it still opens.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.locations import data_dir
from moodplayer.core.files.reading import MB, read_regular_bytes
from moodplayer.core.files.userpath import file_stem
from moodplayer.core.session import events

FORMAT_VERSION = 1
SHARES_EVERY_S = 1.0  # the timeline's resolution in a record
RECORD_LIMIT = 256 * MB  # a day-long session is a few MB


def profile_dir(profile: str, root: Path | None = None) -> Path:
    """``<data>/sessions/<profile>``: one folder per profile name, never shared (file_stem)."""
    return (root or data_dir()) / "sessions" / file_stem(profile)


class SessionRecorder:
    """Subscribed to a session (``session.subscribe(recorder)``), writes what happened.

    A write that fails (a full disk, a folder that became unwritable) stops the recording
    and calls ``on_failure`` with a sentence for the user; the session, and the music, go on.
    """

    def __init__(self, profile: str, root: Path | None = None,
                 on_failure: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.profile = profile
        self.on_failure = on_failure or (lambda text: None)
        self.clock = clock
        self.started = clock()
        self.failed: str | None = None
        self.closed = False
        self._last_shares_t = -SHARES_EVERY_S
        self._track: dict[str, Any] | None = None  # the track playing: closed when the next starts
        self._track_finished = False
        folder = profile_dir(profile, root)
        folder.mkdir(parents=True, exist_ok=True)  # OSError: the caller says so
        stamp = datetime.fromtimestamp(self.started).strftime("%Y-%m-%dT%H-%M-%S")
        path, n = folder / f"{stamp}.jsonl", 1
        while path.exists():
            n += 1
            path = folder / f"{stamp}-{n}.jsonl"
        self.path = path
        self._file = open(path, "x", encoding="utf-8")
        self._write({"type": "start", "t": 0.0, "version": FORMAT_VERSION, "profile": profile,
                     "at": datetime.fromtimestamp(self.started).isoformat(timespec="seconds")})

    @property
    def active(self) -> bool:
        return not (self.closed or self.failed)

    def _now(self) -> float:
        return round(self.clock() - self.started, 3)

    def _write(self, line: dict[str, Any]) -> None:
        if not self.active:
            return
        try:
            self._file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._file.flush()  # a crash loses at most this line
        except (OSError, ValueError) as err:
            self._fail(err)

    def _fail(self, err: Exception) -> None:
        self.failed = f"Session recording stopped: cannot write {self.path} ({err}); the music goes on"
        try:
            self._file.close()
        except OSError:
            pass  # the disk is full: the close's flush fails too, the record keeps what it has
        self.on_failure(self.failed)

    # --- the session's events ------------------------------------------------------------
    def __call__(self, event: object) -> None:
        if not self.active:
            return
        t = self._now()
        e = event
        if isinstance(e, events.ReadingsSeen):
            if e.state.shares and t - self._last_shares_t >= SHARES_EVERY_S:
                self._last_shares_t = t
                self._write({"type": "shares", "t": t, "mood": e.state.mood,
                             "shares": _rounded(e.state.shares)})
        elif isinstance(e, events.MoodChanged):
            self._write({"type": "mood", "t": t, "mood": e.mood, "previous": e.previous,
                         "confidence": round(e.confidence, 4), "shares": _rounded(e.shares),
                         "why": e.why, "reading_t": round(e.t, 3)})
        elif isinstance(e, events.PlaylistStarted):
            self._write({"type": "playlist", "t": t, "name": e.name, "playlist": e.playlist.name,
                         "lifting_towards": e.lifting_towards, "why": e.why})
        elif isinstance(e, events.TrackFinished):
            self._track_finished = True
        elif isinstance(e, events.TrackChanged):
            self._end_track(t)
            if e.track is not None:
                self._track = {"title": e.track.title, "path": str(e.track.path), "start": t}
                self._track_finished = False
                self._write({"type": "track", "t": t, "title": e.track.title,
                             "path": str(e.track.path), "index": e.index,
                             "playlist": e.playlist.name if e.playlist else None, "why": e.why})
        elif isinstance(e, events.LiftFinished):
            self._write({"type": "lift_finished", "t": t, "mood": e.mood, "target": e.target})
        elif isinstance(e, events.OverrideChanged):
            self._write({"type": "override", "t": t, "name": e.name})
        elif isinstance(e, events.Paused):
            self._write({"type": "pause", "t": t, "by": e.by})
        elif isinstance(e, events.Resumed):
            self._write({"type": "resume", "t": t, "by": e.by})
        elif isinstance(e, events.FacePresence):
            self._write({"type": "no_face" if e.lost else "face_back", "t": t})
        elif isinstance(e, events.PlaylistRefused):
            self._write({"type": "notice", "t": t, "text": f"cannot play {e.name}: {e.why}"})
        elif isinstance(e, events.Notice):
            self._write({"type": "notice", "t": t, "text": e.text})

    def _end_track(self, t: float, how: str | None = None) -> None:
        if self._track is None:
            return
        how = how or ("finished" if self._track_finished else "skipped")
        self._write({"type": "track_end", "t": t, **self._track, "end": t, "how": how})
        self._track = None

    def close(self) -> None:
        """The session is over (the app closes, the profile changes, recording is turned off)."""
        if not self.active:
            return
        t = self._now()
        self._end_track(t, "session ended")
        self._write({"type": "end", "t": t})
        try:
            os.fsync(self._file.fileno())
            self._file.close()
        except (OSError, ValueError) as err:
            self._fail(err)
        self.closed = True


def _rounded(shares: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in shares.items()}


# --- reading records back ----------------------------------------------------------------
@dataclass
class SessionRecord:
    id: str  # the file's name without .jsonl: the start, e.g. 2026-11-28T11-20-05
    path: Path
    profile: str = ""
    start: str = ""  # ISO date and time
    lines: list[dict[str, Any]] = field(default_factory=list)
    damaged: str | None = None  # what is wrong with the file, for the user
    ended: bool = False  # an end line: the app closed the session properly

    @property
    def duration_s(self) -> float:
        return max((line.get("t", 0.0) for line in self.lines), default=0.0)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("type") == kind]

    @property
    def moods(self) -> list[dict[str, Any]]:
        return self.of("mood")

    @property
    def tracks(self) -> list[dict[str, Any]]:
        """Every track played: title, path, start, end, how (finished / skipped / session
        ended); the last one of a session that crashed has no end line: it ends with it."""
        ended = {(line["start"], line["path"]): line for line in self.of("track_end")}
        out = []
        for line in self.of("track"):
            end = ended.get((line["t"], line["path"]))
            out.append({"title": line["title"], "path": line["path"], "start": line["t"],
                        "end": end["end"] if end else self.duration_s,
                        "how": end["how"] if end else "session ended", "why": line.get("why", "")})
        return out

    def mood_at(self, t: float) -> str | None:
        mood = None
        for line in self.moods:
            if line["t"] > t:
                break
            mood = line["mood"]
        return mood

    @property
    def mood_at_start(self) -> str | None:
        return self.moods[0]["mood"] if self.moods else None

    @property
    def mood_at_end(self) -> str | None:
        return self.moods[-1]["mood"] if self.moods else None

    def time_per_mood(self) -> dict[str, float]:
        """Seconds in each mood, from each switch to the next (the last to the end)."""
        out: dict[str, float] = {}
        moods = self.moods
        for line, after in zip(moods, moods[1:] + [{"t": self.duration_s}]):
            out[line["mood"]] = round(out.get(line["mood"], 0.0) + max(0.0, after["t"] - line["t"]), 3)
        return out

    def moods_during(self, start: float, end: float) -> list[str]:
        """The moods while [start, end] played, in order, each once in a row."""
        seen = [self.mood_at(start)] + [m["mood"] for m in self.moods if start < m["t"] < end]
        out: list[str] = []
        for mood in seen:
            if mood and (not out or out[-1] != mood):
                out.append(mood)
        return out

    def lifts(self) -> list[dict[str, Any]]:
        """Each lift: from which mood towards which, when it started, and whether (and how
        long after) the mood reached its target."""
        out = []
        for line in self.of("playlist"):
            target = line.get("lifting_towards")
            if not target:
                continue
            reached = next((m["t"] for m in self.moods if m["t"] >= line["t"] and m["mood"] == target),
                           None)
            out.append({"t": line["t"], "mood": line["name"], "target": target,
                        "reached_after_s": None if reached is None else round(reached - line["t"], 3)})
        return out

    def summary(self) -> dict[str, Any]:
        """What ``moodplayer sessions --json`` prints for it."""
        return {"id": self.id, "profile": self.profile, "start": self.start,
                "duration_s": round(self.duration_s, 3), "damaged": self.damaged,
                "moods": [{"t": m["t"], "mood": m["mood"], "why": m.get("why", "")} for m in self.moods],
                "tracks": [{"t": tr["start"], "title": tr["title"], "path": tr["path"]} for tr in self.tracks],
                "time_per_mood": self.time_per_mood()}


# A time in a record: seconds since the session's start, finite, at most a week (a record
# says what happened in a session; a hand-edited 1e300 must not make the timeline draw
# 10^297 grid lines).
MAX_T = 7 * 24 * 3600.0


def _time(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) \
        and 0.0 <= v <= MAX_T


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _text(v: object) -> bool:
    return isinstance(v, str)


def _text_or_none(v: object) -> bool:
    return v is None or isinstance(v, str)


def _emotion(v: object) -> bool:
    return isinstance(v, str) and v in EMOTIONS


def _emotion_or_none(v: object) -> bool:
    return v is None or _emotion(v)


def _shares(v: object) -> bool:
    return isinstance(v, dict) and all(_emotion(k) and _number(x) and -1e-6 <= x <= 1 + 1e-6
                                       for k, x in v.items())


def _index(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**9


# What each kind of line must hold for the readers above, and what what it may hold must
# look like: a line that breaks either is damaged (listed, skipped), so every reader, the
# report and the timeline can trust the lines they get.
LINE_KEYS: dict[str, tuple[dict[str, Callable[[object], bool]], dict[str, Callable[[object], bool]]]] = {
    # type: ({required key: check}, {optional key: check})
    "start": ({}, {"profile": _text, "at": _text, "version": _index}),
    "shares": ({"shares": _shares}, {"mood": _emotion_or_none}),
    "mood": ({"mood": _emotion}, {"previous": _emotion_or_none, "confidence": _number,
                                  "shares": _shares, "why": _text, "reading_t": _number}),
    "playlist": ({"name": _text}, {"playlist": _text_or_none, "lifting_towards": _text_or_none,
                                   "why": _text}),
    "track": ({"title": _text, "path": _text}, {"index": _index, "playlist": _text_or_none,
                                                "why": _text}),
    "track_end": ({"start": _time, "path": _text, "end": _time, "how": _text},
                  {"title": _text}),
    "lift_finished": ({}, {"mood": _text, "target": _text}),
    "override": ({}, {"name": _text_or_none}),
    "pause": ({}, {"by": _text}),
    "resume": ({}, {"by": _text}),
    "notice": ({}, {"text": _text}),
}


def _valid(line: object) -> bool:
    """A session event whose every value the readers use is of the kind they expect."""
    if not isinstance(line, dict) or not isinstance(line.get("type"), str) or not _time(line.get("t")):
        return False
    required, optional = LINE_KEYS.get(line["type"], ({}, {}))
    return all(key in line and check(line[key]) for key, check in required.items()) and \
        all(check(line[key]) for key, check in optional.items() if key in line)


def load_session(path: Path) -> SessionRecord:
    """Never raises for the content: what is wrong goes in ``damaged``."""
    record = SessionRecord(id=path.stem, path=path)
    try:
        raw = read_regular_bytes(path, RECORD_LIMIT).decode("utf-8", errors="replace")
    except OSError as err:
        record.damaged = f"cannot be read ({err.strerror or err})"
        return record
    text_lines = raw.split("\n")
    last = len(text_lines) - 1 if text_lines and text_lines[-1] == "" else len(text_lines)
    for number, text in enumerate(text_lines[:last], 1):
        try:
            line = json.loads(text)
            if not _valid(line):
                raise ValueError("not an event")
        except (ValueError, RecursionError):  # RecursionError: [[[[...]]]] thousands deep
            truncated = number == last and not raw.endswith("\n")
            record.damaged = (f"truncated at line {number}" if truncated
                              else f"line {number} is not a session event")
            if not truncated:
                continue  # a damaged line in the middle: the rest is still read
            break
        if number == 1 and line.get("type") != "start":
            record.damaged = "it does not begin with a session start"
        record.lines.append(line)
    start = record.lines[0] if record.lines and record.lines[0].get("type") == "start" else None
    if start is None:
        record.damaged = record.damaged or "empty"
    else:
        record.profile, record.start = str(start.get("profile", "")), str(start.get("at", ""))
    record.ended = bool(record.of("end"))
    return record


def list_sessions(profile: str, root: Path | None = None) -> list[SessionRecord]:
    """The profile's sessions, oldest first (damaged ones included, marked)."""
    folder = profile_dir(profile, root)
    if not folder.is_dir():
        return []
    return [load_session(p) for p in sorted(folder.glob("*.jsonl"))]


def find_session(profile: str, session_id: str, root: Path | None = None) -> SessionRecord | None:
    """``session_id`` (a file name without .jsonl) or ``latest``; None if there is none."""
    sessions = list_sessions(profile, root)
    if session_id == "latest":
        return sessions[-1] if sessions else None
    return next((s for s in sessions if s.id == session_id), None)


def delete_session(record: SessionRecord) -> None:
    record.path.unlink(missing_ok=True)


def delete_all_sessions(profile: str, root: Path | None = None) -> int:
    """Deletes every record of ``profile``; returns how many there were."""
    folder = profile_dir(profile, root)
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    for path in files:
        path.unlink(missing_ok=True)
    return len(files)
