"""The one way MoodPlayer writes a file: to a temporary file beside it, flushed to disk, then
renamed over the old one. A crash or a full disk mid-write leaves the old file whole and no
temporary file behind (the caller sees the OSError)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def _temporary_beside(path: Path) -> tuple[int, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return fd, Path(tmp_name)


def _put_in_place(tmp: Path, path: Path) -> None:
    if path.exists():  # keep the mode a user gave the file (mkstemp makes it 0600)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """``write(fh)`` fills a binary file that then replaces ``path`` in one step."""
    fd, tmp = _temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _put_in_place(tmp, path)
    finally:
        if tmp.exists():  # the write failed half-way: leave no stray file
            tmp.unlink()


def write_through_atomically(path: Path, fill: Callable[[Path], None]) -> None:
    """For writers that want a file name (Qt's QPdfWriter): ``fill(tmp)`` writes the
    temporary file ``tmp`` beside ``path`` (and raises when it could not: the writer may not
    say so itself), which then replaces ``path`` in one step."""
    fd, tmp = _temporary_beside(path)
    os.close(fd)
    try:
        fill(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _put_in_place(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes_atomically(path: Path, data: bytes) -> None:
    def write(fh: IO[bytes]) -> None:
        fh.write(data)

    write_atomically(path, write)


def write_text_atomically(path: Path, text: str) -> None:
    write_bytes_atomically(path, text.encode("utf-8"))
