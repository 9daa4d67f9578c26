"""The app as a real process (``python -m moodplayer run``), for the tests of what happens
between processes: signals, a second instance. Its stderr is read on a thread, so the
test can wait for a line without the pipe filling up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


def _as_a_desktop_starts_it() -> None:
    """The exit signals at their defaults in the app, as a desktop session starts it: a
    suite run under ``nohup`` (or from a shell's background job) would hand its ignored
    SIGHUP (SIGINT) down, and the app rightly keeps an ignored signal ignored (app/exits.py;
    the nohup case has its own test)."""
    for signum in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


class AppProcess:
    def __init__(self, *args: str, config: Path, env: dict | None = None) -> None:
        cmd = [sys.executable, "-m", "moodplayer", "run", "--backend", "null", "--source", "demo",
               "--config", str(config), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env or os.environ.copy(), preexec_fn=_as_a_desktop_starts_it)
        self.lines: list[str] = []
        self.out: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stderr, self.lines), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True)]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} from the app (exit {self.proc.poll()}):\n" + "\n".join(self.lines[-30:]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
        for reader in self._readers:
            reader.join(5)
