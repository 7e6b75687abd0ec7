"""Copy, paste and duplicate: a selection as a small YAML fragment.

A fragment is the selected steps plus the connections between them, in the same shape as
a flow file, so it travels through the system clipboard between two designer windows (or
into a text editor, where it reads like part of a flow). Pasting renames ids that are
taken, follows the rename in conditions and copies, shifts positions so the copy does not
hide the original, and is one undo step.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from designer import nodes as node_records
from designer.document import commands as cmd
from designer.document.editor import FlowEditor, map_field_refs
from designer.document.errors import DocumentError
from designer.document.model import FlowDocument
from runtime.api import (
    AnyNode,
    Edge,
    Flow,
    node_type_of,
    parse_yaml,
    renamed_ref,
    rewrite_references,
)

MIME_TYPE = "application/x-junction-fragment+yaml"
MAX_FRAGMENT_CHARS = 2_000_000
PASTE_OFFSET = 40.0
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml where installed


@dataclass(frozen=True)
class Fragment:
    nodes: tuple[AnyNode, ...]
    edges: tuple[Edge, ...]

    def to_text(self) -> str:
        data = {
            "nodes": [n.model_dump(mode="json", by_alias=True, exclude_defaults=True)
                      | {"id": n.id, "kind": n.kind} | _role(n) for n in self.nodes],
            "edges": [e.model_dump(mode="json", by_alias=True, exclude_defaults=True)
                      for e in self.edges],
        }
        return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)

    @classmethod
    def from_text(cls, text: str) -> Fragment:
        """Parse clipboard text; DocumentError if it is not a fragment."""
        if len(text) > MAX_FRAGMENT_CHARS:
            raise DocumentError("the clipboard holds too much text to be a copied selection")
        try:
            # The runtime's strict reader: libyaml, no alias bombs or duplicate keys from
            # whatever else is on the clipboard (2,000 steps took ~4 s in pure Python).
            data = parse_yaml(text, "clipboard").data
            flow = Flow.model_validate({"name": "fragment", **data})
        except Exception as exc:  # any parse/validation failure means "not ours"
            raise DocumentError(f"the clipboard does not hold copied steps ({exc})") from None
        return cls(tuple(flow.nodes), tuple(flow.edges))


def _role(node: AnyNode) -> dict[str, str]:
    role = getattr(node, "role", None)
    return {"role": role} if role else {}


def copy_fragment(doc: FlowDocument, node_ids: set[str]) -> Fragment:
    nodes = tuple(n for n in doc.nodes() if n.id in node_ids)
    edges = tuple(e for _, e in doc.edges() if e.source in node_ids and e.target in node_ids)
    return Fragment(nodes, edges)


def paste_fragment(editor: FlowEditor, fragment: Fragment,
                   offset: float = PASTE_OFFSET,
                   at: tuple[float, float] | None = None) -> list[str]:
    """Add a fragment's steps and connections as one undo step; returns the new ids.

    With `at` (where the pointer is), the copied group's top-left step lands there and
    the others keep their places around it; otherwise copies are nudged by `offset`.
    """
    doc = editor.document
    present = {node_type_of(n).key for n in doc.nodes()}
    nodes = [n for n in fragment.nodes
             if not (node_type_of(n).unique and node_type_of(n).key in present)]
    if not nodes:
        return []
    taken = set(doc.node_ids())
    renames: dict[str, str] = {}
    for node in nodes:
        renames[node.id] = node_records.unique_id(node.id, taken)
        taken.add(renames[node.id])
    shift = _shift_to(nodes, at) if at is not None else (offset, offset)
    edits: list[cmd.Edit] = [cmd.AddNode(doc, _moved(_renamed_node(node, renames), *shift))
                             for node in nodes]
    edits += [cmd.AddEdge(doc, _renamed_edge(edge, renames)) for edge in fragment.edges
              if edge.source in renames and edge.target in renames]
    editor.push(f"Paste {len(nodes)} step" + ("s" if len(nodes) > 1 else ""), edits)
    return [renames[n.id] for n in nodes]


def duplicate(editor: FlowEditor, node_ids: set[str]) -> list[str]:
    return paste_fragment(editor, copy_fragment(editor.document, node_ids))


def _renamed_node(node: AnyNode, renames: dict[str, str]) -> AnyNode:
    followed = rewrite_references(node, lambda ref: renamed_ref(ref, renames))
    return followed.model_copy(update={"id": renames[node.id]})


def _renamed_edge(edge: Edge, renames: dict[str, str]) -> Edge:
    data = edge.model_dump(by_alias=True)
    data["from"], data["to"] = renames[edge.source], renames[edge.target]
    data["when"] = map_field_refs(data["when"], lambda ref: renamed_ref(ref, renames))
    return Edge.model_validate(data)


def _shift_to(nodes: list[AnyNode], at: tuple[float, float]) -> tuple[float, float]:
    placed = [n.position for n in nodes if n.position is not None]
    if not placed:
        return (0.0, 0.0)
    left, top = min(p[0] for p in placed), min(p[1] for p in placed)
    return (at[0] - left, at[1] - top)


def _moved(node: AnyNode, dx: float, dy: float) -> AnyNode:
    if node.position is None:
        return node
    x, y = node.position
    return node.model_copy(update={"position": (x + dx, y + dy)})
