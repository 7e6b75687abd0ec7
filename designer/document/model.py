"""`FlowDocument`: the single source of truth the designer edits.

The document holds a flow as immutable pieces — a header (name, autonomy, fields…), node
models keyed by id and edges keyed by an `EdgeKey` (edges have no id in the file) — and
changes them only through verbs that check the flow's structural invariants and then
emit a typed signal. Undo commands call these verbs; the canvas and the panels listen to
the signals and never hold the model themselves (orange-canvas-core's scheme/scene split).

Node and edge models are replaced, never mutated, so an undo command can keep the old
value without copying and redo/undo always restore exactly what was there.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NewType

from PySide6.QtCore import QObject, Signal

from designer.document.errors import (
    DuplicateNodeIdError,
    NodeInUseError,
    UnknownEdgeError,
    UnknownNodeError,
)
from runtime.api import AnyNode, Edge, Flow

EdgeKey = NewType("EdgeKey", int)


def empty_flow(name: str = "Untitled flow") -> Flow:
    return Flow(name=name)


class FlowDocument(QObject):
    """A flow being edited. Signals carry node ids and edge keys, never model objects."""

    node_added = Signal(str)
    node_removed = Signal(str)
    node_changed = Signal(str)
    node_renamed = Signal(str, str)  # old id, new id
    edge_added = Signal(int)
    edge_removed = Signal(int)
    edge_changed = Signal(int)
    header_changed = Signal()
    reset = Signal()
    changed = Signal()  # after any of the above: drives validation and autosave
    # `changed` is once per undo step, not per edit: inside `batch()` it waits for the end.
    # Tidying 2,000 steps is 2,000 edits; listeners that rebuild (the property panel, the
    # find box, the status bar) must run once, not 2,000 times.

    def __init__(self, flow: Flow | None = None, path: str | Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys = itertools.count(1)
        self.path: Path | None = Path(path) if path else None
        self._header: Flow = empty_flow()
        self._order: list[str] = []
        self._nodes: dict[str, AnyNode] = {}
        self._edge_order: list[EdgeKey] = []
        self._edges: dict[EdgeKey, Edge] = {}
        self._batch_depth = 0
        self._changed_in_batch = False
        self._touching: dict[str, list[EdgeKey]] | None = None  # edges_of's index
        self._load(flow or empty_flow())

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group edits: the per-item signals fire as they happen, `changed` once at the end."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._changed_in_batch:
                self._changed_in_batch = False
                self.changed.emit()

    @property
    def in_batch(self) -> bool:
        """True while an undo step is applying its edits (listeners may defer work to
        the `changed` that ends it)."""
        return self._batch_depth > 0

    def _changed(self) -> None:
        if self._batch_depth:
            self._changed_in_batch = True
        else:
            self.changed.emit()

    # -- reading ----------------------------------------------------------------

    @property
    def header(self) -> Flow:
        """The flow without nodes and edges (name, autonomy, default model, fields…)."""
        return self._header

    def flow(self) -> Flow:
        """The whole flow as the runtime sees it (nodes and edges in document order)."""
        return self._header.model_copy(update={
            "nodes": [self._nodes[nid] for nid in self._order],
            "edges": [self._edges[key] for key in self._edge_order],
        })

    def node_ids(self) -> list[str]:
        return list(self._order)

    def nodes(self) -> list[AnyNode]:
        return [self._nodes[nid] for nid in self._order]

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def node(self, node_id: str) -> AnyNode:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNodeError(node_id) from None

    def node_index(self, node_id: str) -> int:
        self.node(node_id)
        return self._order.index(node_id)

    def edge_keys(self) -> list[EdgeKey]:
        return list(self._edge_order)

    def edges(self) -> list[tuple[EdgeKey, Edge]]:
        return [(key, self._edges[key]) for key in self._edge_order]

    def edge(self, key: int) -> Edge:
        try:
            return self._edges[EdgeKey(key)]
        except KeyError:
            raise UnknownEdgeError(f"there is no connection with key {key}") from None

    def edge_index(self, key: int) -> int:
        self.edge(key)
        return self._edge_order.index(EdgeKey(key))

    def edges_of(self, node_id: str) -> list[EdgeKey]:
        """Keys of the edges touching a node, in document order."""
        if self._touching is None:
            # Built once per change of the edges, not scanned per node: moving or deleting
            # 2,000 steps asked this 2,000 times over 2,000 edges.
            touching: dict[str, list[EdgeKey]] = {}
            for key in self._edge_order:
                edge = self._edges[key]
                touching.setdefault(edge.source, []).append(key)
                if edge.target != edge.source:
                    touching.setdefault(edge.target, []).append(key)
            self._touching = touching
        return list(self._touching.get(node_id, ()))

    def outgoing(self, node_id: str) -> list[tuple[EdgeKey, Edge]]:
        return [(k, e) for k, e in self.edges() if e.source == node_id]

    def is_empty(self) -> bool:
        return not self._order

    # -- verbs: each checks invariants, changes one thing and says so ---------------

    def insert_node(self, node: AnyNode, index: int | None = None) -> None:
        if node.id in self._nodes:
            raise DuplicateNodeIdError(node.id)
        position = len(self._order) if index is None else max(0, min(index, len(self._order)))
        self._order.insert(position, node.id)
        self._nodes[node.id] = node
        self.node_added.emit(node.id)
        self._changed()

    def remove_node(self, node_id: str) -> tuple[int, AnyNode]:
        """Remove a node with no connections; returns where it was, for undo."""
        node = self.node(node_id)
        if self.edges_of(node_id):
            raise NodeInUseError(f"step '{node_id}' still has connections; remove them first")
        index = self._order.index(node_id)
        del self._order[index]
        del self._nodes[node_id]
        self.node_removed.emit(node_id)
        self._changed()
        return index, node

    def replace_node(self, node_id: str, node: AnyNode) -> AnyNode:
        """Swap in a new version of a node (same id); returns the old one."""
        old = self.node(node_id)
        if node.id != node_id:
            raise ValueError("replace_node keeps the id; use rename_node to change it")
        self._nodes[node_id] = node
        self.node_changed.emit(node_id)
        self._changed()
        return old

    def rename_node(self, old_id: str, new_id: str) -> None:
        """Change a node's id and the ends of its edges in one step."""
        node = self.node(old_id)
        if new_id == old_id:
            return
        if new_id in self._nodes:
            raise DuplicateNodeIdError(new_id)
        renamed = type(node).model_validate({**node.model_dump(by_alias=True), "id": new_id})
        self._order[self._order.index(old_id)] = new_id
        del self._nodes[old_id]
        self._nodes[new_id] = renamed
        touched = []
        for key in self._edge_order:
            edge = self._edges[key]
            if old_id in (edge.source, edge.target):
                self._edges[key] = _retarget(edge, old_id, new_id)
                self._touching = None
                touched.append(key)
        self.node_renamed.emit(old_id, new_id)
        for key in touched:
            self.edge_changed.emit(key)
        self._changed()

    def insert_edge(self, edge: Edge, index: int | None = None,
                    key: int | None = None) -> EdgeKey:
        """Add a connection between existing nodes; `key` lets undo restore the same key."""
        for end in (edge.source, edge.target):
            self.node(end)
        new_key = EdgeKey(key) if key is not None else EdgeKey(next(self._keys))
        if new_key in self._edges:
            raise ValueError(f"edge key {new_key} is in use")
        position = len(self._edge_order) if index is None else index
        self._edge_order.insert(max(0, min(position, len(self._edge_order))), new_key)
        self._edges[new_key] = edge
        self._touching = None
        self.edge_added.emit(new_key)
        self._changed()
        return new_key

    def remove_edge(self, key: int) -> tuple[int, Edge]:
        edge = self.edge(key)
        index = self._edge_order.index(EdgeKey(key))
        del self._edge_order[index]
        del self._edges[EdgeKey(key)]
        self._touching = None
        self.edge_removed.emit(key)
        self._changed()
        return index, edge

    def replace_edge(self, key: int, edge: Edge) -> Edge:
        old = self.edge(key)
        for end in (edge.source, edge.target):
            self.node(end)
        self._edges[EdgeKey(key)] = edge
        self._touching = None
        self.edge_changed.emit(key)
        self._changed()
        return old

    def set_header(self, header: Flow) -> Flow:
        """Replace the flow-level properties; nodes and edges in `header` are ignored."""
        old = self._header
        self._header = header.model_copy(update={"nodes": [], "edges": []})
        self.header_changed.emit()
        self._changed()
        return old

    def load(self, flow: Flow, path: str | Path | None = None) -> None:
        """Replace everything (opening a file); views rebuild from `reset`."""
        self.path = Path(path) if path else None
        self._load(flow)
        self.reset.emit()
        self._changed()

    def _load(self, flow: Flow) -> None:
        ids = [n.id for n in flow.nodes]
        if len(set(ids)) != len(ids):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            raise DuplicateNodeIdError(", ".join(repeated))
        self._header = flow.model_copy(update={"nodes": [], "edges": []})
        self._order = ids
        self._nodes = {n.id: n for n in flow.nodes}
        self._edge_order = []
        self._edges = {}
        for edge in flow.edges:
            key = EdgeKey(next(self._keys))
            self._edge_order.append(key)
            self._edges[key] = edge
            self._touching = None


def _retarget(edge: Edge, old_id: str, new_id: str) -> Edge:
    data: dict[str, Any] = edge.model_dump(by_alias=True)
    for end in ("from", "to"):
        if data[end] == old_id:
            data[end] = new_id
    return Edge.model_validate(data)
