"""Render packaging/junction.svg to PNG icons (256, 128, 64, 48 px) with Qt's SVG renderer.

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py

The PNGs are build products (the spec runs this first); the SVG is the source.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SIZES = (256, 128, 64, 48)


def render(svg: Path = HERE / "junction.svg", out: Path = HERE / "build" / "icons") -> list[Path]:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = out / f"junction-{size}.png"
        image.save(str(target))
        written.append(target)
    return written


if __name__ == "__main__":
    for path in render():
        print(path)
