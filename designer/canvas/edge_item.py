"""A connection: a path from the source's out-port to the target's in-port, an arrow, and
the branch label a person reads the flow by (a condition, "Otherwise", or a decision).

The path is the S-curve at first and is re-routed around cards in its way right after
the move (`canvas.routing`); the label is shortened to fit and the whole of it is in the
tooltip, so it is never cut off mid-word."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QStyleOptionGraphicsItem, QWidget

from designer import theme
from designer.canvas.presentation import EdgeLook
from designer.canvas.routing import router_for

LABEL_FONT = (6.8, False)  # (point size, bold): made on first use
LABEL_TONES = {
    "condition": ("#F0FDF9", "#107569", "#99F6E0"),
    "otherwise": ("#F9FAFB", theme.INK_SOFT, theme.LINE),
    "outcome": ("#FDF2FA", "#C11574", "#FCCEEE"),
    "plain": ("#FFFFFF", theme.INK_SOFT, theme.LINE),
}
ARROW = 8.0


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """A left-to-right S-curve; backward connections swing out and around."""
    path = QPainterPath(start)
    dx = end.x() - start.x()
    if dx >= 30:
        reach = max(30.0, dx / 2)
        path.cubicTo(start + QPointF(reach, 0), end - QPointF(reach, 0), end)
    else:
        reach = 70.0 + min(abs(dx), 400) * 0.25
        drop = 70.0 if end.y() >= start.y() else -70.0
        path.cubicTo(start + QPointF(reach, drop), end - QPointF(reach, -drop), end)
    return path


def recheck_routes(scene: QGraphicsScene) -> None:
    """After an edit: connections that went round a card that has moved may go straight."""
    router_for(scene, curve).recheck()


class EdgeItem(QGraphicsItem):
    def __init__(self, key: int, look: EdgeLook) -> None:
        super().__init__()
        self.key = key
        self.look = look
        self.path = QPainterPath()
        self.ends: tuple[QPointF, QPointF] | None = None
        self.label_rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.hovered = False
        self.setZValue(1)
        self.setToolTip(look.tooltip)

    def set_look(self, look: EdgeLook) -> None:
        if look != self.look:
            self.prepareGeometryChange()
            self.look = look
            self.setToolTip(look.tooltip)
            self._place_label()
            self.update()

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        """Attach to new port positions: the curve now, a route around cards after the
        move (once per batch of moves, never while painting)."""
        self.ends = (QPointF(start), QPointF(end))
        self.take_route(curve(start, end))
        scene = self.scene()
        if scene is not None:
            router_for(scene, curve).request(self)

    def take_route(self, path: QPainterPath) -> None:
        if path == self.path:
            return
        self.prepareGeometryChange()
        self.path = path
        self._place_label()
        for child in self.childItems():  # run overlay marks follow the path
            follow = getattr(child, "path_changed", None)
            if follow is not None:
                follow()

    def _place_label(self) -> None:
        if not self.look.label or self.path.isEmpty():
            self.label_rect = QRectF()
            return
        metrics = QFontMetricsF(theme.font(*LABEL_FONT))
        width = metrics.horizontalAdvance(self.look.label) + 12
        centre = self.path.pointAtPercent(0.5)
        lift = 0.0
        if self.path.length() < width + 12:  # too short to hold it: sit above the line
            lift = 13.0
        self.label_rect = QRectF(centre.x() - width / 2, centre.y() - 8 - lift, width, 16)

    def boundingRect(self) -> QRectF:
        return self.path.boundingRect().adjusted(-ARROW, -ARROW, ARROW, ARROW).united(
            self.label_rect.adjusted(-2, -2, 2, 2))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        outline = stroker.createStroke(self.path)
        if not self.label_rect.isNull():
            outline.addRect(self.label_rect)
        return outline

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.2)
        color = theme.color(theme.SELECTION if self.isSelected() else
                       theme.INK_SOFT if self.hovered else "#98A2B3")
        pen = QPen(color, 2.2 if self.isSelected() else 1.5)
        if self.look.tone == "otherwise":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)
        self._paint_arrow(painter, color)
        if lod >= 0.45 and not self.label_rect.isNull():
            self._paint_label(painter)

    def _paint_arrow(self, painter: QPainter, color: QColor) -> None:
        tip = self.path.pointAtPercent(1.0)
        angle = math.radians(self.path.angleAtPercent(0.99))
        back = QPointF(math.cos(angle), -math.sin(angle)) * ARROW
        side = QPointF(-back.y(), back.x()) * 0.5
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([tip, tip - back + side, tip - back - side]))

    def _paint_label(self, painter: QPainter) -> None:
        fill, ink, border = LABEL_TONES.get(self.look.tone, LABEL_TONES["plain"])
        painter.setPen(QPen(theme.color(theme.SELECTION if self.isSelected() else border), 1))
        painter.setBrush(theme.color(fill))
        painter.drawRoundedRect(self.label_rect, 8, 8)
        painter.setFont(theme.font(*LABEL_FONT))
        painter.setPen(theme.color(ink))
        painter.drawText(self.label_rect, Qt.AlignmentFlag.AlignCenter, self.look.label)
