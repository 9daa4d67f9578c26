"""``~`` in a path the user typed, without ever failing: ``~nosuchuser/x`` (or ``~`` with no
home directory) stays as written, and then simply does not exist, which every caller
already reports in words. (``Path.expanduser`` raises RuntimeError there.)"""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path


def user_path(text: str | os.PathLike[str]) -> Path:
    path = Path(text)
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def file_stem(name: str) -> str:
    """A file or folder name that a profile name maps to, and only that one: the name's safe
    characters, for people reading the folder, plus a checksum of the exact name (so "a/b"
    and "a_b" never share a file, and no name reaches outside its folder)."""
    if not name or not name.strip():
        raise ValueError("the profile name is empty")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name.strip())[:40].strip("_") or "profile"
    return f"{slug}-{zlib.crc32(name.encode('utf-8')):08x}"
