"""Which playlist should play, and when to switch to it.

Every emotion has its own playlist (keyed by the emotion's name). The user may override
the choice from the dropdown; "Auto" (None) hands it back to the mood. A mood change
switches now, or, with the "after_track" policy, when the current track ends, so a song
is never cut in the middle.

The selector only proposes: ``current`` changes when the session reports that the player
really started a playlist (``started``), so a playlist that cannot play never becomes
"current" while other music is still playing.
"""

from __future__ import annotations

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.settings.schema import SWITCH_POLICIES


class PlaylistSelector:
    def __init__(self, switch_policy: str = "now") -> None:
        if switch_policy not in SWITCH_POLICIES:
            raise ValueError(f"switch policy must be one of {SWITCH_POLICIES}")
        self.switch_policy = switch_policy
        self.override: str | None = None
        self.mood: str | None = None
        self.current: str | None = None  # the playlist actually loaded in the player
        self.pending: str | None = None  # waiting for the end of the current track

    @property
    def wanted(self) -> str | None:
        return self.override or self.mood

    def on_mood(self, mood: str | None) -> str | None:
        """The mood changed. Returns the playlist to switch to now, or None."""
        if mood is not None and mood not in EMOTIONS:
            raise ValueError(f"unknown mood {mood!r}")
        self.mood = mood
        if self.override is not None:
            return None  # the user's choice wins until Auto is picked again
        return self._switch(immediately=self.switch_policy == "now")

    def on_override(self, playlist: str | None) -> str | None:
        """The user picked a playlist (None = Auto). Explicit choices apply at once."""
        self.override = playlist
        return self._switch(immediately=True)

    def on_track_finished(self) -> str | None:
        """The current track ended: a pending switch is due now."""
        target, self.pending = self.pending, None
        return None if target == self.current else target

    def started(self, playlist: str) -> None:
        """The player now plays ``playlist``."""
        self.current, self.pending = playlist, None

    def _switch(self, immediately: bool) -> str | None:
        target = self.wanted
        if target is None or target == self.current:
            self.pending = None
            return None
        if immediately or self.current is None:
            self.pending = None
            return target
        self.pending = target
        return None
