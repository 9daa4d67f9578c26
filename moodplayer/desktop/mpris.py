"""MPRIS2 on the D-Bus session bus, so desktop media controls and media keys drive the
player (GNOME, KDE, playerctl ...).

Service ``org.mpris.MediaPlayer2.moodplayer``, object ``/org/mpris/MediaPlayer2``, the
``org.mpris.MediaPlayer2`` and ``org.mpris.MediaPlayer2.Player`` interfaces. Built on
QtDBus adaptors: Qt answers Introspect and the Properties interface from the adaptors'
declared slots and properties, with the D-Bus types the specification asks for (64-bit
positions as ``qlonglong``). Everything talks to a ``PlayerBackend`` only: its intents
(play, pause, next, seek ...) and its signals; QtDBus calls arrive on the Qt thread.

Without a session bus MPRIS is off, said in one log line, and the app runs on.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from PySide6.QtCore import ClassInfo, Property, QMetaType, QObject, QUrl, Signal, Slot
from PySide6.QtDBus import (
    QDBusAbstractAdaptor,
    QDBusArgument,
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
)

from moodplayer.core.music.play_order import REPEAT_ONE, REPEAT_PLAYLIST
from moodplayer.core.music.playlist import Playlist
from moodplayer.playback.backend import PAUSED, PLAYING, PlayerBackend

log = logging.getLogger("moodplayer")

SERVICE = "org.mpris.MediaPlayer2.moodplayer"
PATH = "/org/mpris/MediaPlayer2"
ROOT_IFACE = "org.mpris.MediaPlayer2"
PLAYER_IFACE = "org.mpris.MediaPlayer2.Player"
PROPERTIES_IFACE = "org.freedesktop.DBus.Properties"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
STATUS = {PLAYING: "Playing", PAUSED: "Paused"}  # anything else: "Stopped"
LOOP = {REPEAT_PLAYLIST: "Playlist", REPEAT_ONE: "Track"}
MIME_TYPES = ["audio/mpeg", "audio/flac", "audio/ogg", "audio/opus", "audio/mp4", "audio/aac",
              "audio/x-wav", "audio/x-ms-wma", "audio/x-aiff", "audio/x-matroska"]

_Class = TypeVar("_Class", bound=type)


def _dbus_interface(name: str) -> Callable[[_Class], _Class]:
    """The D-Bus interface an adaptor class serves (Qt's class info "D-Bus Interface")."""
    info = ClassInfo({"D-Bus Interface": name})  # type: ignore[call-arg]  # its stub takes keywords only
    return cast(Callable[[_Class], _Class], info)


@_dbus_interface(ROOT_IFACE)
class _RootAdaptor(QDBusAbstractAdaptor):
    def __init__(self, service: MprisService) -> None:
        super().__init__(service)
        self.s = service

    @Slot()
    def Raise(self) -> None:
        self.s.raise_window()

    @Slot()
    def Quit(self) -> None:
        log.info("MPRIS: a desktop asked MoodPlayer to quit; ignored (CanQuit is false)")

    @Property(bool)
    def CanQuit(self) -> bool:
        return False

    @Property(bool)
    def CanRaise(self) -> bool:
        return self.s.window is not None

    @Property(bool)
    def HasTrackList(self) -> bool:
        return False

    @Property(str)
    def Identity(self) -> str:
        return "MoodPlayer"

    @Property(str)
    def DesktopEntry(self) -> str:
        return "moodplayer"

    @Property("QStringList")  # type: ignore[arg-type]  # a Qt type name: PySide6 takes it, its stub wants a class
    def SupportedUriSchemes(self) -> list[str]:
        return ["file"]

    @Property("QStringList")  # type: ignore[arg-type]  # a Qt type name: PySide6 takes it, its stub wants a class
    def SupportedMimeTypes(self) -> list[str]:
        return MIME_TYPES


@_dbus_interface(PLAYER_IFACE)
class _PlayerAdaptor(QDBusAbstractAdaptor):
    # relayed to D-Bus by QtDBus (position in µs)
    Seeked = Signal("qlonglong")  # type: ignore[arg-type]  # a Qt type name: PySide6 takes it, its stub wants a class

    def __init__(self, service: MprisService) -> None:
        super().__init__(service)
        self.s = service
        self.b = service.backend
        # play/pause/next/previous go where the window's buttons go (the session, in the
        # app: a lift counts its tracks, a pause is the user's); the rest to the backend
        self.intents = service.intents

    # --- methods ------------------------------------------------------------------------
    @Slot()
    def Next(self) -> None:
        self.intents.next()

    @Slot()
    def Previous(self) -> None:
        self.intents.previous()

    @Slot()
    def Pause(self) -> None:
        self.intents.pause()

    @Slot()
    def PlayPause(self) -> None:
        self.intents.toggle()

    @Slot()
    def Stop(self) -> None:
        self.intents.stop()

    @Slot()
    def Play(self) -> None:
        self.intents.play()

    @Slot("qlonglong")
    def Seek(self, offset_us: int) -> None:
        self.s.seek_by(int(offset_us))

    @Slot(QDBusObjectPath, "qlonglong")
    def SetPosition(self, track: QDBusObjectPath, position_us: int) -> None:
        self.s.set_position(track.path(), int(position_us))

    @Slot(str)
    def OpenUri(self, uri: str) -> None:
        log.info("MPRIS: OpenUri(%s) is not supported; pick the music in the settings", uri)

    # --- properties -------------------------------------------------------------------------
    @Property(str)
    def PlaybackStatus(self) -> str:
        return self.s.playback_status()

    def _loop(self) -> str:
        return LOOP.get(self.b.repeat, "Playlist")

    def _set_loop(self, value: str) -> None:
        # "None" is not offered: the player always goes on; it is shown as the playlist loop.
        if value not in ("None", "Track", "Playlist"):
            log.info("MPRIS: LoopStatus %r ignored: not None, Track or Playlist", value)
            return
        self.b.set_repeat(REPEAT_ONE if value == "Track" else REPEAT_PLAYLIST)

    LoopStatus = Property(str, _loop, _set_loop)

    def _shuffle(self) -> bool:
        return self.b.shuffle

    def _set_shuffle(self, on: bool) -> None:
        self.b.set_shuffle(bool(on))

    Shuffle = Property(bool, _shuffle, _set_shuffle)

    def _volume(self) -> float:
        return self.b.volume / 100.0

    def _set_volume(self, value: float) -> None:
        volume = mpris_volume(value)
        if volume is None:
            log.info("MPRIS: Volume %r ignored: not a number between 0 and 1", value)
            return
        self.b.set_volume(volume)

    Volume = Property(float, _volume, _set_volume)

    @Property("QVariantMap")  # type: ignore[arg-type]  # a Qt type name: PySide6 takes it, its stub wants a class
    def Metadata(self) -> dict:
        return self.s.metadata()

    @Property("qlonglong")  # type: ignore[arg-type]  # a Qt type name: PySide6 takes it, its stub wants a class
    def Position(self) -> int:
        return self.b.position()[0] * 1000

    def _rate(self) -> float:
        return 1.0

    def _set_rate(self, value: float) -> None:
        # The specification: only 1.0 is offered (Minimum = Maximum = 1.0); a rate outside
        # that is ignored, and 0.0 acts as Pause.
        if _number(value) == 0.0:
            self.intents.pause()
        elif _number(value) != 1.0:
            log.info("MPRIS: Rate %r ignored: MoodPlayer plays at 1.0 only", value)

    Rate = Property(float, _rate, _set_rate)

    @Property(float)
    def MinimumRate(self) -> float:
        return 1.0

    @Property(float)
    def MaximumRate(self) -> float:
        return 1.0

    @Property(bool)
    def CanGoNext(self) -> bool:
        return self.s.has_tracks()

    @Property(bool)
    def CanGoPrevious(self) -> bool:
        return self.s.has_tracks()

    @Property(bool)
    def CanPlay(self) -> bool:
        return self.s.has_tracks()

    @Property(bool)
    def CanPause(self) -> bool:
        return self.s.has_tracks()

    @Property(bool)
    def CanSeek(self) -> bool:
        return self.s.has_tracks()

    @Property(bool)
    def CanControl(self) -> bool:
        return True


class MprisService(QObject):
    """The object exported at /org/mpris/MediaPlayer2. Use ``start_mpris``."""

    def __init__(self, backend: PlayerBackend, bus: QDBusConnection, window=None,
                 intents=None) -> None:
        super().__init__(backend)
        self.backend, self.bus, self.window = backend, bus, window
        self.intents = intents or backend  # who takes play/pause/next/previous
        self._loads = 0  # track ids name the playlist load, so each id is unique
        self._playlist: Playlist | None = None
        self._root = _RootAdaptor(self)
        self._player = _PlayerAdaptor(self)
        backend.state_changed.connect(lambda _: self._changed("PlaybackStatus"))
        backend.track_changed.connect(self._on_track_changed)
        backend.volume_changed.connect(lambda _: self._changed("Volume"))
        backend.repeat_changed.connect(lambda _: self._changed("LoopStatus"))
        backend.shuffle_changed.connect(lambda _: self._changed("Shuffle"))
        backend.seeked.connect(lambda ms: self._player.Seeked.emit(int(ms) * 1000))
        backend.closed.connect(self.close)
        self.registered = False

    def register(self) -> str | None:
        """Export the object and take the bus name; None, or why it could not."""
        if not self.bus.registerObject(PATH, self, QDBusConnection.RegisterOption.ExportAdaptors):
            return f"could not export {PATH}: {self.bus.lastError().message() or 'path in use'}"
        if not self.bus.registerService(SERVICE):
            self.bus.unregisterObject(PATH)
            return f"the name {SERVICE} is taken ({self.bus.lastError().message()})"
        self.registered = True
        return None

    def close(self) -> None:
        """Leave the bus (the player closed): desktops drop the player at once."""
        if self.registered:
            self.registered = False
            self.bus.unregisterService(SERVICE)
            self.bus.unregisterObject(PATH)
        if self.bus.isConnected():
            QDBusConnection.disconnectFromBus(self.bus.name())

    # --- what the adaptors ask -----------------------------------------------------------------
    def playback_status(self) -> str:
        return STATUS.get(self.backend.state, "Stopped")

    def has_tracks(self) -> bool:
        playlist = self.backend.playlist
        return playlist is not None and bool(playlist.tracks)

    def track_id(self) -> str:
        if not self.has_tracks() or self.backend.current_index < 0:
            return NO_TRACK
        return f"/org/moodplayer/load{self._loads}/track{self.backend.current_index}"

    def metadata(self) -> dict:
        playlist, index = self.backend.playlist, self.backend.current_index
        if playlist is None or not 0 <= index < len(playlist.tracks):
            return {"mpris:trackid": QDBusObjectPath(NO_TRACK)}
        track = playlist.tracks[index]
        # read_track writes "artist – title" when the tags have both
        artist, sep, title = track.title.partition(" – ")
        if not sep:
            artist, title = "", track.title
        data = {
            "mpris:trackid": QDBusObjectPath(self.track_id()),
            "xesam:title": title,
            "xesam:album": f"{playlist.name} playlist",
            "xesam:url": QUrl.fromLocalFile(str(Path(track.path).absolute())).toString(),
        }
        if artist:
            data["xesam:artist"] = [artist]
        length_ms = self.backend.position()[1] or int(1000 * (track.duration_s or 0))
        if length_ms > 0:
            # QtDBus sends a Python int as int32 when it fits (int64 past ~35 minutes):
            # PySide6 offers no way to force a 64-bit integer inside a{sv}.
            data["mpris:length"] = length_ms * 1000
        return data

    # --- intents from D-Bus ------------------------------------------------------------------------
    def seek_by(self, offset_us: int) -> None:
        elapsed, length = self.backend.position()
        target = elapsed + offset_us // 1000
        if length and target >= length:
            self.intents.next()  # the specification: seeking past the end goes to the next track
        else:
            self.backend.seek(max(0, target))

    def set_position(self, track_id: str, position_us: int) -> None:
        _, length = self.backend.position()
        if (track_id != self.track_id() or position_us < 0 or not length
                or position_us > length * 1000):
            # the specification: a stale track id or a position outside the track (or in a
            # track whose length is not known yet) is ignored
            log.info("MPRIS: SetPosition(%s, %d µs) ignored: not a position in the current track",
                     track_id, position_us)
            return
        self.backend.seek(position_us // 1000)

    def raise_window(self) -> None:
        if self.window is not None:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()

    # --- PropertiesChanged ----------------------------------------------------------------------------
    def _on_track_changed(self, _index: int) -> None:
        if self.backend.playlist is not self._playlist:
            self._playlist = self.backend.playlist
            self._loads += 1
        self._changed("Metadata", "CanGoNext", "CanGoPrevious", "CanPlay", "CanPause", "CanSeek")

    def _changed(self, *names: str) -> None:
        if not self.registered:
            return
        values = {name: self._player.property(name) for name in names}
        if "Metadata" in names:
            values["Metadata"] = self.metadata()  # keeps the object path type
        signal = QDBusMessage.createSignal(PATH, PROPERTIES_IFACE, "PropertiesChanged")
        signal.setArguments([PLAYER_IFACE, values, _no_strings()])
        self.bus.send(signal)


def _number(value: object) -> float | None:
    """A finite number from D-Bus, or None (NaN, infinities, a string sent as a variant)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def mpris_volume(value: object) -> int | None:
    """An MPRIS Volume as the player's 0..100, or None when it is not a volume at all (NaN,
    infinite, not a number): ignored, never 100. The specification: a negative value sets
    0.0; above 1.0 would amplify, which MoodPlayer does not, so it is 1.0."""
    number = _number(value)
    if number is None:
        return None
    return round(max(0.0, min(1.0, number)) * 100)


def _no_strings() -> QDBusArgument:
    """An empty ``as``: a plain empty Python list would go out as ``av``, and clients
    (GLib's GDBus) drop a PropertiesChanged whose signature is not ``sa{sv}as``."""
    empty = QDBusArgument()
    empty.beginArray(QMetaType(QMetaType.Type.QString))
    empty.endArray()
    return empty


def session_bus_address() -> str | None:
    """The session bus to use, or None when there is none: never autolaunch a daemon."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime, "bus").exists():
        return f"unix:path={Path(runtime, 'bus')}"
    return None


_connections = 0


def start_mpris(backend: PlayerBackend, window=None, intents=None) -> MprisService | None:
    """MPRIS for ``backend``, or None (with one log line) when there is no session bus."""
    global _connections
    address = session_bus_address()
    if address is None:
        log.info("MPRIS is off: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        return None
    # A connection of our own (not the process-wide sessionBus()): it is made now, with
    # the environment of now, and closed with the player.
    _connections += 1
    name = f"moodplayer-mpris-{_connections}"
    bus = QDBusConnection.connectToBus(address, name)
    if not bus.isConnected():
        log.info("MPRIS is off: the D-Bus session bus at %s cannot be reached (%s)",
                 address, bus.lastError().message() or "no connection")
        QDBusConnection.disconnectFromBus(name)
        return None
    service = MprisService(backend, bus, window, intents)
    why = service.register()
    if why:
        log.info("MPRIS is off: %s", why)
        service.close()
        service.setParent(None)
        service.deleteLater()
        return None
    log.info("MPRIS: media keys and desktop controls reach MoodPlayer as %s", SERVICE)
    return service
