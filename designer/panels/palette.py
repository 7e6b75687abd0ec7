"""The palette: a thin Qt view over the node records (designer.nodes).

Each entry shows its icon, name and one sentence on what it is for — the three AI roles
side by side so the difference between sorting, drafting and acting is visible before
anything is dragged. Drag an entry onto the canvas, or double-click it to add it in the
middle of the view.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from designer import nodes, theme
from designer.canvas.glyphs import draw_glyph
from designer.canvas.interactions import NODE_MIME

KEY_ROLE = Qt.ItemDataRole.UserRole
HEADER_ROLE = Qt.ItemDataRole.UserRole + 1


RAIL_WIDTH = 60  # the collapsed palette: one column of icons


class PaletteDelegate(QStyledItemDelegate):
    compact = False  # icons only (the rail); the tooltip carries the name and the blurb

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        if self.compact:
            return QSize(option.rect.width(), 9 if index.data(HEADER_ROLE) else 44)
        return QSize(option.rect.width(), 30 if index.data(HEADER_ROLE) else 56)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        if self.compact:
            self._paint_icon(painter, option, index)
            painter.restore()
            return
        if index.data(HEADER_ROLE):
            painter.setFont(theme.font(7.2, bold=True))
            painter.setPen(theme.color(theme.INK_FAINT))
            painter.drawText(rect.adjusted(14, 8, -8, 0), Qt.AlignmentFlag.AlignLeft
                             | Qt.AlignmentFlag.AlignVCenter, index.data().upper())
            painter.restore()
            return
        kind = nodes.record(index.data(KEY_ROLE))
        card = rect.adjusted(8, 3, -8, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            painter.setPen(theme.color(theme.LINE if not selected else "#B2DDFF"))
            painter.setBrush(theme.color("#F5FAFF" if selected else "#F9FAFB"))
            painter.drawRoundedRect(card, 8, 8)
        color = theme.color(kind.accent)
        tile = QRect(card.left() + 8, card.top() + 9, 30, 30)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.tint(color, 30))
        painter.drawRoundedRect(tile, 7, 7)
        draw_glyph(painter, kind.glyph, tile.adjusted(7, 7, -7, -7).toRectF(), color)
        text_left = tile.right() + 10
        painter.setPen(theme.color(theme.INK))
        painter.setFont(theme.font(8.6, bold=True))
        title = kind.display_name
        painter.drawText(QRect(text_left, card.top() + 5, card.right() - text_left - 6, 18),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setPen(theme.color(theme.INK_SOFT))
        small = QFont(theme.font(7.4))
        painter.setFont(small)
        painter.drawText(QRect(text_left, card.top() + 22, card.right() - text_left - 6, 26),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap, kind.blurb)
        painter.restore()


    def _paint_icon(self, painter: QPainter, option: QStyleOptionViewItem,
                    index: QModelIndex | QPersistentModelIndex) -> None:
        """The rail: a category is a thin rule, a kind its tinted icon tile."""
        rect = option.rect
        if index.data(HEADER_ROLE):
            painter.setPen(theme.color(theme.LINE))
            y = rect.center().y()
            painter.drawLine(rect.left() + 12, y, rect.right() - 12, y)
            return
        kind = nodes.record(index.data(KEY_ROLE))
        tile = QRect(rect.center().x() - 17, rect.center().y() - 17, 34, 34)
        if option.state & (QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_MouseOver):
            painter.setPen(theme.color(theme.LINE))
            painter.setBrush(theme.color("#F9FAFB"))
            painter.drawRoundedRect(tile.adjusted(-3, -3, 3, 3), 8, 8)
        color = theme.color(kind.accent)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.tint(color, 30))
        painter.drawRoundedRect(tile, 7, 7)
        draw_glyph(painter, kind.glyph, tile.adjusted(8, 8, -8, -8).toRectF(), color)


class PaletteWidget(QListWidget):
    add_requested = Signal(str)  # node type key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("palette")
        self.delegate = PaletteDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.setSpacing(0)
        for category in nodes.CATEGORIES:
            header = QListWidgetItem(category)
            header.setData(HEADER_ROLE, True)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(header)
            for kind in nodes.records():
                if kind.category == category and kind.palette:
                    item = QListWidgetItem(kind.title)
                    item.setData(KEY_ROLE, kind.key)
                    item.setToolTip(f"<b>{escape(kind.display_name)}</b> — "
                                    f"{escape(kind.blurb)}<br><br>{escape(kind.summary)}"
                                    "<br><br>Drag onto the canvas, or "
                                    "double-click to add.")
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                  | Qt.ItemFlag.ItemIsDragEnabled)
                    self.addItem(item)
        self.itemDoubleClicked.connect(self._activated)

    def set_compact(self, compact: bool) -> None:
        """Icons only (a rail that leaves the canvas its room) or icons with words."""
        self.delegate.compact = compact
        self.scheduleDelayedItemsLayout()
        self.viewport().update()

    def is_compact(self) -> bool:
        return self.delegate.compact

    def keys(self) -> list[str]:
        return [self.item(i).data(KEY_ROLE) for i in range(self.count())
                if self.item(i).data(KEY_ROLE)]

    def item_for_key(self, key: str) -> QListWidgetItem:
        return next(self.item(i) for i in range(self.count())
                    if self.item(i).data(KEY_ROLE) == key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self._activated(self.currentItem())
            return
        super().keyPressEvent(event)

    def _activated(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        if key:
            self.add_requested.emit(key)

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        keys = [i.data(KEY_ROLE) for i in items if i.data(KEY_ROLE)]
        if keys:
            data.setData(NODE_MIME, keys[0].encode())
        return data

    def mimeTypes(self) -> list[str]:
        return [NODE_MIME]
