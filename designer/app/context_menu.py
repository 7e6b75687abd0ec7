"""Right-click menus on the canvas: on a step, on a connection, on empty canvas.

Each menu reuses the window's actions (so shortcuts show beside each entry and a greyed
entry means the same as in the Edit menu) and adds what only the pointer knows: paste
or add a step *here*. Right-clicking an unselected step or connection selects it first,
as every desktop editor does, so the entries act on what was clicked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QMenu

from designer import nodes
from designer.app import clipboard
from designer.canvas.edge_item import EdgeItem
from designer.canvas.node_item import NodeItem

if TYPE_CHECKING:
    from designer.app.window import MainWindow


def install(window: MainWindow) -> None:
    """Give the window's canvas its right-click menus."""
    view = window.view
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(
        lambda point: _popup(window, point))


def _popup(window: MainWindow, point: QPoint) -> None:
    menu = menu_at(window, window.view.mapToScene(point))
    menu.exec(window.view.viewport().mapToGlobal(point))
    menu.deleteLater()


def menu_at(window: MainWindow, scene_pos: QPointF) -> QMenu:
    """The menu for what is under `scene_pos` (a step, a connection or empty canvas)."""
    scene = window.scene
    target = next((item for item in scene.items(scene_pos)
                   if isinstance(item, NodeItem | EdgeItem)), None)
    menu = QMenu(window.view)
    menu.setObjectName("canvasMenu")
    acts = window.actions_
    if isinstance(target, NodeItem):
        if not target.isSelected():
            scene.select_only(nodes=[target.node_id])
        title = menu.addAction(_step_title(window, target.node_id))
        title.setEnabled(False)
        menu.addAction("Edit properties", lambda: _edit(window, target.node_id))
        menu.addSeparator()
        for name in ("cut", "copy", "duplicate", "delete"):
            menu.addAction(acts[name])
    elif isinstance(target, EdgeItem):
        if not target.isSelected():
            scene.select_only(edges=[target.key])
        menu.addAction("Edit branch", lambda: _edit_branch(window, target.key))
        menu.addAction(acts["delete"])
    else:
        paste = menu.addAction("Paste here", lambda: window.paste(at=_xy(scene_pos)))
        paste.setObjectName("pasteHere")
        paste.setEnabled(clipboard.has_steps())
        if not paste.isEnabled():
            paste.setToolTip("Copy some steps first")
        adding = menu.addMenu("Add step here")
        for record in nodes.records():
            adding.addAction(record.title,
                             lambda key=record.key: window.add_step_at(key, _xy(scene_pos)))
        menu.addSeparator()
        for name in ("select_all", "tidy", "zoom_fit", "flow_properties"):
            menu.addAction(acts[name])
    return menu


def _edit(window: MainWindow, node_id: str) -> None:
    window.panes.set_drawer_open(True)  # a closed drawer opens for the edit asked for
    window.focus_node(node_id)


def _edit_branch(window: MainWindow, key: int) -> None:
    window.panes.set_drawer_open(True)
    window.properties.show_edge(key)


def _xy(point: QPointF) -> tuple[float, float]:
    return (point.x(), point.y())


def _step_title(window: MainWindow, node_id: str) -> str:
    node = window.session.document.node(node_id)
    return node.label()
