"""What the mood timeline shows, kept apart from how it is drawn (ui/timeline.py).

Fed live from the session's events (through the presenter) or built from a session record
(core/record.py): the windowed shares of the seven moods over time, the decided mood,
markers (mood switches, track changes, overrides, pauses) each with its one-sentence why,
and the spans with no face. Bounded: samples at most every ``resolution_s``, nothing older
than ``span_s`` kept, so ten minutes cost the same memory as the first one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.session import events
from moodplayer.core.session.explain import override_why

if TYPE_CHECKING:
    from moodplayer.core.records.record import SessionRecord

MARKER_KINDS = ("mood", "track", "override", "pause", "resume", "lift")


@dataclass(frozen=True)
class Sample:
    t: float
    shares: tuple[float, ...]  # in EMOTIONS order
    mood: str | None


@dataclass(frozen=True)
class Marker:
    t: float
    kind: str  # one of MARKER_KINDS
    text: str  # its explanation, shown when the pointer rests on it


class TimelineData:
    def __init__(self, span_s: float = 600.0, resolution_s: float = 0.5) -> None:
        self.span_s = span_s
        self.resolution_s = resolution_s
        self.samples: deque[Sample] = deque()
        self.markers: deque[Marker] = deque()
        self.no_face: deque[tuple[float, float | None]] = deque()  # (start, end or None while it lasts)
        self.start = 0.0  # where a record's time axis begins (live: the window slides)
        self.now = 0.0
        self._pending_playlist = ""  # a playlist's why, told with its first track

    # --- filling it ---------------------------------------------------------------------
    def add_shares(self, t: float, shares: dict[str, float], mood: str | None) -> bool:
        self.now = max(self.now, t)
        if self.samples and t - self.samples[-1].t < self.resolution_s:
            return False
        self.samples.append(Sample(t, tuple(shares.get(e, 0.0) for e in EMOTIONS), mood))
        self._expire()
        return True

    def mark(self, kind: str, text: str, t: float | None = None) -> None:
        self.markers.append(Marker(self.now if t is None else t, kind, text))
        self._expire()

    def face(self, lost: bool, t: float) -> None:
        if lost:
            self.no_face.append((t, None))
        elif self.no_face and self.no_face[-1][1] is None:
            self.no_face[-1] = (self.no_face[-1][0], t)

    def _expire(self) -> None:
        horizon = self.now - self.span_s
        while self.samples and self.samples[0].t < horizon:
            self.samples.popleft()
        while self.markers and self.markers[0].t < horizon:
            self.markers.popleft()
        while self.no_face and self.no_face[0][1] is not None and self.no_face[0][1] < horizon:
            self.no_face.popleft()

    def on_event(self, e: object) -> bool:
        """A session event; True when the picture changed."""
        if isinstance(e, events.ReadingsSeen):
            if not e.state.shares:
                self.now = max(self.now, e.reading.t)
                return False
            return self.add_shares(e.reading.t, e.state.shares, e.state.mood)
        if isinstance(e, events.MoodChanged):
            self.mark("mood", e.why or e.mood, e.t)
        elif isinstance(e, events.PlaylistStarted):
            self._pending_playlist = e.why
            return False
        elif isinstance(e, events.TrackChanged):
            if e.track is None:
                return False
            text = "\n".join(x for x in (self._pending_playlist, e.why) if x)
            self._pending_playlist = ""
            self.mark("track", text)
        elif isinstance(e, events.LiftFinished):
            self.mark("lift", f"the lift from {e.mood} reached {e.target}")
        elif isinstance(e, events.OverrideChanged):
            self.mark("override", override_why(e.name))
        elif isinstance(e, events.Paused):
            self.mark("pause", "paused by you" if e.by == "user" else "paused: no face")
        elif isinstance(e, events.Resumed):
            self.mark("resume", "played by you" if e.by == "user" else "the face is back: playing")
        elif isinstance(e, events.FacePresence):
            self.face(e.lost, e.t)
        else:
            return False
        return True

    # --- from a record -------------------------------------------------------------------
    @classmethod
    def from_record(cls, record: SessionRecord) -> TimelineData:
        """The whole of a recorded session (core/record.py SessionRecord)."""
        data = cls(span_s=max(record.duration_s, 1.0) + 1.0, resolution_s=0.0)
        kinds = {"pause": "pause", "resume": "resume", "override": "override",
                 "lift_finished": "lift"}
        for line in record.lines:
            kind, t = line.get("type"), float(line.get("t", 0.0))
            if kind == "shares" and isinstance(line.get("shares"), dict):
                data.add_shares(t, line["shares"], line.get("mood"))
            elif kind == "mood":
                data.mark("mood", line.get("why") or str(line.get("mood")), t)
            elif kind == "track":
                data.mark("track", line.get("why") or str(line.get("title")), t)
            elif kind in ("no_face", "face_back"):
                data.face(kind == "no_face", t)
            elif kind in kinds:
                text = {"override": override_why(line.get("name")),
                        "lift_finished": f"the lift from {line.get('mood')} reached {line.get('target')}",
                        }.get(kind, f"{kind} by {line.get('by')}")
                data.mark(kinds[kind], text, t)
        data.now = record.duration_s
        return data
