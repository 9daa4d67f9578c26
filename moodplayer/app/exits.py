"""Signals end the app as closing its window does: SIGTERM (logout, ``kill``), SIGHUP
(the terminal went away) and SIGINT (Ctrl+C) make Qt's loop return, and the shutdown that
follows saves the settings, closes the session record with its closing line and lets go
of the camera and libvlc.

A Python signal handler runs only when the interpreter gets control, which it does not
while Qt's event loop waits in C (Ctrl+C used to wait for the next Python slot: 20 s and
more). So the C-level handler writes the signal's number to a socket pair
(``signal.set_wakeup_fd``), and a ``QSocketNotifier`` on the other end wakes the loop at
once; the Qt thread reads the number and asks the app to quit.

A signal ignored by whoever started the app (``nohup``) stays ignored. A signal that
comes while the app is already closing is noted in the log; the third one
ends the process at once, without waiting for the shutdown (a way out of a hung exit).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger("moodplayer")

EXIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


class SignalExits(QObject):
    """While alive, EXIT_SIGNALS call ``on_exit(signum)`` on the Qt thread (the first one)."""

    def __init__(self, on_exit: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.on_exit = on_exit
        self.received: int | None = None  # the first exit signal
        self._count = 0
        self._read_end, self._write_end = socket.socketpair()
        for end in (self._read_end, self._write_end):
            end.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write_end.fileno(), warn_on_full_buffer=False)
        # a signal ignored by whoever started us stays ignored (``nohup``: SIGHUP; a shell's
        # background job: SIGINT)
        self.signals = tuple(s for s in EXIT_SIGNALS if signal.getsignal(s) is not signal.SIG_IGN)
        self._old_handlers = {s: signal.signal(s, self._on_signal) for s in self.signals}
        self._notifier = QSocketNotifier(self._read_end.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._wake)

    @property
    def exit_code(self) -> int | None:
        """What a shell reports for a process the signal ended: 128 + its number."""
        return None if self.received is None else 128 + self.received

    def _on_signal(self, signum: int, _frame) -> None:
        # Python-level: runs whenever the interpreter gets control, after the C handler
        # has written ``signum`` to the wakeup socket. During the shutdown (Qt's loop has
        # returned) this is where a later signal is seen.
        if self.received is not None and signum in self.signals:
            self._again(signum)

    def _wake(self, *_args) -> None:
        try:
            data = self._read_end.recv(256)
        except (BlockingIOError, InterruptedError):
            return
        for signum in data:
            if signum not in self.signals:
                continue
            if self.received is None:
                self.received = signum
                self._count = 1
                log.info("%s: closing as if the window were closed (settings saved, record closed)",
                         signal.Signals(signum).name)
                self.on_exit(signum)

    def _again(self, signum: int) -> None:
        self._count += 1
        if self._count >= 3:
            log.warning("%s a third time: leaving at once, without finishing the shutdown",
                        signal.Signals(signum).name)
            os._exit(128 + signum)
        log.info("%s: already closing (a third one leaves at once)", signal.Signals(signum).name)

    def close(self) -> None:
        """Put the previous handlers back."""
        self._notifier.setEnabled(False)
        for s, handler in self._old_handlers.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(self._old_fd)
        self._read_end.close()
        self._write_end.close()
