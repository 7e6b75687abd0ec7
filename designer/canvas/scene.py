"""`FlowScene`: the canvas, a mirror of the document.

It subscribes to the document's signals and keeps `item_for_node` / `item_for_edge` maps
(orange-canvas-core's `canvas/scene.py`); items are created, updated and removed only in
answer to those signals, so whatever changed the document — a drag, the property panel,
undo, a paste from another window — the canvas follows.

The scene never decides what a gesture means: it forwards mouse, key and drop events to
the `SceneEventHandler` installed on it (the `FlowEditWidget`, as orange's
`SchemeEditWidget` installs itself on its scene) and falls back to Qt's default handling
when the handler leaves an event alone. With no handler (a template's thumbnail) it is
a picture of the flow.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneDragDropEvent,
    QGraphicsSceneMouseEvent,
)

from designer import theme
from designer.canvas.edge_item import EdgeItem
from designer.canvas.node_item import NodeItem
from designer.canvas.presentation import edge_look, node_look
from designer.document.model import FlowDocument

GRID = 20.0
MARGIN = 600.0


class SceneEventHandler(Protocol):
    """What the scene forwards; each handler returns True when it used the event."""

    def scene_mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool: ...
    def scene_mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool: ...
    def scene_mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool: ...
    def scene_key_press(self, event: QKeyEvent) -> bool: ...
    def scene_drag(self, event: QGraphicsSceneDragDropEvent) -> bool: ...
    def scene_drop(self, event: QGraphicsSceneDragDropEvent) -> bool: ...
    def scene_cleared(self) -> None: ...
    def moving_nodes(self) -> bool: ...


class FlowScene(QGraphicsScene):
    def __init__(self, document: FlowDocument, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.item_for_node: dict[str, NodeItem] = {}
        self.item_for_edge: dict[int, EdgeItem] = {}
        self.problems: dict[str, tuple[str, ...]] = {}
        self.snap_to_grid = True
        self.handler: SceneEventHandler | None = None
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._rect_dirty = False
        self._edges_to_place: set[int] = set()  # during an undo step: placed at its end
        self._selection_dirty = False  # selected items went during an undo step
        doc = self.document
        doc.node_added.connect(self._on_node_added)
        doc.node_removed.connect(self._on_node_removed)
        doc.node_changed.connect(self._on_node_changed)
        doc.node_renamed.connect(self._on_node_renamed)
        doc.edge_added.connect(self._on_edge_added)
        doc.edge_removed.connect(self._on_edge_removed)
        doc.edge_changed.connect(self._on_edge_changed)
        doc.header_changed.connect(self._refresh_all_looks)
        doc.reset.connect(self.rebuild)
        doc.changed.connect(self._command_done)
        self.rebuild()

    # -- mirroring the document ---------------------------------------------------------

    def set_event_handler(self, handler: SceneEventHandler | None) -> None:
        self.handler = handler

    @property
    def user_is_dragging(self) -> bool:
        """True while the person drags steps (their items then snap to the grid)."""
        return self.handler is not None and self.handler.moving_nodes()

    def rebuild(self) -> None:
        if self.handler is not None:
            self.handler.scene_cleared()  # a gesture's temporary items go before clear()
        self.clear()
        self.item_for_node.clear()
        self.item_for_edge.clear()
        for node_id in self.document.node_ids():
            self._on_node_added(node_id, refresh=False)
        for key in self.document.edge_keys():
            self._on_edge_added(key)
        self.refresh_rect()

    def _look(self, node_id: str):
        return node_look(self.document.node(node_id), self.document.header,
                         self.problems.get(node_id, ()))

    def _on_node_added(self, node_id: str, refresh: bool = True) -> None:
        if self.document.in_batch:
            self._pause_index()
        item = NodeItem(self._look(node_id))
        position = self.document.node(node_id).position
        item.setPos(QPointF(*position) if position else QPointF(0, 0))
        self.addItem(item)
        self.item_for_node[node_id] = item
        if refresh:
            self._grow_rect_for(item)

    def _on_node_removed(self, node_id: str) -> None:
        self._remove(self.item_for_node.pop(node_id))

    def _on_node_changed(self, node_id: str) -> None:
        item = self.item_for_node[node_id]
        item.set_look(self._look(node_id))
        position = self.document.node(node_id).position
        target = QPointF(*position) if position else QPointF(0, 0)
        if item.pos() != target:
            item.setPos(target)
            self._grow_rect_for(item)

    def _on_node_renamed(self, old_id: str, new_id: str) -> None:
        item = self.item_for_node.pop(old_id)
        item.node_id = new_id
        self.item_for_node[new_id] = item
        if old_id in self.problems:
            self.problems[new_id] = self.problems.pop(old_id)
        item.set_look(self._look(new_id))

    def _on_edge_added(self, key: int) -> None:
        item = EdgeItem(key, edge_look(self.document.edge(key)))
        self.addItem(item)
        self.item_for_edge[key] = item
        if self.document.in_batch:  # a paste or an undone delete: placed once, at the end
            self._edges_to_place.add(key)
        else:
            self._place_edge(key)

    def _on_edge_removed(self, key: int) -> None:
        self._remove(self.item_for_edge.pop(key))

    def _remove(self, item: NodeItem | EdgeItem) -> None:
        """Remove an item; inside an undo step a selected one changes the selection once,
        at the end (undoing a paste of 2,000 selected steps refreshed the property panel
        once per step: ~15 s)."""
        if not (self.document.in_batch and item.isSelected()):
            self.removeItem(item)
            return
        blocked = self.blockSignals(True)
        try:
            self.removeItem(item)
        finally:
            self.blockSignals(blocked)
        self._selection_dirty = True

    def _on_edge_changed(self, key: int) -> None:
        self.item_for_edge[key].set_look(edge_look(self.document.edge(key)))
        self._place_edge(key)

    def _place_edge(self, key: int) -> None:
        edge = self.document.edge(key)
        self.item_for_edge[key].set_ends(self.item_for_node[edge.source].out_port(),
                                         self.item_for_node[edge.target].in_port())

    def _refresh_all_looks(self) -> None:
        for node_id, item in self.item_for_node.items():
            item.set_look(self._look(node_id))

    def node_item_moved(self, node_id: str) -> None:
        """Called by a node item whenever it moves: keep its connections attached. Inside
        an undo step (Tidy, undo of a move) each connection is placed once when the step
        ends, not once per moved end; the scene's index is rebuilt once then too."""
        keys = self.document.edges_of(node_id)
        if self.document.in_batch and not self.user_is_dragging:
            self._edges_to_place.update(keys)
            self._pause_index()
            return
        for key in keys:
            if key in self.item_for_edge:
                self._place_edge(key)

    def _pause_index(self) -> None:
        """Moving or adding thousands of items re-files each in the BSP tree; without an
        index during the step, Qt builds the tree once afterwards."""
        if self.itemIndexMethod() is QGraphicsScene.ItemIndexMethod.BspTreeIndex:
            self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)

    def set_problems(self, problems: dict[str, tuple[str, ...]]) -> None:
        """Mark steps that have problems (from live validation)."""
        changed = set(problems) | set(self.problems)
        self.problems = dict(problems)
        for node_id in changed:
            if node_id in self.item_for_node:
                self.item_for_node[node_id].set_look(self._look(node_id))

    def refresh_rect(self) -> None:
        """Fit the scene rectangle to the items now (after a load or a rebuild)."""
        self._rect_dirty = False
        bounds = self.itemsBoundingRect() if self.item_for_node else QRectF(-400, -300, 800, 600)
        self.setSceneRect(bounds.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))

    def _grow_rect_for(self, item: NodeItem) -> None:
        """A node moved or arrived: grow the rectangle to hold it at once (cheap), and fit
        it exactly once the whole command is done (the document's `changed` comes once
        per undo step). Measuring every item per moved node made Tidy on 2,000 steps
        quadratic (~30 s)."""
        self._rect_dirty = True
        if self.document.in_batch:
            return  # fitted once when the step ends
        wanted = item.sceneBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        if not self.sceneRect().contains(wanted):
            self.setSceneRect(self.sceneRect().united(wanted))

    def _command_done(self) -> None:
        pending, self._edges_to_place = self._edges_to_place, set()
        for key in pending:
            if key in self.item_for_edge:
                self._place_edge(key)
        if self.itemIndexMethod() is QGraphicsScene.ItemIndexMethod.NoIndex:
            self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        if self._rect_dirty:
            self.refresh_rect()
        if self._selection_dirty:
            self._selection_dirty = False
            self.selectionChanged.emit()

    # -- selection helpers --------------------------------------------------------------

    def selected_node_items(self) -> list[NodeItem]:
        return [i for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_node_ids(self) -> list[str]:
        chosen = {i.node_id for i in self.selected_node_items()}
        return [n for n in self.document.node_ids() if n in chosen]

    def selected_edge_keys(self) -> list[int]:
        return [i.key for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_only(self, nodes: Iterable[str] = (), edges: Iterable[int] = ()) -> None:
        self.blockSignals(True)
        self.clearSelection()
        for node_id in nodes:
            self.item_for_node[node_id].setSelected(True)
        for key in edges:
            self.item_for_edge[key].setSelected(True)
        self.blockSignals(False)
        self.selectionChanged.emit()

    def node_item_at(self, pos: QPointF, exclude: str | None = None) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item.node_id != exclude:
                return item
        return None

    def snapped(self, point: QPointF) -> QPointF:
        if not self.snap_to_grid:
            return QPointF(point)
        return QPointF(round(point.x() / GRID) * GRID, round(point.y() / GRID) * GRID)

    # -- events: forwarded to the handler, Qt's default when it declines ----------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.handler is None or not self.handler.scene_mouse_press(event):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.handler is None or not self.handler.scene_mouse_move(event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.handler is None or not self.handler.scene_mouse_release(event):
            super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.handler is None or not self.handler.scene_key_press(event):
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        if self.handler is None or not self.handler.scene_drag(event):
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        if self.handler is None or not self.handler.scene_drag(event):
            super().dragMoveEvent(event)

    def dropEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        if self.handler is None or not self.handler.scene_drop(event):
            super().dropEvent(event)

    def default_mouse_press(self, event: QGraphicsSceneMouseEvent) -> None:
        """Qt's own press handling (select, start moving items), for a handler that
        builds on it."""
        super().mousePressEvent(event)

    def default_mouse_release(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)

    # -- background ---------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, QColor(theme.CANVAS))
        scale = painter.worldTransform().m11()
        step = GRID if scale >= 0.6 else GRID * 4
        if step * scale < 6:
            return
        painter.setPen(QColor(theme.GRID_DOT))
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        points = QPolygonF()
        y = top
        while y < rect.bottom():
            x = left
            while x < rect.right():
                points.append(QPointF(x, y))
                x += step
            y += step
        painter.drawPoints(points)
