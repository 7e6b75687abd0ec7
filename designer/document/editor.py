"""`FlowEditor`: the user's verbs, each pushed as one undo step.

The canvas, the panels, the menus and the tests all edit through here — never through
the document directly — so every change is undoable and validated the same way. A verb
either pushes exactly one command or raises a typed error and leaves the document and
the undo stack untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack

from designer import nodes
from designer.document import commands as cmd
from designer.document.errors import DocumentError, DuplicateNodeIdError, PropertyError
from designer.document.model import EdgeKey, FlowDocument
from designer.document.rules import new_edge
from runtime.api import (
    Edge,
    Flow,
    rename_condition_values,
    renamed_ref,
    renamed_values,
    rewrite_references,
)

Point = tuple[float, float]


class FlowEditor(QObject):
    def __init__(self, document: FlowDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.undo_stack = QUndoStack(self)

    # -- nodes ------------------------------------------------------------------

    def add_node(self, type_key: str, position: Point | None = None,
                 node_id: str | None = None) -> str:
        """Add a step of a node type; returns its id (unique, derived from the type)."""
        kind = nodes.record(type_key)
        if kind.spec.unique and any(nodes.record_for(n).key == type_key
                                    for n in self.document.nodes()):
            raise DocumentError(f"The flow already has a {kind.title.lower()}; a flow has "
                                "exactly one.")
        new_id = node_id or nodes.unique_id(kind.id_stem, self.document.node_ids())
        if self.document.has_node(new_id):
            raise DuplicateNodeIdError(new_id)
        node = kind.create(new_id, position)
        self.push(f"Add {node.label()}", [cmd.AddNode(self.document, node)])
        return new_id

    def delete(self, node_ids: Iterable[str] = (), edge_keys: Iterable[int] = ()) -> None:
        """Delete steps (with their connections) and connections as one undo step."""
        chosen = set(node_ids)
        nodes = [n for n in self.document.node_ids() if n in chosen]
        edges = set(edge_keys)
        for node_id in nodes:
            edges.update(self.document.edges_of(node_id))
        if not nodes and not edges:
            return
        count = len(nodes) or len(edges)
        noun = ("step" if nodes else "connection") + ("s" if count > 1 else "")
        edits: list[cmd.Edit] = [cmd.RemoveEdge(self.document, key)
                                 for key in self.document.edge_keys() if key in edges]
        edits += [cmd.RemoveNode(self.document, node_id) for node_id in nodes]
        self.push(f"Delete {count} {noun}", edits)

    def move_nodes(self, positions: dict[str, Point], text: str = "Move") -> None:
        edits: list[cmd.Edit] = []
        for node_id, target in positions.items():
            old = self.document.node(node_id).position
            new = (float(target[0]), float(target[1]))
            if old is None or tuple(old) != new:
                edits.append(cmd.MoveNode(self.document, node_id, old, new))
        if edits:
            self.push(text, edits)

    def set_node_property(self, node_id: str, name: str, value: Any,
                          merge: bool = False) -> None:
        """Set one field of a node, validated by its pydantic model (PropertyError if not).

        `merge` folds consecutive edits of the same field into one undo step.
        """
        if name == "id":
            self.rename_node(node_id, value)
            return
        self.set_node_properties(node_id, {name: value}, merge)

    def set_node_properties(self, node_id: str, values: dict[str, Any],
                            merge: bool = False) -> None:
        """Set several fields of a node as one undo step (the field matrix edits two)."""
        old = self.document.node(node_id)
        new = validated(type(old), {**old.model_dump(by_alias=True), **values})
        if new == old:
            return
        names = ", ".join(label_of(n) for n in values)
        merge_key = f"{node_id}.{'+'.join(values)}" if merge else None
        edits: list[cmd.Edit] = [cmd.ReplaceNode(self.document, new)]
        edits += self._follow_renamed_values(old, new)
        self.push(f"Change {names} of {old.label()}", edits, merge_key)

    def _follow_renamed_values(self, old: Any, new: Any) -> list[cmd.Edit]:
        """Branches that compare a renamed option (or follow a renamed decision) keep
        working: their conditions and `on` labels take the new name in the same step."""
        renames = renamed_values(old, new)
        if not renames:
            return []
        labels = renames.pop("", {})
        edits: list[cmd.Edit] = []
        for key, edge in self.document.edges():
            data = edge.model_dump(by_alias=True)
            changed = dict(data)
            if data.get("when") is not None:
                for ref, mapping in renames.items():
                    changed["when"] = rename_condition_values(changed["when"], ref, mapping)
            if edge.source == old.id and edge.on in labels:
                changed["on"] = labels[edge.on]
            if changed != data:
                edits.append(cmd.ReplaceEdge(self.document, key, Edge.model_validate(changed)))
        return edits

    def rename_node(self, old_id: str, new_id: str) -> None:
        """Change a step's id; connections and references to its outputs follow it."""
        node = self.document.node(old_id)
        if new_id == old_id:
            return
        validated(type(node), {**node.model_dump(by_alias=True), "id": new_id})
        if self.document.has_node(new_id):
            raise PropertyError(f"another step already has the id '{new_id}'", ("id",))
        edits: list[cmd.Edit] = [cmd.RenameNode(self.document, old_id, new_id)]
        for key, edge in self.document.edges():
            dumped = edge.model_dump(by_alias=True)
            rewritten = rewrite_refs(dumped, old_id, new_id)
            if rewritten != dumped:
                ends = {k: (new_id if rewritten[k] == old_id else rewritten[k])
                        for k in ("from", "to")}
                edits.append(_LateReplaceEdge(self.document, key,
                                              Edge.model_validate({**rewritten, **ends})))
        for other in self.document.nodes():
            if other.id != old_id:
                updated = rewrite_references(other, lambda ref: _rename_ref(ref, old_id, new_id))
                if updated is not other:
                    edits.append(cmd.ReplaceNode(self.document, updated))
        self.push(f"Rename {old_id} to {new_id}", edits)

    # -- edges ------------------------------------------------------------------

    def connect(self, source: str, target: str) -> EdgeKey:
        """Connect two steps with the guard the source needs; ConnectionRefused if not."""
        edge = new_edge(self.document.flow(), source, target)
        add = cmd.AddEdge(self.document, edge)
        self.push(f"Connect {source} → {target}", [add])
        assert add.key is not None
        return add.key

    def set_edge_properties(self, key: int, merge: bool = False, **values: Any) -> None:
        """Change fields of a connection (`when`, `else_`, `on`, `label`) in one step.

        `merge` folds consecutive edits of the same fields of this connection into one.
        """
        old = self.document.edge(key)
        data = old.model_dump(by_alias=True)
        for name, value in values.items():
            data[{"else_": "else", "source": "from", "target": "to"}.get(name, name)] = value
        new = validated(Edge, data)
        if new != old:
            text = f"Change branch {old.source} → {old.target}"
            merge_key = f"edge{key}.{'+'.join(sorted(values))}" if merge else None
            self.push(text, [cmd.ReplaceEdge(self.document, key, new)], merge_key)

    # -- the flow itself --------------------------------------------------------------

    def set_flow_property(self, name: str, value: Any, merge: bool = False) -> None:
        """Set one field of the flow itself; `merge` folds repeated edits of it into one."""
        header = self.document.header
        data = header.model_dump(by_alias=True, exclude={"nodes", "edges"})
        new = validated(Flow, {**data, name: value})
        if new != header:
            text = f"Change flow {label_of(name)}"
            merge_key = f"flow:{name}" if merge else None
            self.push(text, [cmd.SetHeader(self.document, new)], merge_key)

    def push(self, text: str, edits: list[cmd.Edit], merge_key: str | None = None) -> None:
        """Run `edits` as one undo step (also for composites built elsewhere: paste)."""
        self.undo_stack.push(cmd.EditCommand(text, edits, merge_key))


class _LateReplaceEdge(cmd.ReplaceEdge):
    """Replaces an edge whose ends an earlier edit of the same step renames: its old
    value can only be read when it runs."""

    def __init__(self, doc: FlowDocument, key: int, new: Edge) -> None:
        self.doc, self.key, self.new = doc, key, new
        self.old = new


def validated(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Build a model or raise PropertyError naming the first offending field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(p for p in error["loc"] if not _is_tag(p))
        raise PropertyError(plain_message(error), loc) from None


def plain_message(error: Any) -> str:
    """Pydantic's wording, made plain where it talks like a programmer."""
    if error["type"] == "string_pattern_mismatch":
        return ("use lowercase letters, digits and underscores, starting with a letter "
                f"(not {error.get('input')!r})")
    if error["type"] == "missing":
        return "this is required"
    return str(error["msg"]).removeprefix("Value error, ")


def _is_tag(part: object) -> bool:
    return part in {"compare", "all", "any", "not", "classify", "assist", "enforce"}


def rewrite_refs(data: Any, old_id: str, new_id: str) -> Any:
    """Rename `old.<output>` references inside a dumped condition tree."""
    return map_field_refs(data, lambda ref: _rename_ref(ref, old_id, new_id))


def map_field_refs(data: Any, change: Callable[[str], str]) -> Any:
    """Apply `change` to every `field` reference of a dumped condition tree, in one pass."""
    if isinstance(data, dict):
        out = {k: map_field_refs(v, change) for k, v in data.items()}
        if isinstance(out.get("field"), str):
            out["field"] = change(out["field"])
        return out
    if isinstance(data, list):
        return [map_field_refs(v, change) for v in data]
    return data


def _rename_ref(ref: str, old_id: str, new_id: str) -> str:
    return renamed_ref(ref, {old_id: new_id})


LABELS = {
    "max_visits": "visit limit", "on_missing_data": "missing-data rule",
    "default_model": "default model", "case_fields": "case fields",
    "record_fields": "record fields", "copy_from": "copied values", "set": "values",
    "editable_fields": "editable fields", "input": "inputs",
}


def label_of(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))
