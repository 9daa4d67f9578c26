"""The one careful way MoodPlayer reads a file the user can point it at (settings, timing
scripts, session records, playlists, calibrations, exported profiles): only a regular file
is read. A FIFO, a device, a socket or a folder under a file's name is refused with an
OSError that says so, without blocking: the file is opened non-blocking and checked with
``fstat`` before a byte is read (checking the name first would leave a gap in which it can
be swapped). A file larger than ``limit`` is refused too, instead of filling the memory."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MB = 1024 * 1024


class NotAFile(OSError):
    """The path names something that is not a regular file, or one too large to read."""


def what_it_is(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def is_regular_file(path: Path) -> bool:
    """True for a regular file (following symbolic links); never blocks, never raises."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_regular_bytes(path: Path, limit: int = 16 * MB) -> bytes:
    """The bytes of the regular file ``path``. Raises FileNotFoundError / PermissionError as
    ``open`` does, NotAFile for anything that is not a regular file or is over ``limit``."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError as err:
        raise NotAFile(errno.EISDIR, f"{path} is a folder, not a file") from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(errno.EINVAL, f"{path} is {what_it_is(info.st_mode)}, not a file")
        if info.st_size > limit:
            raise NotAFile(errno.EFBIG, f"{path} is too large ({info.st_size / MB:.0f} MB; "
                                        f"at most {limit / MB:.0f} MB is read)")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 * MB):
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise NotAFile(errno.EFBIG, f"{path} is too large (over {limit / MB:.0f} MB)")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_regular_text(path: Path, limit: int = 16 * MB) -> str:
    """The text of the regular file ``path``, UTF-8 with or without a BOM (Notepad writes
    one) and with any line ends. Raises OSError as ``read_regular_bytes``, and
    UnicodeDecodeError when it is not UTF-8."""
    text = read_regular_bytes(path, limit).decode("utf-8-sig")
    return text.replace("\r\n", "\n")
