"""Which connections a flow may have, and what a new connection carries.

Drawing an edge is the most common edit, so the rules that refuse one must explain why
and what to do instead. A connection that is allowed gets the guard its source needs:
decisions get a `when` condition (or the `else` branch when one is still missing), human
steps get the first decision that has no branch yet, AI and action steps get their
fallback label for a second way out. Pure functions over a `Flow`: easy to test, no Qt.
"""

from __future__ import annotations

from typing import Any

from designer.document.errors import (
    BranchingError,
    DuplicateEdgeError,
    IntoStartError,
    OutOfEndError,
    SelfLoopError,
)
from runtime.api import (
    ActionNode,
    AINodeBase,
    Compare,
    Edge,
    EndNode,
    FieldType,
    Flow,
    Op,
    StartNode,
    field_catalog,
    node_type_of,
)


def new_edge(flow: Flow, source: str, target: str) -> Edge:
    """The edge a user gets by dragging from `source` to `target`, or ConnectionRefused."""
    src = flow.node(source)
    dst = flow.node(target)
    if source == target:
        raise SelfLoopError(
            "A step cannot lead to itself. To repeat it, loop back through another step "
            "and give one of them a visit limit.")
    if isinstance(dst, StartNode):
        raise IntoStartError("Nothing can lead into the start: every run begins there.")
    if isinstance(src, EndNode):
        raise OutOfEndError(f"'{src.label()}' is an end: the run finishes there, "
                            "so it cannot lead anywhere.")
    out = flow.outgoing(source)
    spec = node_type_of(src)
    if spec.branching == "conditions":
        _refuse_duplicate(src.label(), dst.label(), out, target)
        return _decision_edge(flow, source, target, out)
    if spec.branching == "labels":
        return _labelled_edge(src, spec.labels(src), target, out)
    _refuse_duplicate(src.label(), dst.label(), out, target)
    plain = [e for e in out if e.on is None]
    if not plain:
        return Edge(source=source, target=target)
    fallback = _uncovered_fallback(src, out)
    if fallback:
        return Edge(source=source, target=target, on=fallback)
    raise BranchingError(
        f"'{src.label()}' already leads to '{flow.node(plain[0].target).label()}'. Only "
        "decisions branch: put a decision after it to choose between paths.")


def _refuse_duplicate(src_label: str, dst_label: str, out: list[Edge], target: str) -> None:
    if any(e.target == target for e in out):
        raise DuplicateEdgeError(f"'{src_label}' already leads to '{dst_label}'.")


def _decision_edge(flow: Flow, source: str, target: str, out: list[Edge]) -> Edge:
    has_else = any(e.else_ for e in out)
    if out and not has_else:
        return Edge(source=source, target=target, else_=True)
    return Edge(source=source, target=target, when=default_condition(flow, source))


def _labelled_edge(src: Any, labels: list[str], target: str, out: list[Edge]) -> Edge:
    """The next uncovered outcome of a step that branches by labels (a person's
    decisions and time limit)."""
    covered = {e.on for e in out}
    for label in labels:
        if label not in covered:
            return Edge(source=src.id, target=target, on=label)
    if not any(e.on is None for e in out) and not labels:
        return Edge(source=src.id, target=target)
    choices = ", ".join(labels) or "none"
    raise BranchingError(
        f"Every decision of '{src.label()}' ({choices}) already has a branch. Add another "
        "decision in its properties first.")


def _uncovered_fallback(src: object, out: list[Edge]) -> str | None:
    if not isinstance(src, AINodeBase | ActionNode):
        return None
    label = src.guardrails.fallback
    if label == "human" or any(e.on == label for e in out):
        return None
    return label


def default_condition(flow: Flow, decision_id: str) -> Compare:
    """A first condition worth editing: an enum output of the nearest step upstream."""
    catalog = field_catalog(flow)
    upstream = _upstream_in_distance_order(flow, decision_id)
    candidates = [info for nid in upstream for ref, info in catalog.items()
                  if ref.startswith(f"{nid}.")]
    candidates += [info for ref, info in catalog.items() if ref.startswith("case.")]
    for info in candidates:
        if info.type is FieldType.enum and info.values:
            return Compare(field=info.ref, op=Op.eq, value=info.values[0])
    if candidates:
        info = candidates[0]
        return Compare(field=info.ref, op=Op.exists)
    return Compare(field="case.", op=Op.exists)


def _upstream_in_distance_order(flow: Flow, node_id: str) -> list[str]:
    import networkx as nx  # here, not at import: ~0.5 s the window would wait for at launch

    graph = nx.DiGraph()
    graph.add_nodes_from(flow.node_ids())
    graph.add_edges_from((e.source, e.target) for e in flow.edges
                         if e.source in graph and e.target in graph)
    distances = nx.single_source_shortest_path_length(graph.reverse(copy=False), node_id)
    return [nid for nid, _ in sorted(distances.items(), key=lambda item: item[1])
            if nid != node_id]
