"""What a mouse gesture on the canvas means, one small state object per gesture.

The `FlowEditWidget` decides which gesture a press starts and hands the following events
to it (orange-canvas-core's `interactions.py`): drawing a connection from an out-port,
rubber-band selection, moving steps (one undo step per drag) and dropping a new step
from the palette. Each owns its temporary items and cleans up after itself; they edit
through the `FlowEditor` and report to the edit widget, never by setting scene state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSceneDragDropEvent,
    QGraphicsSceneMouseEvent,
)

from designer import theme
from designer.canvas.edge_item import curve
from designer.document.errors import ConnectionRefused, DocumentError
from designer.document.rules import new_edge

if TYPE_CHECKING:
    from designer.canvas.edit_widget import FlowEditWidget
    from designer.canvas.node_item import NodeItem

NODE_MIME = "application/x-junction-node-type"


class Interaction:
    """Base: return True from a handler to say the event was used."""

    def __init__(self, owner: FlowEditWidget) -> None:
        self.owner = owner
        self.scene = owner.scene

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        return False

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        return False

    def cancel(self) -> None:
        """Undo any temporary state (Escape, or the scene being cleared)."""

    def finish(self) -> None:
        self.cancel()
        self.owner.interaction_finished(self)


class NewEdgeInteraction(Interaction):
    """Drag from a step's out-port; the step under the cursor turns green or red, and a
    refused drop reports the reason instead of silently doing nothing."""

    def __init__(self, owner: FlowEditWidget, source: str, start: QPointF) -> None:
        super().__init__(owner)
        self.source = source
        self.target: NodeItem | None = None
        self.reason: str | None = None
        self.line = QGraphicsPathItem()
        self.line.setPen(QPen(theme.color(theme.SELECTION), 1.8, Qt.PenStyle.DashLine))
        self.line.setZValue(50)
        self.scene.addItem(self.line)
        self._draw_to(start)

    def _draw_to(self, end: QPointF) -> None:
        self.line.setPath(curve(self.scene.item_for_node[self.source].out_port(), end))

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        pos = event.scenePos()
        target = self.scene.node_item_at(pos, exclude=self.source)
        if target is not self.target:
            self._hover(target)
        self._draw_to(target.in_port() if target is not None else pos)
        return True

    def _hover(self, target: NodeItem | None) -> None:
        if self.target is not None:
            self.target.set_drop_state(None)
        self.target, self.reason = target, None
        if target is None:
            self.owner.status_message.emit("")
            return
        try:
            new_edge(self.scene.document.flow(), self.source, target.node_id)
        except ConnectionRefused as refused:
            self.reason = refused.reason
        target.set_drop_state("refused" if self.reason else "ok")
        self.owner.status_message.emit(f"Can't connect: {self.reason}" if self.reason else "")

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        target = self.target
        self.finish()
        if target is None:
            return True
        try:
            key = self.owner.editor.connect(self.source, target.node_id)
        except ConnectionRefused as refused:
            self.owner.edit_refused.emit(refused.reason, event.scenePos())
            return True
        self.scene.select_only(edges=[key])
        return True

    def cancel(self) -> None:
        if self.target is not None:
            self.target.set_drop_state(None)
        if self.line.scene() is not None:
            self.scene.removeItem(self.line)
        self.owner.status_message.emit("")


class RubberBandInteraction(Interaction):
    """Drag on empty canvas: select what the band touches (Shift/Ctrl adds to it)."""

    def __init__(self, owner: FlowEditWidget, start: QPointF, additive: bool) -> None:
        super().__init__(owner)
        self.start = start
        self.operation = (Qt.ItemSelectionOperation.AddToSelection if additive
                          else Qt.ItemSelectionOperation.ReplaceSelection)
        if not additive:
            self.scene.clearSelection()
        self.band = QGraphicsRectItem()
        self.band.setPen(QPen(theme.color(theme.SELECTION), 1))
        self.band.setBrush(theme.tint(theme.SELECTION, 30))
        self.band.setZValue(60)
        self.scene.addItem(self.band)

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        rect = QRectF(self.start, event.scenePos()).normalized()
        self.band.setRect(rect)
        area = QPainterPath()
        area.addRect(rect)
        # All three arguments: PySide6 misreads the two-argument overload and crashes.
        self.scene.setSelectionArea(area, self.operation,
                                    Qt.ItemSelectionMode.IntersectsItemShape)
        return True

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        self.finish()
        return True

    def cancel(self) -> None:
        if self.band.scene() is not None:
            self.scene.removeItem(self.band)


class MoveNodesInteraction(Interaction):
    """Qt moves the items (snapping them while this gesture lasts); on release the whole
    drag becomes one undoable move."""

    def __init__(self, owner: FlowEditWidget) -> None:
        super().__init__(owner)
        self.before: dict[str, QPointF] = {}

    def start(self) -> None:
        self.before = {item.node_id: item.pos() for item in self.scene.selected_node_items()}

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        moved = {}
        for node_id, old in self.before.items():
            item = self.scene.item_for_node.get(node_id)
            if item is not None and item.pos() != old:
                moved[node_id] = (item.pos().x(), item.pos().y())
        self.finish()
        if moved:
            self.owner.editor.move_nodes(moved)
        return False  # Qt finishes its own release handling (the edit widget saw to it)


class PaletteDrop:
    """Dropping a palette entry adds that kind of step where it lands (snapped)."""

    def __init__(self, owner: FlowEditWidget) -> None:
        self.owner = owner
        self.scene = owner.scene

    @staticmethod
    def accepts(event: QGraphicsSceneDragDropEvent) -> bool:
        return event.mimeData().hasFormat(NODE_MIME)

    def drop(self, event: QGraphicsSceneDragDropEvent) -> str | None:
        type_key = bytes(event.mimeData().data(NODE_MIME).data()).decode()
        point = self.scene.snapped(event.scenePos())
        try:
            node_id = self.owner.editor.add_node(type_key, (point.x(), point.y()))
        except (DocumentError, KeyError) as refused:
            self.owner.edit_refused.emit(str(refused), event.scenePos())
            return None
        self.scene.select_only(nodes=[node_id])
        return node_id
