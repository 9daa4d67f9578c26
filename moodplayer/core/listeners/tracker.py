"""Who is listening: per-second identifications (core/listeners/matching.py) turned into a
stable answer, the way the mood window turns noisy readings into a mood.

Every second or so the app identifies the largest face and pushes the answer: an enrolled
profile, ``None`` for a face nobody enrolled, or no face at all. Inside the last
``window_s`` seconds the most frequent answer among the faces seen leads; it becomes the
listener once it holds at least ``share`` of those answers and was seen ``min_seen``
times (a few seconds), so one odd identification never moves anything. After
``absent_s`` without a face nobody is decided any more (whoever sits down next is
identified afresh).

What follows from the listener (``ListenerChange``, and the two properties):

* an enrolled profile other than the active one: ``switch_to`` proposes it (the app
  switches, or asks; a refused proposal, ``decline``, is not made again until someone
  else has been the listener);
* a face nobody enrolled: the active profile stays, but its calibration is not applied
  (``calibration_applies``): it was made for another face. So is a profile's
  calibration while a known other listener has not been switched to, and, when the active
  profile is enrolled, while nobody is decided yet;
* the active profile's own person: the calibration applies.

A profile that is not enrolled cannot be told from a stranger: its calibration applies
to any face that is not recognised as someone else's.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Collection
from dataclasses import dataclass

WINDOW_S = 4.0
SHARE = 0.7
MIN_SEEN = 3
ABSENT_S = 10.0


@dataclass(frozen=True)
class ListenerChange:
    t: float
    profile: str | None  # the listener now: an enrolled profile, or None (nobody enrolled)
    previous: str | None
    switch_to: str | None  # an enrolled profile other than the active one, to switch to (or ask)
    why: str


class ListenerTracker:
    def __init__(self, active: str, enrolled: Collection[str] = (), window_s: float = WINDOW_S,
                 share: float = SHARE, min_seen: int = MIN_SEEN, absent_s: float = ABSENT_S) -> None:
        if window_s <= 0 or not 0.5 < share <= 1.0 or min_seen < 1 or absent_s <= 0:
            raise ValueError("window_s > 0, 0.5 < share ≤ 1, min_seen ≥ 1 and absent_s > 0")
        self.window_s, self.share, self.min_seen, self.absent_s = window_s, share, min_seen, absent_s
        self.active = active
        self.enrolled = frozenset(enrolled)
        self.listener: str | None = None
        self.decided = False
        self._seen: deque[tuple[float, str | None]] = deque()
        self._last_face: float | None = None
        self._declined: str | None = None

    # -- what the app asks ------------------------------------------------------------------

    @property
    def calibration_applies(self) -> bool:
        """Whether the active profile's calibration may correct the face being read."""
        if not self.decided:
            return self.active not in self.enrolled
        if self.listener is None:
            return self.active not in self.enrolled
        return self.listener == self.active

    @property
    def switch_to(self) -> str | None:
        """A known listener other than the active profile's, not declined: switch (or ask)."""
        if self.decided and self.listener is not None and self.listener != self.active \
                and self.listener != self._declined:
            return self.listener
        return None

    # -- what the app tells it --------------------------------------------------------------

    def push(self, t: float, profile: str | None, face: bool = True) -> ListenerChange | None:
        """One identification at time ``t`` (seconds): ``profile`` the enrolled profile the
        face matched, or None; ``face=False`` when no face was seen. Returns a change of
        listener, or None."""
        if not face:
            if self._last_face is not None and t - self._last_face >= self.absent_s:
                self._forget()
            self._expire(t)
            return None
        if profile is not None and profile not in self.enrolled:
            raise ValueError(f"{profile!r} is not an enrolled profile")
        self._last_face = t
        self._seen.append((t, profile))
        self._expire(t)
        counts = Counter(p for _, p in self._seen)
        leader, votes = counts.most_common(1)[0]
        if votes < self.min_seen or votes < self.share * len(self._seen):
            return None
        if self.decided and leader == self.listener:
            return None
        previous, self.listener, self.decided = self.listener, leader, True
        if self._declined is not None and leader != self._declined:
            self._declined = None
        return ListenerChange(t, leader, previous, self.switch_to,
                              self._why(leader, votes, len(self._seen)))

    def set_active(self, profile: str, enrolled: Collection[str] | None = None) -> None:
        """The app switched profile (or the user did; or the enrolments changed)."""
        self.active = profile
        if enrolled is not None:
            self.enrolled = frozenset(enrolled)
            if self.listener is not None and self.listener not in self.enrolled:
                self._forget()  # that face was forgotten: identify afresh
        if self._declined == profile:
            self._declined = None

    def decline(self) -> None:
        """The proposed switch was refused: not proposed again until another listener."""
        if self.switch_to is not None:
            self._declined = self.switch_to

    # -- inside -----------------------------------------------------------------------------

    def _expire(self, t: float) -> None:
        while self._seen and self._seen[0][0] <= t - self.window_s:
            self._seen.popleft()

    def _forget(self) -> None:
        self._seen.clear()
        self.listener, self.decided = None, False

    def _why(self, listener: str | None, votes: int, seen: int) -> str:
        held = f"{votes} of the last {seen} faces in {self.window_s:g} s"
        if listener is None:
            if self.active in self.enrolled:
                return (f"a face nobody enrolled ({held}): profile {self.active} stays, "
                        "its calibration is not applied")
            return f"a face nobody enrolled ({held}): profile {self.active} stays"
        if listener == self.active:
            return f"{listener} recognised ({held}): their calibration applies"
        if self.switch_to is None:
            return (f"{listener} recognised ({held}); the switch was refused: profile "
                    f"{self.active} stays, its calibration is not applied")
        return f"{listener} recognised ({held}) → switch to profile {listener}"
