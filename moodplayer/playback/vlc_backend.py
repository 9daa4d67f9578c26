"""Real playback through libvlc: two MediaPlayers taking turns, the next track chosen by us.

The play order (repeat the playlist, repeat one, shuffle) lives in ``PlayOrder``, so the
backend, not libvlc's list player, picks what follows a track that ended. One player (a
"voice") plays; a cross-fade starts the next music on the other one and moves both levels
(core/session/fade.py) from a QTimer on the Qt thread. Each voice has its own libvlc
instance, so with ``afile:OUT.wav`` the first writes ``OUT.wav`` and the second
``OUT-2.wav`` (``output_file`` says which one holds what plays now).

libvlc is not re-entrant: its event callbacks run on libvlc's own threads and must not
call libvlc. They only emit ``_vlc_event``, a queued Qt signal; the handler runs on the
Qt main thread and is free to ask libvlc anything.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

from moodplayer.core.music.playlist import Playlist
from moodplayer.core.session.fade import early_end_ms, level_db, levels
from moodplayer.playback.backend import (
    PAUSED,
    PLAYING,
    STOPPED,
    PlaybackUnavailable,
    PlayerBackend,
)

DEBIAN_PACKAGES = "libvlc5 vlc-plugin-base"
EQ_UNITY_DB = 12.0  # libvlc's equalizer passes the sound unchanged at a preamp of +12 dB
PREAMP_RANGE = (-20.0, 20.0)  # libvlc's bounds: -32..+8 dB around unity
TICK_MS = 40  # how often fade levels and gain ramps move
GAIN_RAMP_DB = 0.5  # per tick: a new loudness correction arrives over about a second
TAIL_MS = 300  # a faded-out voice runs on silent this long, so its last levels reach the output
PRIME_MS = 3000  # gapless: this long before a track ends, what follows is opened, paused
GAPLESS_ARM_MS = 120  # ... and this long before, the moment to un-pause it is set on a precise timer
GAPLESS_WATCH_MS = 1000  # libvlc's clock is watched from this long before priming
UNKNOWN_LENGTH_MS = 2000  # a track playing this long with no length known is not watched


def load_vlc():
    """Import python-vlc, turning a missing libvlc into an actionable message."""
    try:
        import vlc

        vlc.libvlc_get_version()
        return vlc
    except (Exception, SystemExit) as err:
        # python-vlc raises several kinds when libvlc is absent, and calls sys.exit(1)
        # when PYTHON_VLC_LIB_PATH names a library that does not load
        sys.modules.pop("vlc", None)
        raise PlaybackUnavailable(
            f"libvlc was not found ({type(err).__name__}: {err}). Music needs VLC's library: "
            f"on Debian/Ubuntu run 'sudo apt-get install {DEBIAN_PACKAGES}'; elsewhere "
            "install VLC from videolan.org."
        ) from err


# libvlc puts a resampler in every audio chain, even when the track's rate is the output's
# (it absorbs the clock's drift), and picks libsamplerate's sinc filter: a 44.1 kHz stereo
# track then costs 0.015 of a core, two thirds of it resampling 44.1 to 44.1 kHz. The SoX
# resampler at its high quality (20-bit, against libsamplerate's fastest, ~97 dB) costs
# 0.006 for the same track (docs/performance.md, "The fifth round"). ",any": a libvlc
# without the soxr plugin takes its usual resampler. The quality is the soxr plugin's own
# option, which such a libvlc does not know: it refuses to start with it (an unknown
# option), so a voice is then made without it (_Voice), and later ones never ask again.
SOXR_QUALITY = "--soxr-resampler-quality=3"
RESAMPLER_ARGS = ("--audio-resampler=soxr,any", SOXR_QUALITY)
_soxr_unknown = False  # this process's libvlc refused SOXR_QUALITY: it has no soxr plugin


def voice_args(audio_out: str, voice: int) -> list[str]:
    """The libvlc options of one voice's instance."""
    resampler = [a for a in RESAMPLER_ARGS if not (_soxr_unknown and a == SOXR_QUALITY)]
    return ["--no-video", "--quiet", "--no-xlib", *resampler, *audio_out_args(audio_out, voice)]


def audio_out_args(audio_out: str, voice: int = 0) -> list[str]:
    """``default`` | ``dummy`` | ``afile:PATH`` (decoded audio written to a WAV file; the
    second voice writes beside it, ``afile_path``) | ``clock:PATH`` (an emulated sound card:
    both voices on one wall-clock time line, gaps included, written at close;
    playback/clocked_out.py)."""
    if audio_out == "default":
        return []
    if audio_out == "dummy":
        return ["--aout=dummy"]
    if audio_out.startswith("afile:") and len(audio_out) > len("afile:"):
        return ["--aout=afile", f"--audiofile-file={afile_path(audio_out, voice)}"]
    if audio_out.startswith("clock:") and len(audio_out) > len("clock:"):
        return []  # playback/clocked_out.py takes the samples through libvlc's callbacks
    raise ValueError(f"bad audio output {audio_out!r}: use default, dummy, afile:PATH or clock:PATH")


def afile_path(audio_out: str, voice: int = 0) -> Path | None:
    """The WAV a voice writes with ``afile:PATH``: PATH, and PATH-2 for the second."""
    if not audio_out.startswith("afile:"):
        return None
    path = Path(audio_out[len("afile:"):]).expanduser()
    return path if voice == 0 else path.with_name(f"{path.stem}-{voice + 1}{path.suffix}")


def audio_out_problem(audio_out: str) -> str | None:
    """Why ``afile:PATH`` / ``clock:PATH`` cannot be written (libvlc's afile would write
    nothing without a word, the clock output would fail at close), or None."""
    for prefix in ("afile:", "clock:"):
        if audio_out.startswith(prefix) and len(audio_out) > len(prefix):
            path = Path(audio_out[len(prefix):]).expanduser()
            if path.is_dir():
                return f"--audio-out {audio_out}: {path} is a folder; name a .wav file in it"
            if path.exists() and not path.is_file():  # libvlc's afile blocked on a FIFO for ever
                return f"--audio-out {audio_out}: {path} is not a regular file; name a .wav file"
            if not path.parent.is_dir():
                return f"--audio-out {audio_out}: the folder {path.parent} does not exist"
            if not os.access(path.parent, os.W_OK):
                return f"--audio-out {audio_out}: the folder {path.parent} cannot be written"
    return None


class _Voice:
    """One libvlc player (on its own libvlc instance, so that each writes its own afile
    WAV) and its gain stage. Two voices take turns: during a cross-fade both sound."""

    def __init__(self, vlc, args: list[str], number: int) -> None:
        self.vlc = vlc
        self.number = number
        self.instance = vlc.Instance(args)
        if self.instance is None and SOXR_QUALITY in args:
            # a libvlc without the soxr plugin (it said "unknown option" on stderr): its
            # usual resampler ("soxr,any"), for this voice and every later one
            global _soxr_unknown
            _soxr_unknown = True
            args = [a for a in args if a != SOXR_QUALITY]
            self.instance = vlc.Instance(args)
        if self.instance is None:
            raise PlaybackUnavailable(
                f"libvlc could not start with {args}; are the VLC plugins installed "
                f"({DEBIAN_PACKAGES})?"
            )
        self.player = self.instance.media_player_new()
        # The equalizer's preamp (all bands flat) is the gain stage: it sits in the decoded
        # signal, so loudness corrections and fades reach every output, afile's WAV too,
        # which ignores libvlc's volume.
        self.eq = vlc.libvlc_audio_equalizer_new()
        self.media = None  # keeps the Media alive while libvlc uses it
        self.index = -1  # the playlist index it plays
        self.gain_db = 0.0  # the track's loudness correction, as applied now
        self.gain_target = 0.0  # ... and where it is moving to
        self.level = 1.0  # the fade's amplitude, 0..1
        self.fade_from = 1.0  # the level a fade-out started from
        self.handed_over = False  # the track's end was announced early (cross-fade)
        self.preamp: float | None = None

    def start(self, media, index: int, gain_db: float, level: float) -> None:
        self.media, self.index = media, index
        self.gain_db = self.gain_target = gain_db
        self.level, self.handed_over = level, False
        self.apply_gain()
        self.player.set_media(media)
        self.player.play()

    def apply_gain(self) -> float:
        """Hand gain and fade level to the equalizer; returns the dB the preamp could not
        reach (below its range: the rest of a fade)."""
        wanted = self.gain_db + level_db(self.level)
        preamp = max(PREAMP_RANGE[0], min(PREAMP_RANGE[1], EQ_UNITY_DB + wanted))
        if preamp != self.preamp:
            self.preamp = preamp
            self.vlc.libvlc_audio_equalizer_set_preamp(self.eq, preamp)
            self.player.set_equalizer(self.eq)
        return min(0.0, wanted - (preamp - EQ_UNITY_DB))

    def set_volume(self, volume: int, muted: bool) -> None:
        below = self.apply_gain()
        if muted or self.level <= 0.0:
            self.player.audio_set_volume(0)
            return
        # what the preamp could not take off, the output's volume does (a cubic scale)
        factor = (10 ** (below / 20)) ** (1 / 3)
        self.player.audio_set_volume(int(round(volume * factor)))

    def stop(self) -> None:
        self.player.stop()
        self.media, self.index, self.handed_over = None, -1, False

    @property
    def sounding(self) -> bool:
        S = self.vlc.State
        return self.media is not None and self.player.get_state() not in (S.Paused, S.Stopped, S.Ended,
                                                                          S.Error)

    def release(self) -> None:
        self.player.stop()
        self.player.release()
        self.vlc.libvlc_audio_equalizer_release(self.eq)
        self.instance.release()


class VlcBackend(PlayerBackend):
    name = "vlc"
    _vlc_event = Signal(int, str)  # voice, kind

    def __init__(self, parent: QObject | None = None, audio_out: str = "default") -> None:
        super().__init__(parent)
        self.vlc = load_vlc()
        self.audio_out = audio_out
        self._voices: list[_Voice] = []
        for number in (0, 1):
            self._voices.append(_Voice(self.vlc, voice_args(audio_out, number), number))
        self._clocked = None
        if audio_out.startswith("clock:"):
            from moodplayer.playback.clocked_out import ClockedOutput

            self._clocked = ClockedOutput(self.vlc, Path(audio_out[len("clock:"):]).expanduser())
            for voice in self._voices:
                self._clocked.attach(voice.player)
        self._cur = 0  # the voice that plays what the backend reports
        self._out: int | None = None  # the voice fading out, during a cross-fade
        self._tail: int | None = None  # a voice whose fade is over, silent until it stops
        self._tail_clock = QElapsedTimer()
        # gapless (no cross-fade): the other voice holds what follows, opened and paused at
        # its start, from PRIME_MS before the end; the end only un-pauses it
        self._primed: tuple[int, Playlist, int] | None = None  # (voice, playlist, index)
        # libvlc's get_time() moves in steps of about 300 ms: the track's start on our clock
        # is the least (now - time) seen since it started playing here (see _track_start)
        self._track_clock = QElapsedTimer()
        self._track_offset: int | None = None
        self._gapless_timer = QTimer(self)
        self._gapless_timer.setSingleShot(True)
        self._gapless_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._gapless_timer.timeout.connect(self._gapless_end)
        self._gapless_starts = -1
        self._prime_tried = False  # once a track (a next track that cannot open is not retried)
        self._fade_ms = 0
        self._fade_clock = QElapsedTimer()
        self._handover_ms = 0  # while track_finished is handled early: what is left of the track
        self._pending_start_ms = 0  # a load without autoplay: where play() begins
        self._timer = QTimer(self)  # fades, gain ramps, the early end of a track
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        # far from a track's end nothing needs the tick: it sleeps until shortly before
        self._wake = QTimer(self)
        self._wake.setSingleShot(True)
        self._wake.timeout.connect(self._timer.start)
        self._closed = False
        self._starts = 0  # counts track starts: tells whether a handler started another
        self._vlc_event.connect(self._on_vlc_event, Qt.ConnectionType.QueuedConnection)
        self._attach_events()
        self.set_volume(self.volume)

    @property
    def _voice(self) -> _Voice:
        return self._voices[self._cur]

    @property
    def _player(self):  # the current voice's libvlc player
        return self._voice.player

    def _player_events(self) -> dict:
        E = self.vlc.EventType
        return {
            E.MediaPlayerPlaying: "playing",
            E.MediaPlayerPaused: "paused",
            E.MediaPlayerEndReached: "end",
            E.MediaPlayerEncounteredError: "error",
        }

    def _attach_events(self) -> None:
        for voice in self._voices:
            em = voice.player.event_manager()
            for event_type, kind in self._player_events().items():
                em.event_attach(event_type, self._forward, voice.number, kind)

    def _forward(self, event, voice: int, kind: str) -> None:
        # On a libvlc thread: no libvlc calls here, only hand the event to Qt.
        self._vlc_event.emit(voice, kind)

    # --- intents ----------------------------------------------------------------------
    def load(self, playlist: Playlist, index: int | None = None, autoplay: bool = True,
             planned: bool = False, fade_ms: int = 0, start_ms: int = 0) -> None:
        fade_ms = max(fade_ms, self._handover_ms)
        if not (autoplay and fade_ms > 0 and self.state == PLAYING):
            self._drop_outgoing()
            self._voice.stop()
            fade_ms = 0
        self._starts += 1
        self.playlist, self.broken, self.current_index = playlist, set(), -1
        if not playlist.tracks:
            self._drop_outgoing()
            self._voice.stop()
            self._set_state(STOPPED)
            return
        index = self._new_order(playlist, index, planned)
        if autoplay:
            self._play_index(index, fade_ms, start_ms)
        else:  # loaded, not playing: play() starts it (a paused old track is gone)
            self._set_index(index)
            self._pending_start_ms = start_ms
            self._set_state(STOPPED)

    def play(self) -> None:
        if self.playlist is None or not self.playlist.tracks:
            return
        if self.state == PAUSED:
            self._player.set_pause(0)
            self._restart_track_clock()
            self._run_timer()
        elif self.state == STOPPED:
            self._play_index(max(self.current_index, 0), 0, self._pending_start_ms)

    def pause(self) -> None:
        if self.state == PLAYING:
            self._end_fade()
            self._player.set_pause(1)

    def stop(self) -> None:
        self._drop_outgoing()
        self._voice.stop()
        self._timer.stop()
        self._wake.stop()
        self._gapless_timer.stop()
        self._set_state(STOPPED)

    def next(self) -> None:
        if self.playlist and self.playlist.tracks:
            self._play_index(self._step(self.current_index, 1), self.crossfade_ms)

    def previous(self) -> None:
        if self.playlist and self.playlist.tracks:
            self._play_index(self._step(self.current_index, -1), self.crossfade_ms)

    def set_volume(self, volume: int) -> None:
        self._store_volume(volume)
        self._apply_volume()

    def _apply_volume(self) -> None:
        # Mute as volume 0: it holds while no audio output exists (between tracks), where
        # libvlc's own mute flag would be lost.
        for voice in self._voices:
            voice.set_volume(self.volume, self.muted)

    def seek(self, ms: int) -> None:
        if self.state == STOPPED or self.playlist is None:
            return
        self._end_fade()
        length = self._player.get_length()
        ms = max(0, int(ms))
        if length > 0:
            ms = min(ms, length - 1)  # past the end would end the track: stay inside
        self._player.set_time(ms)
        self._voice.handed_over = False
        self._restart_track_clock()
        self._run_timer()  # what follows is primed again near the end
        self.seeked.emit(ms)

    def position(self) -> tuple[int, int]:
        return max(0, self._player.get_time()), max(0, self._player.get_length())

    @property
    def fading(self) -> bool:
        return self._out is not None

    def fade_levels(self) -> tuple[float, float]:
        """(outgoing, current) amplitude now; (0, 1) when no fade runs."""
        out = self._voices[self._out].level if self._out is not None else 0.0
        return out, self._voice.level

    def voices_sounding(self) -> int:
        """How many players are making sound now (2 during a cross-fade)."""
        return sum(v.sounding for v in self._voices)

    def output_file(self) -> Path | None:
        """With afile: the WAV the music playing now is written to; with clock: the one WAV
        of everything heard (written at close)."""
        if self._clocked is not None:
            return self._clocked.path
        return afile_path(self.audio_out, self._cur)

    def _replaced(self, index: int) -> None:
        self._voice.index = index

    def set_crossfade(self, seconds: float) -> None:
        super().set_crossfade(seconds)
        if self.state == PLAYING and not self._closed:
            self._run_timer()  # the early hand-over (or the gapless end) is watched for again

    def refresh_gain(self) -> None:
        voice = self._voice
        if self.playlist is None or not 0 <= voice.index < len(self.playlist.tracks):
            return
        voice.gain_target = self._gain(voice.index)
        if voice.gain_target != voice.gain_db:
            self._timer.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._wake.stop()
        self._gapless_timer.stop()
        self._tail = None
        for voice in self._voices:
            em = voice.player.event_manager()
            for event_type in self._player_events():
                em.event_detach(event_type)
            voice.release()
        if self._clocked is not None:
            self._clocked.close()
        self._out = None
        self._set_state(STOPPED)
        self.closed.emit()

    @property
    def alive(self) -> bool:
        return not self._closed

    # --- starting tracks, fading ------------------------------------------------------
    def _gain(self, index: int) -> float:
        if self.playlist is None:
            return 0.0
        try:
            return float(self.gain_for(self.playlist.tracks[index].path))
        except Exception:  # a loudness provider's fault never stops the music
            return 0.0

    def _play_index(self, index: int, fade_ms: int = 0, start_ms: int = 0) -> None:
        if index < 0 or self.playlist is None:
            self.stop()
            return
        fade_ms = max(fade_ms, self._handover_ms)
        fade = fade_ms > 0 and self.state == PLAYING and self._voice.sounding
        self._starts += 1
        self._pending_start_ms = 0
        self._drop_outgoing()  # a fade already running: its old music stops now
        if fade:
            self._voice.fade_from = self._voice.level
            self._out, self._cur = self._cur, 1 - self._cur
        media = self._voice.instance.media_new_path(str(self.playlist.tracks[index].path))
        if start_ms > 0:
            media.add_option(f":start-time={start_ms / 1000:.3f}")
        self._voice.start(media, index, self._gain(index), 0.0 if fade else 1.0)
        self._restart_track_clock()
        if fade:
            self._fade_ms = fade_ms
            self._fade_clock.restart()
        self._apply_volume()
        self._run_timer()
        self._set_index(index)

    def _run_timer(self) -> None:
        self._wake.stop()
        self._timer.start()  # fades, gain ramps, the early end or the gapless start ahead

    # --- gapless ------------------------------------------------------------------------
    def _prime(self) -> None:
        """Open what follows the current track on the other voice, paused at its start."""
        index = self._after_finish(self.current_index)
        if self.playlist is None or index < 0 or self._out is not None or self._tail is not None:
            return
        number = 1 - self._cur
        voice = self._voices[number]
        media = voice.instance.media_new_path(str(self.playlist.tracks[index].path))
        media.add_option(":start-paused")
        voice.start(media, index, self._gain(index), 1.0)
        voice.set_volume(self.volume, self.muted)
        self._primed = (number, self.playlist, index)

    def _restart_track_clock(self) -> None:
        self._track_clock.restart()
        self._track_offset = None
        self._prime_tried = False
        self._gapless_timer.stop()

    def _track_start(self) -> int | None:
        """When (ms on ``_track_clock``) position 0 of the current track was heard: libvlc's
        time is observed late by up to a tick, never early, so the least offset is the best."""
        elapsed = self._player.get_time()
        if elapsed > 0:
            offset = self._track_clock.elapsed() - elapsed
            if self._track_offset is None or offset < self._track_offset:
                self._track_offset = offset
        return self._track_offset

    def _gapless_tick(self) -> int:
        """Prime what follows near the end; shortly before the end, set the moment to start
        it. Returns 0 when this needs no tick, -1 while it needs every tick, or how many ms
        the tick may sleep (the end is still far)."""
        if self.crossfade_ms > 0 or self.state != PLAYING or self._out is not None \
                or self._tail is not None or self._gapless_timer.isActive():
            return 0
        length, start = self._player.get_length(), self._track_start()
        if length <= 0 and self._track_clock.elapsed() > UNKNOWN_LENGTH_MS:
            return 0  # a stream of no known length: its end is libvlc's end event, no watch
        if length <= 0 or start is None:
            return -1
        left = start + length - self._track_clock.elapsed()
        if left > PRIME_MS + 2 * GAPLESS_WATCH_MS:
            # libvlc's time is watched over the last few seconds only (its least offset
            # from our clock, over a dozen of its steps, is what places the end)
            return left - PRIME_MS - GAPLESS_WATCH_MS
        if self._primed is None and not self._prime_tried and left <= PRIME_MS:
            self._prime_tried = True
            self._prime()
        if self._primed is None and self._prime_tried:
            return 0  # what follows could not be primed: libvlc's end event starts it
        if self._primed is not None and left <= GAPLESS_ARM_MS:
            self._gapless_starts = self._starts
            self._gapless_timer.start(max(0, left))
            return 0
        return -1

    def _gapless_end(self) -> None:
        """The current track's last sample is being heard now: the track_finished handlers
        run (a switch at the track's end loads another playlist), then what follows starts
        from the other voice at once; the ending voice plays out what it has left."""
        if self._closed or self._starts != self._gapless_starts or self._primed is None \
                or self.state != PLAYING:
            return
        index, starts = self.current_index, self._starts
        self._voice.handed_over = True
        self._played()
        self.track_finished.emit()
        if self._closed or self._starts != starts or self.state == STOPPED:
            return  # a handler started another playlist or track, or stopped
        index = self._after_finish(index)
        ending = self._cur
        if self._start_primed(index, keep_ending=True):
            self._tail = ending  # stopped a moment later: its last samples play out
            self._tail_clock.restart()
            self._run_timer()
        else:
            self._play_index(index)

    def _drop_primed(self) -> None:
        if self._primed is not None:
            number = self._primed[0]
            self._primed = None
            if number != self._cur:
                self._voices[number].stop()

    def _start_primed(self, index: int, keep_ending: bool = False) -> bool:
        """The current track ended: un-pause what the other voice holds, if it is ``index``
        and ready (else False: it is dropped, and the caller opens ``index`` as usual)."""
        primed, self._primed = self._primed, None
        if primed is None:
            return False
        number, playlist, primed_index = primed
        voice = self._voices[number]
        ready = voice.player.get_state() == self.vlc.State.Paused
        if not (ready and playlist is self.playlist and primed_index == index):
            voice.stop()
            return False
        self._starts += 1
        self._pending_start_ms = 0
        voice.player.set_pause(0)
        if not keep_ending:
            self._voice.stop()
        self._cur = number
        self._restart_track_clock()
        self._apply_volume()
        self._run_timer()
        self._set_index(index)
        return True

    def _drop_tail(self) -> None:
        if self._tail is not None:
            self._voices[self._tail].stop()
            self._voices[self._tail].level = 1.0
            self._tail = None

    def _retire_outgoing(self) -> None:
        """The fade is over: the old voice is silent now; it stops a moment later, once the
        output has played what it decoded at its last levels (decoding runs ahead)."""
        if self._out is None:
            return
        self._voices[self._out].level = 0.0
        self._tail, self._out = self._out, None
        self._tail_clock.restart()
        self._voice.level = 1.0
        self._apply_volume()

    def _drop_outgoing(self) -> None:
        self._drop_primed()
        self._drop_tail()
        if self._out is not None:
            self._voices[self._out].stop()
            self._voices[self._out].level = 1.0
            self._out = None
            self._voice.level = 1.0
            self._apply_volume()

    def _end_fade(self) -> None:
        """The user acted during a fade: the old music stops, the new is at full level."""
        self._drop_outgoing()

    def _tick(self) -> None:
        if self._closed:
            self._timer.stop()
            return
        busy = False
        if self._out is not None:
            progress = self._fade_clock.elapsed() / self._fade_ms if self._fade_ms else 1.0
            out_level, in_level = levels(progress)
            outgoing = self._voices[self._out]
            outgoing.level = outgoing.fade_from * out_level
            self._voice.level = in_level
            if progress >= 1.0:
                self._retire_outgoing()
            busy = True
        if self._tail is not None:
            if self._tail_clock.elapsed() >= TAIL_MS:
                self._drop_tail()
            else:
                busy = True
        voice = self._voice
        if voice.gain_db != voice.gain_target:
            step = max(-GAIN_RAMP_DB, min(GAIN_RAMP_DB, voice.gain_target - voice.gain_db))
            voice.gain_db = voice.gain_target if abs(step) < 1e-3 else voice.gain_db + step
            busy = True
        if busy:  # levels moved (a fade, a tail, a gain ramp)
            self._apply_volume()
        if self.crossfade_ms > 0 and self.state == PLAYING and not voice.handed_over:
            busy = True
            length, elapsed = self._player.get_length(), self._player.get_time()
            early = early_end_ms(length, self.crossfade_ms)
            if early > 0 and elapsed >= 0 and length - elapsed <= early:
                voice.handed_over = True
                self._hand_over(max(1, length - elapsed))
        gapless = self._gapless_tick()
        if not busy and self.crossfade_ms <= 0 and gapless >= 0:
            self._timer.stop()
            if gapless > 0:
                self._wake.start(gapless)

    def _hand_over(self, left_ms: int) -> None:
        """The current track is about to end by itself: what follows fades in over what is
        left of it (a playlist a track_finished handler loads, or the next track)."""
        index = self.current_index
        starts = self._starts
        self._handover_ms = left_ms
        try:
            self.track_finished.emit()
            if self._closed or self._starts != starts or self.state == STOPPED:
                return  # a handler started another playlist or track, or stopped
            self._play_index(self._after_finish(index), left_ms)
        finally:
            self._handover_ms = 0

    # --- events, on the Qt thread -------------------------------------------------------
    def _on_vlc_event(self, number: int, kind: str) -> None:
        if self._closed:
            return
        voice = self._voices[number]
        if number != self._cur:  # the voice fading out, the one primed, or one that stopped
            if kind in ("end", "error") and number == self._out:
                self._drop_outgoing()
            elif kind in ("end", "error") and self._primed is not None and number == self._primed[0]:
                self._drop_primed()  # it cannot play: the end opens it as usual (and fails)
            return
        if kind == "playing":
            self._set_state(PLAYING)
            self._apply_volume()
        elif kind == "paused":
            if voice.player.get_state() != self.vlc.State.Paused:
                return  # stale: a primed voice's ":start-paused", heard after it started
            self._set_state(PAUSED)
        elif kind == "end":
            if voice.player.get_state() != self.vlc.State.Ended:
                return  # a stale end: the user moved on to another track meanwhile
            if voice.handed_over:
                voice.stop()  # its end was announced already; what follows is playing
                return
            self._on_end()
        elif kind == "error":
            S = self.vlc.State
            if voice.player.get_state() in (S.Opening, S.Buffering, S.Playing, S.Paused):
                return  # a stale error: the player has moved on already
            if voice.media is not None:
                self._fail(voice.index, "libvlc could not open it")

    def _on_end(self) -> None:
        voice = self._voice
        index = voice.index
        if voice.media is None or index < 0:
            return  # an event from a playlist that was replaced meanwhile
        media = voice.media
        # libvlc updates a media's statistics only once its input has closed: stop
        # (synchronous) first, then judge whether the track really decoded anything.
        voice.player.stop()
        stats = self.vlc.MediaStats()
        media.get_stats(stats)
        if stats.decoded_audio == 0:
            # A corrupt file, or a non-audio file with an audio extension, "plays" and
            # ends at once without decoding anything.
            self._fail(index, "no audio could be decoded from it")
            return
        self._played()
        starts = self._starts
        self.track_finished.emit()
        if self._closed or self._starts != starts or self.state == STOPPED:
            return  # a track_finished handler started another playlist or track, or stopped
        index = self._after_finish(index)
        if not self._start_primed(index):
            self._play_index(index)

    def _fail(self, index: int, why: str) -> None:
        if self.playlist is None or not 0 <= index < len(self.playlist.tracks):
            return
        name = self.playlist.tracks[index].path.name
        if self._mark_broken(index, f"skipped {name}: {why}"):
            self.stop()
        else:  # move on ourselves
            self._play_index(self._step(index, 1))
