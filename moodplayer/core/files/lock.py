"""One writer at a time for a file several processes change (the settings: the app, a second
app, ``moodplayer calibrate``): an exclusive lock held while a writer reads the file, merges
its changes in and writes it back (core/settings/merge.py).

The lock is ``fcntl.flock`` on a lock file beside the file (``.settings.toml.lock``). The
file exists only while the lock is held: its holder removes it before letting go, and a
waiter that then wins a lock on the removed file notices (the name no longer leads to the
file it locked) and tries again. Without ``fcntl`` (Windows), the lock file itself is the
lock: made with O_EXCL, and taken over when older than ``STALE_S`` (its holder died).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no such module there: None says so

STALE_S = 30.0


class LockTimeout(OSError):
    """Another process held the lock for longer than the wait allowed."""


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: Path, timeout_s: float = 10.0) -> Iterator[None]:
    """Holds the lock of ``path`` for the ``with`` block. Raises LockTimeout when another
    process holds it for ``timeout_s``, OSError when the lock file cannot be made."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    if fcntl is None:  # pragma: no cover - Windows
        with _exclusive_file(lock, deadline):
            yield
        return
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            _wait(deadline, path)
            continue
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # its holder removed it as we waited: the lock lives on a new file
    try:
        yield
    finally:
        try:
            os.unlink(lock)  # before unlocking: a waiter on this file then tries again
        except OSError:
            pass
        os.close(fd)


def _wait(deadline: float, path: Path) -> None:
    if time.monotonic() > deadline:
        raise LockTimeout(errno.EAGAIN, f"{path} is being written by another program (locked)")
    time.sleep(0.02)


@contextmanager
def _exclusive_file(lock: Path, deadline: float) -> Iterator[None]:  # pragma: no cover - Windows
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            try:
                if time.time() - os.stat(lock).st_mtime > STALE_S:
                    os.unlink(lock)
                    continue
            except FileNotFoundError:
                continue
            _wait(deadline, lock)
    try:
        yield
    finally:
        os.close(fd)
        try:
            os.unlink(lock)
        except OSError:
            pass
