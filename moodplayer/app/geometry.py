"""A remembered window geometry, made to fit the screens there are now: a window saved on a
monitor that is gone, or a size from a hand-edited file (100000 × 100000 asked Qt for a
4.9 GB backing store), must not open off the screen or eat the memory.

Rectangles are (x, y, width, height) tuples: no Qt here, so the rule is tested as it is."""

from __future__ import annotations

Rect = tuple[int, int, int, int]

MIN_SIZE = (320, 240)  # smaller than this is no window to work in


def _overlap(a: Rect, b: Rect) -> int:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


def fit_to_screens(geometry: Rect, screens: list[Rect], minimum: tuple[int, int] = MIN_SIZE,
                   frame: tuple[int, int, int, int] = (0, 0, 0, 0)) -> Rect | None:
    """``geometry`` (the window's inside) moved and shrunk so that the window with its
    ``frame`` (left, top, right, bottom) lies wholly on the screen it overlaps most (the
    first screen, the primary, when it overlaps none), never smaller than ``minimum``.
    None when there is no screen, or when the geometry is no window (a width or height of 0
    or less): then the default is used."""
    x, y, w, h = geometry
    if not screens or w <= 0 or h <= 0:
        return None
    left, top, right, bottom = frame
    outer = (x - left, y - top, w + left + right, h + top + bottom)
    overlaps = [_overlap(outer, s) for s in screens]
    sx, sy, sw, sh = screens[overlaps.index(max(overlaps))] if any(overlaps) else screens[0]
    sw, sh = sw - left - right, sh - top - bottom  # room for the inside
    w = max(min(w, sw), min(max(minimum[0], MIN_SIZE[0]), sw), minimum[0])
    h = max(min(h, sh), min(max(minimum[1], MIN_SIZE[1]), sh), minimum[1])
    x = max(min(x, sx + left + sw - w), sx + left)  # a window larger than the screen: top left
    y = max(min(y, sy + top + sh - h), sy + top)
    return x, y, w, h
