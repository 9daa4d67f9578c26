"""Is there a screen to open the window on? Asked before Qt is started, because Qt without one
prints "could not load the Qt platform plugin xcb" and aborts the process (no exception to
catch). Linux and the BSDs only: Windows and macOS always have their own platform.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Qt platforms that draw without any display server.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb",
                                "vkkhrdisplay"})

WAYS_OUT = ("start it from a desktop session, use 'moodplayer analyze VIDEO' for headless use, "
            "or set QT_QPA_PLATFORM=offscreen to run without showing a window")


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """None when the window can open here; otherwise one line saying why and the ways out."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if not requested:
        if x11 or wayland:
            return None
        return f"no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set): {WAYS_OUT}"
    # "wayland;xcb" lists fallbacks; "vnc:size=800x600" carries options after the colon
    names = [part.split(":", 1)[0].strip().lower() for part in requested.split(";") if part.strip()]
    for name in names:
        if name in HEADLESS_PLATFORMS or (name == "xcb" and x11) or (name.startswith("wayland") and wayland):
            return None
        if name not in {"xcb"} and not name.startswith("wayland"):
            return None  # a platform we do not know: let Qt judge it
    needs = " or ".join(dict.fromkeys("DISPLAY" if n == "xcb" else "WAYLAND_DISPLAY" for n in names))
    return f"no display to open the window on (QT_QPA_PLATFORM={requested} needs {needs}): {WAYS_OUT}"
