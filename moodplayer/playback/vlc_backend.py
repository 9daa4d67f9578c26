"""Real playback through libvlc: one MediaPlayer, the next track chosen by us.

The play order (repeat the playlist, repeat one, shuffle) lives in ``PlayOrder``, so the
backend, not libvlc's list player, picks what follows a track that ended.

libvlc is not re-entrant: its event callbacks run on libvlc's own threads and must not
call libvlc. They only emit ``_vlc_event``, a queued Qt signal; the handler runs on the
Qt main thread and is free to ask libvlc anything.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Qt, Signal

from moodplayer.core.music.playlist import Playlist
from moodplayer.playback.backend import (
    PAUSED,
    PLAYING,
    STOPPED,
    PlaybackUnavailable,
    PlayerBackend,
)

DEBIAN_PACKAGES = "libvlc5 vlc-plugin-base"


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


def audio_out_args(audio_out: str) -> list[str]:
    """``default`` | ``dummy`` | ``afile:PATH`` (decoded audio written to a WAV file)."""
    if audio_out == "default":
        return []
    if audio_out == "dummy":
        return ["--aout=dummy"]
    if audio_out.startswith("afile:") and len(audio_out) > len("afile:"):
        return ["--aout=afile", f"--audiofile-file={audio_out[len('afile:'):]}"]
    raise ValueError(f"bad audio output {audio_out!r}: use default, dummy or afile:PATH")


def _pointer(obj) -> int | None:
    return ctypes.cast(obj, ctypes.c_void_p).value if obj is not None else None


class VlcBackend(PlayerBackend):
    name = "vlc"
    _vlc_event = Signal(str)

    def __init__(self, parent: QObject | None = None, audio_out: str = "default") -> None:
        super().__init__(parent)
        self.vlc = load_vlc()
        args = ["--no-video", "--quiet", "--no-xlib", *audio_out_args(audio_out)]
        self._instance = self.vlc.Instance(args)
        if self._instance is None:
            raise PlaybackUnavailable(
                f"libvlc could not start with {args}; are the VLC plugins installed "
                f"({DEBIAN_PACKAGES})?"
            )
        self._player = self._instance.media_player_new()
        self._media: list = []  # keeps the Media objects alive while libvlc uses them
        self._index_of: dict[int | None, int] = {}  # media pointer (None: null) -> playlist index
        self._closed = False
        self._starts = 0  # counts track starts: tells whether a handler started another
        self._vlc_event.connect(self._on_vlc_event, Qt.ConnectionType.QueuedConnection)
        self._attach_events()
        self.set_volume(self.volume)

    def _player_events(self) -> dict:
        E = self.vlc.EventType
        return {
            E.MediaPlayerPlaying: "playing",
            E.MediaPlayerPaused: "paused",
            E.MediaPlayerEndReached: "end",
            E.MediaPlayerEncounteredError: "error",
        }

    def _attach_events(self) -> None:
        em = self._player.event_manager()
        for event_type, kind in self._player_events().items():
            em.event_attach(event_type, self._forward, kind)

    def _forward(self, event, kind: str) -> None:
        # On a libvlc thread: no libvlc calls here, only hand the event to Qt.
        self._vlc_event.emit(kind)

    # --- intents ----------------------------------------------------------------------
    def load(self, playlist: Playlist, index: int | None = None, autoplay: bool = True,
             planned: bool = False) -> None:
        self._player.stop()
        self._starts += 1
        self.playlist, self.broken, self.current_index = playlist, set(), -1
        self._media, self._index_of = [], {}
        for i, track in enumerate(playlist.tracks):
            media = self._instance.media_new_path(str(track.path))
            self._media.append(media)
            self._index_of[_pointer(media)] = i
        if not playlist.tracks:
            self._set_state(STOPPED)
            return
        index = self._new_order(playlist, index, planned)
        if autoplay:
            self._play_index(index)
        else:  # loaded, not playing: play() starts it (a paused old track is gone)
            self._set_index(index)
            self._set_state(STOPPED)

    def play(self) -> None:
        if not self._media:
            return
        if self.state == PAUSED:
            self._player.set_pause(0)
        elif self.state == STOPPED:
            self._play_index(max(self.current_index, 0))

    def pause(self) -> None:
        if self.state == PLAYING:
            self._player.set_pause(1)

    def stop(self) -> None:
        self._player.stop()
        self._set_state(STOPPED)

    def next(self) -> None:
        if self._media:
            self._play_index(self._step(self.current_index, 1))

    def previous(self) -> None:
        if self._media:
            self._play_index(self._step(self.current_index, -1))

    def set_volume(self, volume: int) -> None:
        self._store_volume(volume)
        self._apply_volume()

    def _apply_volume(self) -> None:
        # Mute as volume 0: it holds while no audio output exists (between tracks), where
        # libvlc's own mute flag would be lost.
        self._player.audio_set_volume(0 if self.muted else self.volume)

    def seek(self, ms: int) -> None:
        if self.state == STOPPED or not self._media:
            return
        length = self._player.get_length()
        ms = max(0, int(ms))
        if length > 0:
            ms = min(ms, length - 1)  # past the end would end the track: stay inside
        self._player.set_time(ms)
        self.seeked.emit(ms)

    def position(self) -> tuple[int, int]:
        return max(0, self._player.get_time()), max(0, self._player.get_length())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        em = self._player.event_manager()
        for event_type in self._player_events():
            em.event_detach(event_type)
        self._player.stop()
        self._player.release()
        self._instance.release()
        self._media = []
        self._set_state(STOPPED)
        self.closed.emit()

    @property
    def alive(self) -> bool:
        return not self._closed

    def _play_index(self, index: int) -> None:
        if index < 0:
            self.stop()
            return
        self._starts += 1
        self._set_index(index)
        self._player.set_media(self._media[index])
        self._player.play()

    # --- events, on the Qt thread -------------------------------------------------------
    def _on_vlc_event(self, kind: str) -> None:
        if self._closed:
            return
        if kind == "playing":
            self._set_state(PLAYING)
        elif kind == "paused":
            self._set_state(PAUSED)
        elif kind == "end":
            if self._player.get_state() != self.vlc.State.Ended:
                return  # a stale end: the user moved on to another track meanwhile
            self._on_end()
        elif kind == "error":
            S = self.vlc.State
            if self._player.get_state() in (S.Opening, S.Buffering, S.Playing, S.Paused):
                return  # a stale error: the player has moved on already
            index = self._playing_index()
            if index is not None:
                self._fail(index, "libvlc could not open it")

    def _playing_index(self) -> int | None:
        media = self._player.get_media()
        return self._index_of.get(_pointer(media)) if media is not None else None

    def _on_end(self) -> None:
        index = self._playing_index()
        if index is None:
            return  # an event from a playlist that was replaced meanwhile
        # libvlc updates a media's statistics only once its input has closed: stop
        # (synchronous) first, then judge whether the track really decoded anything.
        self._player.stop()
        stats = self.vlc.MediaStats()
        self._media[index].get_stats(stats)
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
        self._play_index(self._after_finish(index))

    def _fail(self, index: int, why: str) -> None:
        if self.playlist is None or not 0 <= index < len(self.playlist.tracks):
            return
        name = self.playlist.tracks[index].path.name
        if self._mark_broken(index, f"skipped {name}: {why}"):
            self.stop()
        else:  # move on ourselves
            self._play_index(self._step(index, 1))
