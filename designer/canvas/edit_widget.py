"""`FlowEditWidget`: the Design view — the canvas plus what a gesture on it means.

It owns the scene (a mirror of the document), the view (zoom, pan, refusal notes) and
the gesture policy. As orange-canvas-core's `SchemeEditWidget` does, it installs itself
on the scene as the event handler: a press on an out-port starts a new connection, on
empty canvas a rubber band, on a step a move; Escape cancels; a palette entry dropped on
the canvas adds a step. The current interaction lives here, not in the scene, so the
scene stays a mirror and one place decides what the mouse does.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGraphicsSceneDragDropEvent,
    QGraphicsSceneMouseEvent,
    QVBoxLayout,
    QWidget,
)

from designer.canvas.edge_item import EdgeItem
from designer.canvas.interactions import (
    Interaction,
    MoveNodesInteraction,
    NewEdgeInteraction,
    PaletteDrop,
    RubberBandInteraction,
)
from designer.canvas.scene import FlowScene
from designer.canvas.view import FlowView
from designer.document.editor import FlowEditor


class FlowEditWidget(QWidget):
    status_message = Signal(str)
    edit_refused = Signal(str, QPointF)  # reason, where (scene coordinates)

    def __init__(self, editor: FlowEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("designView")
        self.editor = editor
        self.scene = FlowScene(editor.document, self)
        self.view = FlowView(self.scene)
        self.interaction: Interaction | None = None
        self.palette_drop = PaletteDrop(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.edit_refused.connect(self.view.show_refusal)
        self.scene.set_event_handler(self)

    # -- the scene's event handler -----------------------------------------------------

    def scene_mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        scene, pos = self.scene, event.scenePos()
        node = scene.node_item_at(pos)
        if node is not None and node.look.type_key != "end" and node.is_on_out_port(pos):
            self.interaction = NewEdgeInteraction(self, node.node_id, pos)
            event.accept()
            return True
        if node is None and not any(isinstance(i, EdgeItem) for i in scene.items(pos)):
            additive = bool(event.modifiers() & (Qt.KeyboardModifier.ShiftModifier
                                                 | Qt.KeyboardModifier.ControlModifier))
            self.interaction = RubberBandInteraction(self, pos, additive)
            event.accept()
            return True
        scene.default_mouse_press(event)  # Qt selects the item under the pointer first
        if node is not None:
            move = MoveNodesInteraction(self)
            self.interaction = move
            move.start()
        return True

    def scene_mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        return self.interaction is not None and self.interaction.mouse_move(event)

    def scene_mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        interaction = self.interaction
        if interaction is None:
            return False
        if isinstance(interaction, MoveNodesInteraction):
            self.scene.default_mouse_release(event)
        interaction.mouse_release(event)
        if self.interaction is interaction:
            self.interaction = None
        return True

    def scene_key_press(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape and self.interaction is not None:
            self.interaction.finish()
            event.accept()
            return True
        return False

    def scene_drag(self, event: QGraphicsSceneDragDropEvent) -> bool:
        event.setAccepted(self.palette_drop.accepts(event))
        return True

    def scene_drop(self, event: QGraphicsSceneDragDropEvent) -> bool:
        if self.palette_drop.accepts(event):
            self.palette_drop.drop(event)
            event.acceptProposedAction()
        return True

    def scene_cleared(self) -> None:
        if self.interaction is not None:
            self.interaction.finish()

    def moving_nodes(self) -> bool:
        return isinstance(self.interaction, MoveNodesInteraction)

    # -- what interactions report back ---------------------------------------------------

    def interaction_finished(self, interaction: Interaction) -> None:
        if self.interaction is interaction:
            self.interaction = None
