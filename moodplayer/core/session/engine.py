"""The session: every mood-to-music decision in one Qt-free object.

It owns the mood window, the playlist selector, the loaded playlists, the lift in
progress, the no-face policy and the user's override. Readings and the user's intents
come in as method calls; the player is driven through a small port (core/player.py), and
whatever happened goes out as events (core/events.py) to whoever subscribed: the window,
the log, the session record. The app only wires these together (app/wiring.py).

Two kinds of pause are kept apart: a pause the no-face policy made is undone when the face
returns; a pause the user made is never undone by the policy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from moodplayer.core.emotions import EMOTIONS, Reading
from moodplayer.core.files.userpath import user_path
from moodplayer.core.music.opened import OPENED
from moodplayer.core.music.playlist import Playlist, load_playlist
from moodplayer.core.session.events import (
    FacePresence,
    LiftFinished,
    MoodChanged,
    Notice,
    OverrideChanged,
    Paused,
    PlaylistRefused,
    PlaylistStarted,
    PlaylistUpdated,
    ReadingsSeen,
    Resumed,
    TrackChanged,
    TrackFinished,
)
from moodplayer.core.session.explain import mood_why, override_why, playlist_why, track_why
from moodplayer.core.session.fade import Fades, switch_fade_ms, track_fade_ms
from moodplayer.core.session.lift import lift_order, lift_target_problem
from moodplayer.core.session.mood_window import MoodState, MoodWindow
from moodplayer.core.session.player import PAUSED, PLAYING, Player
from moodplayer.core.session.resume import ResumePoint, track_index
from moodplayer.core.session.selector import PlaylistSelector
from moodplayer.core.settings.effective import window_config
from moodplayer.core.settings.schema import Profile

log = logging.getLogger("moodplayer")


@dataclass
class LiftState:
    """A lift in progress: ``left`` of its ``tracks`` still to go before only the target
    plays. A track counts as gone when it finishes or the user skips past it (Next), and
    comes back with Previous; the player's index wrapping around decides nothing."""

    mood: str
    target: Playlist
    tracks: int
    left: int
    resume_at: int  # the target's track that follows the lift


class Session:
    def __init__(self, player: Player, profile: Profile,
                 default_playlist: Callable[[str], Path]) -> None:
        self.player = player
        self.profile = profile
        self.default_playlist = default_playlist  # emotion -> the demo playlist's folder
        self.window = MoodWindow(window_config(profile))
        self.selector = PlaylistSelector(profile.switch_policy)
        self.playlists: dict[str, Playlist] = {}
        # mood -> why nothing of its playlist played (the player gave up on it): not loaded
        # again by the mood until the playlists are (the settings change) or the user picks it
        self.failed: dict[str, str] = {}
        self.lift: LiftState | None = None
        self.paused_by_policy = False
        self.face_lost = False
        self.last_reading: Reading | None = None
        self.mood_history: list[tuple[float, str]] = []  # (reading time, mood)
        self.closed = False
        self.mood_reason = ""  # why the current mood (core/explain.py)
        self.fades = Fades()  # how long switches and track changes cross-fade (core/session/fade.py)
        self._listeners: list[Callable[[object], None]] = []

    def close(self) -> None:
        """The app is shutting down: readings still on their way (queued before the
        analysis stopped) and late player events change nothing any more."""
        self.closed = True

    # --- events ---------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[object], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[object], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, text: str) -> None:
        """Something the user should know (the window shows it, the record keeps it): a
        Notice from outside the session's own decisions (e.g. who is listening)."""
        self._emit(Notice(text))

    def _emit(self, event: object) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken subscriber must not stop a decision half-way
                log.exception("a subscriber failed on %s", type(event).__name__)

    @property
    def mood(self) -> str | None:
        return self.window.mood

    # --- configuration --------------------------------------------------------------------
    def load_playlists(self) -> None:
        p = self.profile
        opened = self.playlists.get(OPENED)
        self.playlists = {e: load_playlist(e, p.playlists.get(e) or self.default_playlist(e))
                          for e in EMOTIONS}
        self.failed = {}
        if opened is not None:  # music the user opened stays pickable
            self.playlists[OPENED] = opened
        for playlist in self.playlists.values():
            if playlist.problem:
                self._emit(Notice(f"{playlist.name} playlist: {playlist.problem}"))

    def configure(self, profile: Profile, new_client: bool = False) -> None:
        """Live: reaction, mapping and strategy take effect at once; the music changes only
        if what the current mood plays changed (or another client's profile is now active)."""
        old, self.profile = self.profile, profile
        self.window.config = window_config(profile)
        self.selector.switch_policy = profile.switch_policy
        if new_client:  # another person: none of the last one's votes, mood or lift carry over
            self.window = MoodWindow(window_config(profile))
            self.selector.mood = None
            self.lift = None
            self.mood_reason = ""
            self.mood_history = []
        if not (new_client or old.playlists != profile.playlists or old.lift != profile.lift):
            return
        self.load_playlists()
        current = self.selector.current
        if current and (new_client or old.playlists.get(current) != profile.playlists.get(current)
                        or old.lift.get(current) != profile.lift.get(current)):
            self._switch_to(current, f"the profile changed ({self.mood_reason or current})")

    # --- readings -------------------------------------------------------------------------
    def push_readings(self, batch: list[Reading]) -> MoodState | None:
        """Readings from the analysis, oldest first. Returns the window's state after them."""
        if self.closed:
            return None
        state = None
        for reading in batch:
            self.last_reading = reading
            state = self.window.push(reading)
            if state.changed and state.mood:
                self._on_mood(reading.t, state.mood, state)
        if state is None:
            return None
        last = batch[-1]
        self._emit(ReadingsSeen(last, state))
        self._on_face_presence(last.t, state.face_lost)
        return state

    def _on_mood(self, t: float, mood: str, state: MoodState) -> None:
        previous = self.mood_history[-1][1] if self.mood_history else None
        self.mood_history.append((t, mood))
        self.mood_reason = mood_why(mood, state.shares, self.window.config, previous)
        log.info("mood: %s (%s)", mood, self.mood_reason)
        self._emit(MoodChanged(t, mood, previous, state.confidence, dict(state.shares),
                               self.mood_reason))
        self._switch_to(self.selector.on_mood(mood), self.mood_reason)

    def _on_face_presence(self, t: float, lost: bool) -> None:
        if lost == self.face_lost:
            return
        self.face_lost = lost
        self._emit(FacePresence(t, lost))
        if not lost and self.paused_by_policy:
            self.paused_by_policy = False
            self.player.play()
            self._emit(Resumed("policy"))
        elif lost and self.profile.no_face_policy == "pause" and self.player.state == PLAYING:
            self.player.pause()
            self.paused_by_policy = True
            self._emit(Paused("policy"))

    # --- the user's intents ---------------------------------------------------------------
    def choose(self, name: str | None) -> None:
        """The dropdown: a playlist overrides the mood until Auto (None) is picked again."""
        self._emit(OverrideChanged(name))
        reason = override_why(name) if name != OPENED else f"you opened {self.playlists[OPENED].name}"
        target = self.selector.on_override(name)
        playing = self.player.playlist.name if self.player.playlist else None
        if target is None and name is not None and playing != name:
            target = name  # picked the mood's own playlist while its lift plays: play it as is
        self._switch_to(target, reason if name else f"{reason}; {self.mood_reason}", by_user=True)

    def refresh_playlist(self, name: str) -> bool:
        """``name``'s folder or playlist file changed: read it again. When it is what plays
        (not a lift's plan), the player goes on with the new list without interrupting the
        track; a playing track that was removed stays in the player's list until the next
        refresh. True when the tracks changed."""
        old = self.playlists.get(name)
        if old is None or name not in EMOTIONS or self.closed:
            return False
        new = load_playlist(name, self.profile.playlists.get(name) or self.default_playlist(name))
        before, after = [t.path for t in old.tracks], [t.path for t in new.tracks]
        if before == after and old.problem == new.problem:
            return False
        self.playlists[name] = new
        added = len(set(after) - set(before))
        removed = len(set(before) - set(after))
        playing = self.player.playlist
        at: int | None = None
        if playing is old and self.lift is None:
            index = self.player.current_index
            current = old.tracks[index].path if 0 <= index < len(old.tracks) else None
            tracks = list(new.tracks)
            if current is not None and current not in after:  # never cut the track that plays
                tracks.insert(min(index, len(tracks)), old.tracks[index])
            given = Playlist(new.name, new.source, tracks, new.problem if not tracks else None)
            self.playlists[name] = given
            new_index = next((i for i, t in enumerate(tracks) if t.path == current), -1)
            if tracks:
                self.player.replace_playlist(given, new_index)
                at = new_index
            new = given
        self._emit(PlaylistUpdated(name, new, added, removed, at))
        return True

    def open_playlist(self, playlist: Playlist) -> bool:
        """Music the user opened (files, a folder, a playlist given to ``moodplayer``)
        plays as their pick, until Auto hands the choice back to the mood."""
        if self.closed:
            return False
        if not playlist.playable:
            self._emit(PlaylistRefused(playlist.name, playlist.problem or "it has no tracks"))
            return False
        self.playlists[OPENED] = playlist
        self.selector.current = None if self.selector.current == OPENED else self.selector.current
        self.choose(OPENED)
        return True

    def toggle(self) -> None:
        if self.player.state == PLAYING:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        self.paused_by_policy = False  # the user decides from now on
        self.player.play()
        self._emit(Resumed("user"))

    def pause(self) -> None:
        self.paused_by_policy = False  # a returning face must not undo the user's pause
        self.player.pause()
        self._emit(Paused("user"))

    def stop(self) -> None:
        """Stopped by the user (desktop media controls): a returning face does not restart it."""
        self.paused_by_policy = False
        self.player.stop()
        self._emit(Paused("user"))

    def next(self) -> None:
        lift = self.lift
        if lift is not None:
            lift.left -= 1
            if lift.left <= 0:
                self._finish_lift(self.player.current_index + 1)
                return
        self.player.next()

    def previous(self) -> None:
        lift = self.lift
        if lift is not None:
            playlist = self.player.playlist
            if self.player.current_index <= 0 and playlist is not None:  # the lift's first track: start it again
                self.player.load(playlist, 0, planned=True, fade_ms=track_fade_ms(self.fades))
                return
            lift.left = min(lift.tracks, lift.left + 1)
        self.player.previous()

    def activate_track(self, index: int) -> None:
        """A track picked in the list."""
        if self.player.playlist is None:
            return
        lift = self.lift
        if lift is not None:
            lift.left = lift.tracks - index
            if lift.left <= 0:
                self._finish_lift(index)
                return
        self.player.load(self.player.playlist, index, planned=lift is not None,
                         fade_ms=track_fade_ms(self.fades))

    def resume(self, name: str, track: str, position_ms: int, override: bool,
               autoplay: bool = True) -> bool:
        """Play on where the music stopped last time: ``name``'s playlist (the user's pick
        when ``override``, else the mood's, which the mood window may switch away from as
        soon as it decides), at ``track`` and ``position_ms``. False when that playlist
        cannot play now (the app then starts fresh)."""
        playlist = self.playlists.get(name)
        if self.closed or playlist is None or not playlist.playable:
            return False
        if override:
            self.selector.override = name
            self._emit(OverrideChanged(name))
        lift = None
        if self.profile.strategy(name) == "lift" and not override:
            playlist, lift = self._lift_plan(name, playlist)
        index = track_index(playlist, track)
        if index is None:  # the track is gone from the playlist: its start
            index, position_ms = 0, 0
        if lift is not None:
            lift.left = max(1, lift.tracks - index)
        self._emit(PlaylistStarted(name, playlist, lift.target.name if lift else None,
                                   f"resumed where the music stopped: {name}"))
        self.lift = lift
        self.player.load(playlist, index, autoplay=autoplay, planned=lift is not None,
                         start_ms=position_ms)
        self.selector.started(name)
        return True

    def resume_point(self, position_ms: int) -> ResumePoint | None:
        """What plays now (``position_ms`` into its track), to play on from next time
        (None: nothing plays)."""
        playlist, index = self.player.playlist, self.player.current_index
        name = self.selector.current
        if playlist is None or name is None or not 0 <= index < len(playlist.tracks):
            return None
        if self.lift is None and name in self.playlists and playlist is not self.playlists[name]:
            name = playlist.name if playlist.name in self.playlists else name  # a finished lift's target
        return ResumePoint(name, self.selector.override is not None,
                           str(playlist.tracks[index].path), max(0, int(position_ms)))

    # --- what the player reports ----------------------------------------------------------
    def on_track_finished(self) -> None:
        """A track ended by itself (not skipped)."""
        if self.closed:
            return
        self._emit(TrackFinished(self.player.current_index))
        target = self.selector.on_track_finished()
        if target is not None:  # a switch that waited for the end of the track
            self._switch_to(target, f"the track ended; {self.mood_reason}", at_track_end=True)
            return
        lift = self.lift
        if lift is not None:
            lift.left -= 1
            if lift.left <= 0:
                self._finish_lift(self.player.current_index + 1)

    def on_track_changed(self, index: int) -> None:
        playlist = self.player.playlist
        track = None
        why = ""
        if playlist and 0 <= index < len(playlist.tracks):
            track = playlist.tracks[index]
            lift = self.lift
            position = None
            if lift is not None:
                position = (min(lift.tracks, max(1, lift.tracks - lift.left + 1)), lift.tracks)
            why = track_why(track.title, index, playlist.name, position,
                            lift.target.name if lift else None)
        self._emit(TrackChanged(index, track, playlist, why))

    def on_playlist_failed(self, why: str) -> None:
        """Nothing the player tried of the playlist played, and it stopped (``why`` says
        how many files were tried). The mood that wanted it is not sent back to it."""
        name = self.selector.current
        if name is not None and not self.closed:
            self.failed[name] = why
            self.lift = None

    # --- music ----------------------------------------------------------------------------
    def _switch_to(self, name: str | None, reason: str = "", by_user: bool = False,
                   at_track_end: bool = False) -> None:
        """Play ``name``'s music. A switch the user asked for plays; one the mood or a
        settings change made keeps a pause (the user's, or the no-face policy's) as it is:
        the new music is loaded, and starts when the pause ends. What plays cross-fades
        into it (``fades``): a switch's fade, or a track change's when the track ended."""
        if name is None or self.closed:
            return
        playlist = self.playlists[name]
        if by_user:
            self.failed.pop(name, None)  # picked again: the player tries once more
        elif name in self.failed:
            self._emit(PlaylistRefused(name, self.failed[name]))
            return
        if not playlist.playable:
            # The selector is not told: what plays now goes on and stays "current".
            self._emit(PlaylistRefused(name, playlist.problem or "it has no tracks"))
            return
        lift = None
        if self.profile.strategy(name) == "lift" and self.selector.override is None:
            playlist, lift = self._lift_plan(name, playlist)
        towards = lift.target.name if lift else None
        why = playlist_why(reason or name, self.playlists[name].name, towards,
                           lift.tracks if lift else None)
        self._emit(PlaylistStarted(name, playlist, towards, why))
        self.lift = lift
        autoplay = by_user or self.player.state != PAUSED
        if by_user:
            self.paused_by_policy = False
        fade_ms = switch_fade_ms(self.fades, autoplay=autoplay and self.player.state == PLAYING,
                                 at_track_end=at_track_end)
        if lift is None:
            self.player.load(playlist, autoplay=autoplay, fade_ms=fade_ms)
        else:  # the iso-principle's order, shuffle or not
            self.player.load(playlist, 0, autoplay=autoplay, planned=True, fade_ms=fade_ms)
        self.selector.started(name)

    def _lift_plan(self, name: str, own: Playlist) -> tuple[Playlist, LiftState | None]:
        """Iso-principle: the mood's own music first, the target's more and more over N
        tracks, then only the target's (core/lift.py)."""
        lift = self.profile.lift[name]
        if (problem := lift_target_problem(name, lift.target)) is not None:
            self._emit(Notice(f"Cannot lift {name}: {problem}; playing the {name} playlist"))
            return own, None
        if lift.target in EMOTIONS:
            target = self.playlists[lift.target]
        else:
            target = load_playlist(Path(lift.target).name, user_path(lift.target))
        if not target.playable:
            self._emit(Notice(f"Cannot lift {name} towards {lift.target}: {target.problem}; "
                              f"playing the {name} playlist"))
            return own, None
        # After the lift the player holds the target's tracks too, so it never falls silent
        # or back to the mood's music whatever the user skips.
        order, resume_at = lift_order(own.tracks, target.tracks, lift.tracks)
        plan = Playlist(name=f"{name} → {target.name}", source=own.source, tracks=order)
        return plan, LiftState(name, target, lift.tracks, lift.tracks, resume_at)

    def _finish_lift(self, at: int) -> None:
        """The lift has played through: from now on only the target, in a loop, going on
        from the target's track at position ``at`` of the lift's list."""
        lift, self.lift = self.lift, None
        if lift is None:
            return
        target = lift.target
        index = (lift.resume_at + max(0, at - lift.tracks)) % len(target.tracks)
        self._emit(LiftFinished(lift.mood, target.name))
        self._emit(PlaylistStarted(target.name, target, None,
                                   f"the lift from {lift.mood} reached {target.name}: "
                                   f"only {target.name} from now on"))
        self.player.load(target, index, fade_ms=track_fade_ms(self.fades))

