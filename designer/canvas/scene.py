"""`FlowScene`: the canvas, a mirror of the document.

It subscribes to the document's signals and keeps `item_for_node` / `item_for_edge` maps
(orange-canvas-core's `canvas/scene.py`); items are created, updated and removed only in
answer to those signals, so whatever changed the document — a drag, the property panel,
undo, a paste from another window — the canvas follows. Mouse gestures are delegated to
small interaction objects that edit through the `FlowEditor`.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneDragDropEvent,
    QGraphicsSceneMouseEvent,
)

from designer import theme
from designer.canvas.edge_item import EdgeItem
from designer.canvas.interactions import (
    Interaction,
    MoveNodesInteraction,
    NewEdgeInteraction,
    PaletteDrop,
    RubberBandInteraction,
)
from designer.canvas.node_item import NodeItem
from designer.canvas.presentation import edge_look, node_look
from designer.document.editor import FlowEditor

GRID = 20.0
MARGIN = 600.0


class FlowScene(QGraphicsScene):
    status_message = Signal(str)
    edit_refused = Signal(str, QPointF)  # reason, where (scene coordinates)

    def __init__(self, editor: FlowEditor, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.document = editor.document
        self.item_for_node: dict[str, NodeItem] = {}
        self.item_for_edge: dict[int, EdgeItem] = {}
        self.problems: dict[str, tuple[str, ...]] = {}
        self.snap_to_grid = True
        self.user_is_dragging = False
        self.interaction: Interaction | None = None
        self.palette_drop = PaletteDrop(self)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
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
        self.rebuild()

    # -- mirroring the document ---------------------------------------------------------

    def rebuild(self) -> None:
        if self.interaction is not None:
            self.interaction.finish()
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
        item = NodeItem(self._look(node_id))
        position = self.document.node(node_id).position
        item.setPos(QPointF(*position) if position else QPointF(0, 0))
        self.addItem(item)
        self.item_for_node[node_id] = item
        if refresh:
            self.refresh_rect()

    def _on_node_removed(self, node_id: str) -> None:
        item = self.item_for_node.pop(node_id)
        self.removeItem(item)

    def _on_node_changed(self, node_id: str) -> None:
        item = self.item_for_node[node_id]
        item.set_look(self._look(node_id))
        position = self.document.node(node_id).position
        target = QPointF(*position) if position else QPointF(0, 0)
        if item.pos() != target:
            item.setPos(target)
            self.refresh_rect()

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
        self._place_edge(key)

    def _on_edge_removed(self, key: int) -> None:
        self.removeItem(self.item_for_edge.pop(key))

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
        """Called by a node item whenever it moves: keep its connections attached."""
        for key in self.document.edges_of(node_id):
            if key in self.item_for_edge:
                self._place_edge(key)

    def set_problems(self, problems: dict[str, tuple[str, ...]]) -> None:
        """Mark steps that have problems (from live validation)."""
        changed = set(problems) | set(self.problems)
        self.problems = dict(problems)
        for node_id in changed:
            if node_id in self.item_for_node:
                self.item_for_node[node_id].set_look(self._look(node_id))

    def refresh_rect(self) -> None:
        bounds = self.itemsBoundingRect() if self.item_for_node else QRectF(-400, -300, 800, 600)
        self.setSceneRect(bounds.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))

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

    # -- events: dispatch to interactions --------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.scenePos()
        node = self.node_item_at(pos)
        if node is not None and node.look.type_key != "end" and node.is_on_out_port(pos):
            self.interaction = NewEdgeInteraction(self, node.node_id, pos)
            event.accept()
            return
        if node is None and not any(isinstance(i, EdgeItem) for i in self.items(pos)):
            additive = bool(event.modifiers() & (Qt.KeyboardModifier.ShiftModifier
                                                 | Qt.KeyboardModifier.ControlModifier))
            self.interaction = RubberBandInteraction(self, pos, additive)
            event.accept()
            return
        super().mousePressEvent(event)
        if node is not None:
            move = MoveNodesInteraction(self)
            self.interaction = move
            move.start()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.interaction is None or not self.interaction.mouse_move(event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if isinstance(self.interaction, MoveNodesInteraction):
            super().mouseReleaseEvent(event)
        interaction = self.interaction
        if interaction is not None:
            interaction.mouse_release(event)
            if self.interaction is interaction:
                self.interaction = None
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.interaction is not None:
            self.interaction.finish()
            event.accept()
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        event.setAccepted(self.palette_drop.accepts(event))

    def dragMoveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        event.setAccepted(self.palette_drop.accepts(event))

    def dropEvent(self, event: QGraphicsSceneDragDropEvent) -> None:
        if self.palette_drop.accepts(event):
            self.palette_drop.drop(event)
            event.acceptProposedAction()

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
