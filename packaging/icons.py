"""Render the app icon (resources/moodplayer.svg) to PNG sizes for desktops and bundles:

    python packaging/icons.py [OUTDIR]   (default resources/icons)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)


def render(svg: Path, outdir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read the icon {svg}")
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        path = outdir / f"moodplayer-{size}.png"
        image.save(str(path))
        written.append(path)
    return written


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "resources" / "icons"
    for path in render(root / "resources" / "moodplayer.svg", outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
