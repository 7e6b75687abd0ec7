"""Undo commands: tiny redo/undo pairs over one document verb each.

An `Edit` is a plain Python object that changes one thing; an `EditCommand` is what goes
on the QUndoStack: one user action made of one or more edits, run in order on redo and in
reverse on undo ("delete selection" = remove its edges, then its nodes). Composites are
kept as a Python list rather than Qt parent/child commands, whose ownership PySide does
not track. Edits remember indexes at redo time, which is what makes undo restore the
exact order of nodes and edges — and therefore the exact file text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from designer.document.model import EdgeKey, FlowDocument
from runtime.api import AnyNode, Edge, Flow

MERGE_ID = 1001
Position = tuple[float, float]


class Edit(Protocol):
    def redo(self) -> None: ...
    def undo(self) -> None: ...


class EditCommand(QUndoCommand):
    """One undo step. With `merge_key`, consecutive steps with the same key merge (a
    slider being dragged is one step, not forty)."""

    def __init__(self, text: str, edits: Sequence[Edit], merge_key: str | None = None) -> None:
        super().__init__(text)
        self.edits = list(edits)
        self.merge_key = merge_key

    def redo(self) -> None:
        with self._batch():
            for edit in self.edits:
                edit.redo()

    def undo(self) -> None:
        with self._batch():
            for edit in reversed(self.edits):
                edit.undo()

    def _batch(self) -> contextlib.AbstractContextManager[None]:
        """One `changed` signal for the whole step (every edit works on one document)."""
        doc = getattr(self.edits[0], "doc", None) if self.edits else None
        return doc.batch() if isinstance(doc, FlowDocument) else contextlib.nullcontext()

    def id(self) -> int:
        return MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.merge_key != self.merge_key:
            return False
        self.edits.extend(other.edits)
        return True


class AddNode:
    def __init__(self, doc: FlowDocument, node: AnyNode, index: int | None = None) -> None:
        self.doc, self.node, self.index = doc, node, index

    def redo(self) -> None:
        self.doc.insert_node(self.node, self.index)

    def undo(self) -> None:
        self.doc.remove_node(self.node.id)


class RemoveNode:
    def __init__(self, doc: FlowDocument, node_id: str) -> None:
        self.doc, self.node_id = doc, node_id
        self.index, self.node = 0, doc.node(node_id)

    def redo(self) -> None:
        self.index, self.node = self.doc.remove_node(self.node_id)

    def undo(self) -> None:
        self.doc.insert_node(self.node, self.index)


class AddEdge:
    def __init__(self, doc: FlowDocument, edge: Edge, index: int | None = None) -> None:
        self.doc, self.edge, self.index = doc, edge, index
        self.key: EdgeKey | None = None

    def redo(self) -> None:
        self.key = self.doc.insert_edge(self.edge, self.index, self.key)

    def undo(self) -> None:
        assert self.key is not None
        self.doc.remove_edge(self.key)


class RemoveEdge:
    def __init__(self, doc: FlowDocument, key: int) -> None:
        self.doc, self.key = doc, key
        self.index, self.edge = 0, doc.edge(key)

    def redo(self) -> None:
        self.index, self.edge = self.doc.remove_edge(self.key)

    def undo(self) -> None:
        self.doc.insert_edge(self.edge, self.index, self.key)


class ReplaceNode:
    """The generic set-property edit: a new version of one node (same id)."""

    def __init__(self, doc: FlowDocument, new: AnyNode) -> None:
        self.doc, self.new = doc, new
        self.old = doc.node(new.id)

    def redo(self) -> None:
        # Taken at redo time: inside a composite an earlier edit may have changed it.
        self.old = self.doc.replace_node(self.new.id, self.new)

    def undo(self) -> None:
        self.doc.replace_node(self.old.id, self.old)


class ReplaceEdge:
    def __init__(self, doc: FlowDocument, key: int, new: Edge) -> None:
        self.doc, self.key, self.new = doc, key, new
        self.old = doc.edge(key)

    def redo(self) -> None:
        self.old = self.doc.replace_edge(self.key, self.new)

    def undo(self) -> None:
        self.doc.replace_edge(self.key, self.old)


class SetHeader:
    def __init__(self, doc: FlowDocument, new: Flow) -> None:
        self.doc, self.new, self.old = doc, new, doc.header

    def redo(self) -> None:
        self.old = self.doc.set_header(self.new)

    def undo(self) -> None:
        self.doc.set_header(self.old)


class RenameNode:
    def __init__(self, doc: FlowDocument, old_id: str, new_id: str) -> None:
        self.doc, self.old_id, self.new_id = doc, old_id, new_id

    def redo(self) -> None:
        self.doc.rename_node(self.old_id, self.new_id)

    def undo(self) -> None:
        self.doc.rename_node(self.new_id, self.old_id)


class MoveNode:
    def __init__(self, doc: FlowDocument, node_id: str, old: Position | None,
                 new: Position | None) -> None:
        self.doc, self.node_id, self.old, self.new = doc, node_id, old, new

    def redo(self) -> None:
        self._place(self.new)

    def undo(self) -> None:
        self._place(self.old)

    def _place(self, position: Position | None) -> None:
        node = self.doc.node(self.node_id)
        if node.position != position:
            self.doc.replace_node(self.node_id, node.model_copy(update={"position": position}))
