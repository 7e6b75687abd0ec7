"""A step on the canvas: a pill (start/end), a card (AI, human, action) or a diamond.

The item draws a `NodeLook` and knows only its node id; moving it tells the scene, which
updates the attached connections and, on mouse release, turns the drag into one undo
step. Positions are centres, so steps of different shapes line up on the grid.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from designer import theme
from designer.canvas.glyphs import draw_glyph
from designer.canvas.presentation import NodeLook

SIZES = {"pill": (124.0, 44.0), "card": (148.0, 88.0), "diamond": (116.0, 80.0)}
PORT_RADIUS = 4.5
PORT_GRAB = 11.0
DETAIL_LOD = 0.4
MIN_TITLE_LOD = 0.08  # below this a card is a few pixels wide: no text at all
MIN_SCREEN_POINTS = 7.5  # the on-screen size of a zoomed-out title
TITLE_FONT = (8.5, True)  # (point size, bold): fonts are made on first paint
CAPTION_FONT = (7.0, True)
DIAMOND_FONT = (7.8, True)
BADGE_FONT = (6.8, False)
BADGE_TONES = {
    "neutral": ("#F2F4F7", theme.INK_SOFT),
    "accent": ("#EFF8FF", "#175CD3"),
    "guard": ("#FFFAEB", "#B54708"),
    "autonomy": ("#ECFDF3", "#067647"),
    "muted": ("#F9FAFB", theme.INK_FAINT),
}


_POSITION_CHANGE = QGraphicsItem.GraphicsItemChange.ItemPositionChange
_POSITION_CHANGED = QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged


class NodeItem(QGraphicsItem):
    def __init__(self, look: NodeLook) -> None:
        super().__init__()
        self.node_id = look.node_id
        self.look = look
        self.hovered = False
        self.drop_state: str | None = None  # "ok" | "refused" while a connection is drawn
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        self._apply_tooltip()

    # -- geometry -------------------------------------------------------------------

    @property
    def size(self) -> tuple[float, float]:
        return SIZES[self.look.shape]

    def body_rect(self) -> QRectF:
        w, h = self.size
        return QRectF(-w / 2, -h / 2, w, h)

    def boundingRect(self) -> QRectF:
        return self.body_rect().adjusted(-PORT_GRAB, -10, PORT_GRAB, 6)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.body_rect().adjusted(-PORT_GRAB, 0, PORT_GRAB, 0))
        return path

    def out_port(self) -> QPointF:
        return self.mapToScene(QPointF(self.size[0] / 2, 0))

    def in_port(self) -> QPointF:
        return self.mapToScene(QPointF(-self.size[0] / 2, 0))

    def is_on_out_port(self, scene_pos: QPointF) -> bool:
        local = self.mapFromScene(scene_pos)
        return (local - QPointF(self.size[0] / 2, 0)).manhattanLength() <= PORT_GRAB * 1.4

    # -- state ----------------------------------------------------------------------

    def set_look(self, look: NodeLook) -> None:
        if look == self.look:
            return
        self.prepareGeometryChange()
        self.look = look
        self._apply_tooltip()
        self.update()

    def set_drop_state(self, state: str | None) -> None:
        if state != self.drop_state:
            self.drop_state = state
            self.update()

    def _apply_tooltip(self) -> None:
        text = self.look.tooltip
        if self.look.problems:
            items = "".join(f"<li>{p}</li>" for p in self.look.problems)
            text += f"<br><span style='color:#FDA29B'><b>Problems</b></span><ul>{items}</ul>"
        self.setToolTip(text)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        # Called for every flag, tooltip and scene change too (a dozen times per item
        # made): only moves matter here, and the base class returns the value unchanged.
        if change is _POSITION_CHANGE:
            scene = self.scene()
            return scene.snapped(value) if scene is not None and scene.user_is_dragging \
                else value
        if change is _POSITION_CHANGED:
            scene = self.scene()
            if scene is not None:
                scene.node_item_moved(self.node_id)
        return value

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()

    # -- painting -------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        color = QColor(self.look.accent)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.2)
        outline = self._outline()
        if lod >= DETAIL_LOD:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(16, 24, 40, 22))
            painter.drawPath(outline.translated(0, 2))
        painter.setBrush(QColor(theme.SURFACE) if lod >= DETAIL_LOD else theme.tint(color, 60))
        painter.setPen(self._border_pen(color))
        painter.drawPath(outline)
        if lod < DETAIL_LOD:
            self._paint_title_only(painter, lod)
            return
        {"pill": self._paint_pill, "card": self._paint_card,
         "diamond": self._paint_diamond}[self.look.shape](painter, color)
        self._paint_ports(painter, color)
        if self.look.problems:
            w, h = self.size
            draw_glyph(painter, "warning", QRectF(w / 2 - 12, -h / 2 - 6, 17, 17), theme.DANGER)

    def _paint_title_only(self, painter: QPainter, lod: float) -> None:
        """Zoomed out (Fit on a big flow): only the title, in letters that stay about
        MIN_SCREEN_POINTS tall on screen, so a fitted flow is still readable."""
        if lod < MIN_TITLE_LOD:
            return
        rect = self.body_rect().adjusted(4, 2, -4, -2)
        font = theme.font(min(MIN_SCREEN_POINTS / lod, rect.height() * 0.42), True)
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(QColor(theme.INK))
        lines = max(1, int(rect.height() // metrics.lineSpacing()))
        words, shown, line = self.look.title.split(), [], ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if metrics.horizontalAdvance(candidate) <= rect.width() or not line:
                line = candidate
            else:
                shown.append(line)
                line = word
        shown.append(line)
        if len(shown) > lines:
            shown = [*shown[:lines - 1], " ".join(shown[lines - 1:])]
        text = "\n".join(metrics.elidedText(t, Qt.TextElideMode.ElideRight, rect.width())
                          for t in shown)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _outline(self) -> QPainterPath:
        rect = self.body_rect()
        path = QPainterPath()
        if self.look.shape == "diamond":
            path.addPolygon(QPolygonF([QPointF(0, rect.top()), QPointF(rect.right(), 0),
                                       QPointF(0, rect.bottom()), QPointF(rect.left(), 0)]))
            path.closeSubpath()
        elif self.look.shape == "pill":
            path.addRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        else:
            path.addRoundedRect(rect, 10, 10)
        return path

    def _border_pen(self, color: QColor) -> QPen:
        if self.drop_state == "refused":
            return QPen(QColor(theme.DANGER), 2.2, Qt.PenStyle.DashLine)
        if self.drop_state == "ok":
            return QPen(QColor(theme.SUCCESS), 2.4)
        if self.isSelected():
            return QPen(QColor(theme.SELECTION), 2.2)
        if self.look.problems:
            return QPen(QColor(theme.DANGER), 1.4)
        if self.look.shape == "diamond":
            return QPen(color, 1.6)
        return QPen(QColor(theme.INK_FAINT if self.hovered else theme.LINE), 1.2)

    def _paint_card(self, painter: QPainter, color: QColor) -> None:
        rect = self.body_rect()
        tile = QRectF(rect.left() + 9, rect.top() + 8, 20, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.tint(color, 30))
        painter.drawRoundedRect(tile, 5, 5)
        draw_glyph(painter, self.look.glyph, tile.adjusted(3, 3, -3, -3), color)
        caption = QRectF(tile.right() + 6, tile.top(), rect.right() - tile.right() - 14,
                         tile.height())
        self._text(painter, caption, self.look.caption, theme.font(*CAPTION_FONT), color.name())
        title = QRectF(rect.left() + 10, tile.bottom() + 3, rect.width() - 20, 30)
        self._wrapped(painter, title, self.look.title, theme.font(*TITLE_FONT))
        self._paint_badges(painter, QPointF(rect.left() + 9, rect.bottom() - 24),
                           rect.width() - 18)

    def _paint_pill(self, painter: QPainter, color: QColor) -> None:
        rect = self.body_rect()
        dot = QRectF(rect.left() + 7, -13, 26, 26)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.tint(color, 30))
        painter.drawEllipse(dot)
        draw_glyph(painter, self.look.glyph, dot.adjusted(7, 7, -7, -7), color)
        left = dot.right() + 6
        self._wrapped(painter, QRectF(left, -15, rect.right() - left - 12, 30), self.look.title,
                      theme.font(*TITLE_FONT), centred=True)

    def _paint_diamond(self, painter: QPainter, color: QColor) -> None:
        draw_glyph(painter, "decision", QRectF(-7, -30, 14, 14), color)
        self._wrapped(painter, QRectF(-40, -14, 80, 28), self.look.title,
                      theme.font(*DIAMOND_FONT), centred=True,
                      align=Qt.AlignmentFlag.AlignHCenter)

    def _paint_badges(self, painter: QPainter, origin: QPointF, width: float) -> None:
        metrics = QFontMetricsF(theme.font(*BADGE_FONT))
        painter.setFont(theme.font(*BADGE_FONT))
        x = origin.x()
        badges = list(self.look.badges)
        for index, badge in enumerate(badges):
            text_width = metrics.horizontalAdvance(badge.text) + 10
            remaining = len(badges) - index - 1
            reserve = metrics.horizontalAdvance(f"+{remaining}") + 14 if remaining else 0
            if x + text_width > origin.x() + width - reserve:
                self._badge(painter, QRectF(x, origin.y(), reserve - 4, 16), f"+{remaining + 1}",
                            "muted")
                return
            self._badge(painter, QRectF(x, origin.y(), text_width, 16), badge.text, badge.tone)
            x += text_width + 4

    @staticmethod
    def _badge(painter: QPainter, rect: QRectF, text: str, tone: str) -> None:
        fill, ink = BADGE_TONES.get(tone, BADGE_TONES["neutral"])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(rect, 8, 8)
        painter.setPen(QColor(ink))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_ports(self, painter: QPainter, color: QColor) -> None:
        w = self.size[0]
        radius = PORT_RADIUS + (1.5 if self.hovered else 0)
        painter.setBrush(QColor(theme.SURFACE))
        if self.look.type_key != "start" and self.drop_state is not None:
            painter.setPen(QPen(QColor(theme.INK_FAINT), 1.3))
            painter.drawEllipse(QPointF(-w / 2, 0), PORT_RADIUS - 0.5, PORT_RADIUS - 0.5)
        if self.look.type_key != "end":
            painter.setPen(QPen(color, 1.8))
            painter.setBrush(QColor(theme.SURFACE) if not self.hovered else theme.tint(color, 90))
            painter.drawEllipse(QPointF(w / 2, 0), radius, radius)

    @staticmethod
    def _wrapped(painter: QPainter, rect: QRectF, text: str, font,
                 centred: bool = False,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        """Up to two lines, the second elided; vertically centred when `centred`."""
        metrics = QFontMetricsF(font)
        lines = two_lines(text, metrics, rect.width())
        height = metrics.height() * len(lines)
        top = rect.top() + ((rect.height() - height) / 2 if centred else 0)
        painter.setFont(font)
        painter.setPen(QColor(theme.INK))
        for index, line in enumerate(lines):
            line_rect = QRectF(rect.left(), top + index * metrics.height(), rect.width(),
                               metrics.height())
            painter.drawText(line_rect, align | Qt.AlignmentFlag.AlignVCenter, line)

    @staticmethod
    def _text(painter: QPainter, rect: QRectF, text: str, font, color: str,
              align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        if not text:
            return
        painter.setFont(font)
        painter.setPen(QColor(color))
        elided = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, elided)


def two_lines(text: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """Break at a space so the first line fits; elide whatever is left onto line two."""
    if metrics.horizontalAdvance(text) <= width:
        return [text]
    words = text.split()
    first = ""
    for index, word in enumerate(words):
        candidate = f"{first} {word}".strip()
        if metrics.horizontalAdvance(candidate) > width:
            if not first:
                break
            rest = " ".join(words[index:])
            return [first, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
        first = candidate
    return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)]
