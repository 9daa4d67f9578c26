"""What the session reports. The window, the log and (later) the session record and the
explanations subscribe to these; none of them asks the session's internals."""

from __future__ import annotations

from dataclasses import dataclass, field

from moodplayer.core.emotions import Reading
from moodplayer.core.music.playlist import Playlist, Track
from moodplayer.core.session.mood_window import MoodState


@dataclass(frozen=True)
class ReadingsSeen:
    """A batch of readings went through the mood window: ``state`` after the last one."""

    reading: Reading
    state: MoodState


@dataclass(frozen=True)
class MoodChanged:
    t: float  # the reading's time
    mood: str
    previous: str | None
    confidence: float
    shares: dict[str, float] = field(default_factory=dict)
    why: str = ""  # one sentence (core/explain.py)


@dataclass(frozen=True)
class FacePresence:
    t: float
    lost: bool  # True: no face for longer than the profile's timeout


@dataclass(frozen=True)
class PlaylistStarted:
    """``name`` (an emotion) is about to play ``playlist``; ``lifting_towards`` names the
    lift's target while the iso-principle plays."""

    name: str
    playlist: Playlist
    lifting_towards: str | None = None
    why: str = ""  # what made it play, one sentence (core/explain.py)


@dataclass(frozen=True)
class LiftFinished:
    mood: str
    target: str  # from now on only the target's playlist plays, in a loop


@dataclass(frozen=True)
class TrackChanged:
    index: int
    track: Track | None
    playlist: Playlist | None
    why: str = ""  # which track, and where in the lift (core/explain.py)


@dataclass(frozen=True)
class TrackFinished:
    """The track played to its end by itself (not skipped); a TrackChanged follows."""

    index: int


@dataclass(frozen=True)
class PlaylistRefused:
    name: str
    why: str  # the music that was playing goes on


@dataclass(frozen=True)
class OverrideChanged:
    name: str | None  # None: Auto, the mood decides again


@dataclass(frozen=True)
class Paused:
    by: str  # "user" | "policy" (no face)


@dataclass(frozen=True)
class Resumed:
    by: str  # "user" | "policy" (the face is back)


@dataclass(frozen=True)
class Notice:
    text: str  # something the user should know; nothing stops


@dataclass(frozen=True)
class PlaylistUpdated:
    """``name``'s folder or playlist file changed on disk: ``playlist`` is what it holds now
    (and what the player plays from, when it is the one playing: the track goes on)."""

    name: str
    playlist: Playlist
    added: int
    removed: int
    playing: int | None = None  # the playing track's index in it, when it is what plays
