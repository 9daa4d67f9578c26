"""Which track comes next: repeat the playlist (the default), repeat one track, shuffle.

Pure logic shared by every player backend. Shuffle plays every playable track once per
round, a new order each round, and never the same track twice in a row across a round
boundary; ``previous`` walks back through what was actually played.
"""

from __future__ import annotations

import random
from collections.abc import Set

REPEAT_PLAYLIST, REPEAT_ONE = "playlist", "one"
REPEAT_MODES = (REPEAT_PLAYLIST, REPEAT_ONE)
_MAX_HISTORY = 10_000  # a long session's shuffle history stays small


class PlayOrder:
    def __init__(self, rng: random.Random | None = None) -> None:
        self.repeat = REPEAT_PLAYLIST
        self.shuffle = False
        self._rng = rng or random.Random()
        self.n = 0
        self.planned = False  # the list is a plan (a lift): played in order, shuffle or not
        self._sequence: list[int] = []  # shuffle: the rounds played so far, back to back
        self._cursor = -1  # position of the current track in _sequence

    def reset(self, n: int, planned: bool = False) -> None:
        """A new playlist of ``n`` tracks: the shuffle history starts afresh. A ``planned``
        list (the session's lift) keeps its order even while shuffle is on."""
        self.n = n
        self.planned = planned
        self._sequence, self._cursor = [], -1

    @property
    def shuffling(self) -> bool:
        return self.shuffle and not self.planned

    def set_repeat(self, mode: str) -> None:
        if mode not in REPEAT_MODES:
            raise ValueError(f"repeat mode {mode!r}: use one of {', '.join(REPEAT_MODES)}")
        self.repeat = mode

    def set_shuffle(self, on: bool) -> None:
        if bool(on) != self.shuffle:
            self.shuffle = bool(on)
            self._sequence, self._cursor = [], -1

    def first(self, broken: Set[int] = frozenset()) -> int:
        """Where a freshly loaded playlist starts: the top, or anywhere when shuffling."""
        playable = [i for i in range(self.n) if i not in broken]
        if not playable:
            return -1
        if not self.shuffling:
            return playable[0]
        start = self._rng.choice(playable)
        self._begin_at(start)
        return start

    def after_finish(self, current: int, broken: Set[int] = frozenset()) -> int:
        """The track that follows one that played to its end."""
        if (self.repeat == REPEAT_ONE and not self.planned
                and 0 <= current < self.n and current not in broken):
            return current
        return self.step(current, 1, broken)

    def step(self, current: int, delta: int, broken: Set[int] = frozenset()) -> int:
        """Next (+1) or previous (-1) playable track from ``current``; -1 if none is left."""
        if self.n == 0 or len(broken) >= self.n:
            return -1
        if not self.shuffling:
            for k in range(1, self.n + 1):
                candidate = (current + delta * k) % self.n
                if candidate not in broken:
                    return candidate
            return -1
        if not (0 <= self._cursor < len(self._sequence)) or self._sequence[self._cursor] != current:
            self._begin_at(current)  # shuffle just switched on, or the user picked a track
        # Bounded: at most one new round plus the history already there is walked.
        for _ in range(len(self._sequence) + 2 * self.n + 1):
            self._cursor += delta
            if self._cursor < 0:
                # Before the first track played: stay on the oldest playable one.
                self._cursor = 0
                oldest = next((i for i in self._sequence if i not in broken), -1)
                if oldest >= 0:
                    self._cursor = self._sequence.index(oldest)
                return oldest
            if self._cursor >= len(self._sequence):
                self._new_round(broken)
            candidate = self._sequence[self._cursor]
            if candidate not in broken:
                return candidate
        return -1

    # --- shuffle rounds ---------------------------------------------------------------
    def _begin_at(self, current: int) -> None:
        """A round that starts with the track playing now, the rest in a random order."""
        rest = [i for i in range(self.n) if i != current]
        self._rng.shuffle(rest)
        self._sequence = ([current] if 0 <= current < self.n else []) + rest
        self._cursor = 0

    def _new_round(self, broken: Set[int]) -> None:
        order = list(range(self.n))
        self._rng.shuffle(order)
        last = next((i for i in reversed(self._sequence) if i not in broken), None)
        playable = [k for k, i in enumerate(order) if i not in broken]
        if last is not None and len(playable) > 1 and order[playable[0]] == last:
            # the new round would open with the track that just closed the old one
            swap = self._rng.choice(playable[1:])
            order[playable[0]], order[swap] = order[swap], order[playable[0]]
        self._sequence.extend(order)
        if len(self._sequence) > _MAX_HISTORY:
            drop = len(self._sequence) - _MAX_HISTORY
            self._sequence = self._sequence[drop:]
            self._cursor -= drop
