"""The Qt binding itself: a regression check on the pinned PySide6."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QThread, Signal


class _Emitter(QThread):
    batch = Signal(list)

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.done = threading.Event()

    def run(self) -> None:
        for i in range(self.count):
            self.batch.emit([i])
        self.done.set()


def test_signals_from_a_thread_do_not_leak_references_to_true(qtbot):
    """PySide6 6.12.0 loses a reference to Python's True on every signal emitted from a
    QThread: the analysis thread emits about 20 a second, and the process aborts
    ("bool_dealloc") after a few thousand. The pinned version must not."""
    received = []
    emitter = _Emitter(5000)
    emitter.batch.connect(received.append)
    before = sys.getrefcount(True)
    emitter.start()
    qtbot.waitUntil(lambda: len(received) == 5000, timeout=20000)
    emitter.wait(5000)
    assert before - sys.getrefcount(True) < 50
