"""A small freedesktop notification server for tests: run as a child process on a private
session bus (DBUS_SESSION_BUS_ADDRESS); prints one JSON line per Notify call it accepts.

QtDBus dispatches a call only when its signature is the slot's (``susssasa{sv}i``), so a
client that sends the wrong D-Bus types is refused here as a real server refuses it."""

from __future__ import annotations

import json
import os
import sys

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusAbstractAdaptor, QDBusConnection

SERVICE = IFACE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


@ClassInfo({"D-Bus Interface": IFACE})  # type: ignore[call-arg]  # PySide6 stubs: ClassInfo takes a dict too
class Adaptor(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.count = 0

    @Slot(str, "uint", str, str, str, "QStringList", "QVariantMap", int, result="uint")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        self.count += 1
        print(json.dumps({"app": app, "replaces": replaces, "icon": icon, "summary": summary,
                          "body": body, "timeout": timeout}), flush=True)
        return self.count

    @Slot(result="QStringList")
    def GetCapabilities(self):
        return ["body"]


def main() -> int:
    app = QCoreApplication(sys.argv)
    bus = QDBusConnection.connectToBus(os.environ["DBUS_SESSION_BUS_ADDRESS"], "fake-notifications")
    root = QObject()
    Adaptor(root)
    if not (bus.registerObject(PATH, root, QDBusConnection.RegisterOption.ExportAdaptors)
            and bus.registerService(SERVICE)):
        print("cannot register", bus.lastError().message(), file=sys.stderr, flush=True)
        return 1
    print("ready", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
