"""Desktop notifications (freedesktop ``org.freedesktop.Notifications``) over QtDBus: one
when the mood switches the music, with its one-line reason.

Without a session bus, or with no notification server on it, there are none (one log line).
The call goes through QtDBus's introspected interface, so the arguments carry the types the
specification asks for (``susssasa{sv}i``); a notification server that does not answer
within half a second is left behind, never waited for.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject, QObject, Qt
from PySide6.QtDBus import QDBusConnection, QDBusInterface

from moodplayer.desktop.mpris import session_bus_address

log = logging.getLogger("moodplayer")
SERVICE = PATH_IFACE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
TIMEOUT_MS = 500
EXPIRE_MS = 6000
_connections = 0


class Notifier(QObject):
    def __init__(self, app_name: str = "MoodPlayer", icon: str = "moodplayer",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app_name, self.icon = app_name, icon
        self._bus: QDBusConnection | None = None
        self._iface: QDBusInterface | None = None
        self._last_id = 0  # each notification replaces the one before
        self.sent = 0
        self.off_why: str | None = None

    def _interface(self) -> QDBusInterface | None:
        global _connections
        if self._iface is not None and self._iface.isValid():
            return self._iface
        address = session_bus_address()
        if address is None:
            return self._off("no D-Bus session bus")
        if self._bus is None:
            _connections += 1
            self._name = f"moodplayer-notify-{_connections}"
            self._bus = QDBusConnection.connectToBus(address, self._name)
        if not self._bus.isConnected():
            return self._off("the session bus cannot be reached")
        if not self._bus.interface().isServiceRegistered(SERVICE).value():
            return self._off("no notification server on the session bus")
        self._iface = QDBusInterface(SERVICE, PATH, PATH_IFACE, self._bus)
        self._iface.setTimeout(TIMEOUT_MS)
        if not self._iface.isValid():
            return self._off(self._iface.lastError().message() or "the notification server does not answer")
        self.off_why = None
        return self._iface

    def _off(self, why: str) -> QDBusInterface | None:
        """Say once why there are no notifications; None (no interface) to return."""
        if why != self.off_why:
            log.info("notifications are off: %s", why)
        self.off_why = why
        return None

    def notify(self, summary: str, body: str) -> bool:
        iface = self._interface()
        if iface is None:
            return False
        try:
            new_id = QMetaObject.invokeMethod(
                iface, "Notify", Qt.ConnectionType.DirectConnection, Q_RETURN_ARG("uint"),
                Q_ARG(str, self.app_name), Q_ARG("uint", self._last_id), Q_ARG(str, self.icon),
                Q_ARG(str, summary), Q_ARG(str, body), Q_ARG("QStringList", []),
                Q_ARG("QVariantMap", {}), Q_ARG(int, EXPIRE_MS))
        except Exception as err:  # a notification is a nicety: never a reason to stop
            self._iface = None
            self._off(f"the notification could not be sent ({err})")
            return False
        error = iface.lastError()
        if error.isValid():
            self._iface = None
            self._off(error.message())
            return False
        self._last_id = new_id if isinstance(new_id, int) else 0
        self.sent += 1
        return True

    def close(self) -> None:
        self._iface = None
        if self._bus is not None:
            QDBusConnection.disconnectFromBus(self._name)
            self._bus = None
