"""Small vector icons drawn with QPainter: the same glyph on the canvas, in the palette
and in the toolbar, crisp at any zoom and with no image files to ship or theme."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF


def _pen(painter: QPainter, color: QColor, width: float) -> None:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _start(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawPolygon(QPolygonF([QPointF(r.left() + r.width() * 0.25, r.top() + r.height() * 0.15),
                             QPointF(r.right() - r.width() * 0.1, r.center().y()),
                             QPointF(r.left() + r.width() * 0.25, r.bottom() - r.height() * 0.15)]))


def _end(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    _pen(p, c, w)
    x = r.left() + r.width() * 0.25
    p.drawLine(QPointF(x, r.top() + r.height() * 0.1), QPointF(x, r.bottom()))
    flag = QPainterPath(QPointF(x, r.top() + r.height() * 0.12))
    flag.lineTo(r.right() - r.width() * 0.1, r.top() + r.height() * 0.3)
    flag.lineTo(x, r.top() + r.height() * 0.55)
    p.setBrush(c)
    p.drawPath(flag)


def _classify(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    """A stem splitting into three: one case, sorted into one of N options."""
    _pen(p, c, w)
    left = QPointF(r.left() + r.width() * 0.1, r.center().y())
    mid = QPointF(r.left() + r.width() * 0.45, r.center().y())
    p.drawLine(left, mid)
    for dy in (-0.32, 0.0, 0.32):
        end = QPointF(r.right() - r.width() * 0.12, r.center().y() + dy * r.height())
        path = QPainterPath(mid)
        path.cubicTo(QPointF(mid.x() + r.width() * 0.2, mid.y()),
                     QPointF(mid.x() + r.width() * 0.1, end.y()), end)
        p.drawPath(path)
        p.setBrush(c)
        p.drawEllipse(end, w * 0.9, w * 0.9)
        p.setBrush(Qt.BrushStyle.NoBrush)


def _assist(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    """A speech bubble with text lines: drafts words, never acts."""
    _pen(p, c, w)
    box = QRectF(r.left() + r.width() * 0.08, r.top() + r.height() * 0.12,
                 r.width() * 0.84, r.height() * 0.6)
    bubble = QPainterPath()
    bubble.addRoundedRect(box, r.width() * 0.12, r.width() * 0.12)
    tail = QPainterPath(QPointF(box.left() + box.width() * 0.25, box.bottom()))
    tail.lineTo(box.left() + box.width() * 0.18, r.bottom() - r.height() * 0.06)
    tail.lineTo(box.left() + box.width() * 0.45, box.bottom())
    p.drawPath(bubble.united(tail))
    for i, frac in enumerate((0.62, 0.42)):
        y = box.top() + box.height() * (0.38 + 0.28 * i)
        p.drawLine(QPointF(box.left() + box.width() * 0.2, y),
                   QPointF(box.left() + box.width() * (0.2 + frac), y))


def _enforce(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    """A shield with a tick: proposes changes that guardrails check."""
    _pen(p, c, w)
    cx, top, bottom = r.center().x(), r.top() + r.height() * 0.08, r.bottom() - r.height() * 0.06
    half = r.width() * 0.36
    shield = QPainterPath(QPointF(cx, top))
    shield.lineTo(cx + half, top + r.height() * 0.14)
    shield.cubicTo(QPointF(cx + half, top + r.height() * 0.6),
                   QPointF(cx + half * 0.4, bottom - r.height() * 0.1), QPointF(cx, bottom))
    shield.cubicTo(QPointF(cx - half * 0.4, bottom - r.height() * 0.1),
                   QPointF(cx - half, top + r.height() * 0.6),
                   QPointF(cx - half, top + r.height() * 0.14))
    shield.closeSubpath()
    p.drawPath(shield)
    tick = QPainterPath(QPointF(cx - half * 0.45, r.center().y()))
    tick.lineTo(cx - half * 0.05, r.center().y() + r.height() * 0.14)
    tick.lineTo(cx + half * 0.5, r.center().y() - r.height() * 0.14)
    p.drawPath(tick)


def _decision(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    _pen(p, c, w)
    cx, cy = r.center().x(), r.center().y()
    dx, dy = r.width() * 0.4, r.height() * 0.4
    p.drawPolygon(QPolygonF([QPointF(cx, cy - dy), QPointF(cx + dx, cy),
                             QPointF(cx, cy + dy), QPointF(cx - dx, cy)]))
    p.setBrush(c)
    p.drawEllipse(QPointF(cx, cy), w * 0.8, w * 0.8)


def _human(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    _pen(p, c, w)
    head = r.width() * 0.17
    p.drawEllipse(QPointF(r.center().x(), r.top() + r.height() * 0.3), head, head)
    body = QPainterPath(QPointF(r.left() + r.width() * 0.16, r.bottom() - r.height() * 0.08))
    body.cubicTo(QPointF(r.left() + r.width() * 0.2, r.center().y() + r.height() * 0.05),
                 QPointF(r.right() - r.width() * 0.2, r.center().y() + r.height() * 0.05),
                 QPointF(r.right() - r.width() * 0.16, r.bottom() - r.height() * 0.08))
    p.drawPath(body)


def _action(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    """A lightning bolt: writes to the system of record."""
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    x, y, wd, ht = r.left(), r.top(), r.width(), r.height()
    p.drawPolygon(QPolygonF([QPointF(x + wd * 0.58, y + ht * 0.05),
                             QPointF(x + wd * 0.2, y + ht * 0.56),
                             QPointF(x + wd * 0.47, y + ht * 0.56),
                             QPointF(x + wd * 0.38, y + ht * 0.95),
                             QPointF(x + wd * 0.8, y + ht * 0.4),
                             QPointF(x + wd * 0.52, y + ht * 0.4)]))


def _observe(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    _pen(p, c, w)
    eye = QPainterPath(QPointF(r.left() + r.width() * 0.05, r.center().y()))
    eye.quadTo(r.center().x(), r.top() - r.height() * 0.1, r.right() - r.width() * 0.05,
               r.center().y())
    eye.quadTo(r.center().x(), r.bottom() + r.height() * 0.1, r.left() + r.width() * 0.05,
               r.center().y())
    p.drawPath(eye)
    p.setBrush(c)
    p.drawEllipse(r.center(), r.width() * 0.13, r.width() * 0.13)


def _copilot(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    _pen(p, c, w)
    for dx in (-0.18, 0.18):
        p.drawEllipse(QPointF(r.center().x() + dx * r.width(), r.center().y()),
                      r.width() * 0.26, r.width() * 0.26)


def _operate(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    _pen(p, c, w)
    centre, outer = r.center(), r.width() * 0.42
    for i in range(8):
        angle = i * math.pi / 4
        p.drawLine(QPointF(centre.x() + math.cos(angle) * outer * 0.62,
                           centre.y() + math.sin(angle) * outer * 0.62),
                   QPointF(centre.x() + math.cos(angle) * outer,
                           centre.y() + math.sin(angle) * outer))
    p.drawEllipse(centre, outer * 0.55, outer * 0.55)


def _warning(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawEllipse(r)
    p.setPen(QPen(QColor("white"), max(1.2, r.width() * 0.14), Qt.PenStyle.SolidLine,
                  Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(r.center().x(), r.top() + r.height() * 0.25),
               QPointF(r.center().x(), r.top() + r.height() * 0.58))
    p.drawPoint(QPointF(r.center().x(), r.top() + r.height() * 0.76))


def _check(p: QPainter, r: QRectF, c: QColor, w: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawEllipse(r)
    _pen(p, QColor("white"), max(1.4, r.width() * 0.12))
    tick = QPainterPath(QPointF(r.left() + r.width() * 0.28, r.center().y()))
    tick.lineTo(r.left() + r.width() * 0.44, r.top() + r.height() * 0.66)
    tick.lineTo(r.left() + r.width() * 0.72, r.top() + r.height() * 0.34)
    p.drawPath(tick)


# By glyph name; which glyph a node kind shows is its record's `glyph` (designer.nodes).
GLYPHS: dict[str, Callable[[QPainter, QRectF, QColor, float], None]] = {
    "start": _start, "end": _end, "classify": _classify, "assist": _assist,
    "enforce": _enforce, "decision": _decision, "human": _human, "action": _action,
    "observe": _observe, "copilot": _copilot, "operate": _operate,
    "warning": _warning, "check": _check,
}


def draw_glyph(painter: QPainter, key: str, rect: QRectF, color: QColor | str) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    GLYPHS[key](painter, rect, QColor(color), max(1.2, rect.width() / 11))
    painter.restore()


_ICONS: dict[tuple[str, str, int], QIcon] = {}


def glyph_icon(key: str, color: QColor | str, size: int = 32) -> QIcon:
    """The glyph as an icon; drawn once per glyph, colour and size (the problems list of
    a big flow asked for the same warning icon a thousand times)."""
    name = color if isinstance(color, str) else color.name(QColor.NameFormat.HexArgb)
    icon = _ICONS.get((key, name, size))
    if icon is None:
        icon = _ICONS[(key, name, size)] = _drawn_icon(key, color, size)
    return icon


def _drawn_icon(key: str, color: QColor | str, size: int) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    inset = size * 0.1
    try:
        draw_glyph(painter, key, QRectF(inset, inset, size - 2 * inset, size - 2 * inset),
                   color)
    finally:
        painter.end()
    return QIcon(pixmap)
