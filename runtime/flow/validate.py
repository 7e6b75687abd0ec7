"""Whole-flow checks: the graph (with networkx) and the meaning of every reference.

The schema already guarantees each node is well-formed on its own; this module checks
what only the whole flow can tell: one start, everything reachable, no dead ends,
cycles that carry a visit limit, and each node's own checks as its kind's spec in
`runtime.nodes` declares them (decisions with an `else`, conditions that mention real
fields and values…). The designer's problems panel runs exactly these checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from runtime.errors import Problem
from runtime.flow.conditions import Condition, iter_comparisons
from runtime.flow.fields import check_comparison, field_catalog
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import Edge, EndNode, Flow, StartNode
from runtime.nodes import registry as node_registry

# networkx (~0.5 s to import) is imported by the checks that use it: the engine and the
# designer's window import this module long before they validate anything.
if TYPE_CHECKING:
    import networkx as nx


def validate_flow(loaded: LoadedFlow) -> list[Problem]:
    """Every problem in the flow, located; an empty list means the flow can run."""
    flow = loaded.flow
    raw: list[Problem] = []
    raw.extend(_check_ids(flow))
    raw.extend(_check_edges(flow))
    raw.extend(_check_graph(flow))
    raw.extend(_check_nodes(flow))
    return [_locate(p, loaded) for p in raw]


def _locate(problem: Problem, loaded: LoadedFlow) -> Problem:
    line = problem.line
    if line is None and problem.path and problem.path.startswith("edges."):
        parts = problem.path.split(".")
        line = loaded.line_of("edges", int(parts[1]), *parts[2:]) or loaded.line_of(
            "edges", int(parts[1]))
    if line is None and problem.node:
        line = loaded.node_line(problem.node)
    return Problem(problem.message, file=loaded.display_name, line=line, node=problem.node,
                   path=problem.path, severity=problem.severity)


def _check_ids(flow: Flow) -> Iterator[Problem]:
    seen: set[str] = set()
    for node in flow.nodes:
        if node.id in seen:
            yield Problem(f"node id '{node.id}' is used more than once", node=node.id)
        seen.add(node.id)
    starts = [n.id for n in flow.nodes if isinstance(n, StartNode)]
    if not starts:
        yield Problem("the flow has no start node; add exactly one node of kind 'start'")
    for extra in starts[1:]:
        yield Problem("the flow has more than one start node", node=extra)
    if not any(isinstance(n, EndNode) for n in flow.nodes):
        yield Problem("the flow has no end node; add at least one node of kind 'end'")


def _check_edges(flow: Flow) -> Iterator[Problem]:
    ids = set(flow.node_ids())
    seen: set[tuple[str, str, str]] = set()
    for index, edge in enumerate(flow.edges):
        where = f"edges.{index}"
        for end, nid in (("from", edge.source), ("to", edge.target)):
            if nid not in ids:
                yield Problem(f"edge {edge.source} → {edge.target}: '{end}' names node '{nid}', "
                              "which does not exist", path=where, node=None)
        key = (edge.source, edge.target, repr((edge.when, edge.else_, edge.on)))
        if key in seen:
            yield Problem(f"edge {edge.source} → {edge.target} is repeated", path=where)
        seen.add(key)


def _graph(flow: Flow) -> nx.MultiDiGraph:
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(flow.node_ids())
    ids = set(flow.node_ids())
    for edge in flow.edges:
        if edge.source in ids and edge.target in ids:
            graph.add_edge(edge.source, edge.target)
    return graph


def _check_graph(flow: Flow) -> Iterator[Problem]:
    import networkx as nx

    graph = _graph(flow)
    starts = [n.id for n in flow.nodes if isinstance(n, StartNode)]
    ends = {n.id for n in flow.nodes if isinstance(n, EndNode)}
    if starts:
        reachable = nx.descendants(graph, starts[0]) | {starts[0]}
        for nid in flow.node_ids():
            if nid not in reachable:
                yield Problem("cannot be reached from the start node", node=nid)
        for nid in graph.predecessors(starts[0]):
            yield Problem("the start node must not have incoming edges", node=nid)
    can_finish = set(ends)
    for end in ends:
        can_finish |= nx.ancestors(graph, end)
    for node in flow.nodes:
        if isinstance(node, EndNode):
            if graph.out_degree(node.id):
                yield Problem("an end node must not have outgoing edges", node=node.id)
        elif graph.out_degree(node.id) == 0:
            yield Problem("has no way out: connect it to the next step", node=node.id)
        elif node.id not in can_finish:
            yield Problem("no path from here leads to an end node", node=node.id)
    yield from _check_cycles(flow, graph)


def _check_cycles(flow: Flow, graph: nx.MultiDiGraph) -> Iterator[Problem]:
    import networkx as nx

    limited = {n.id for n in flow.nodes if n.max_visits}
    for component in nx.strongly_connected_components(graph):
        looped = len(component) > 1 or any(graph.has_edge(n, n) for n in component)
        if looped and not component & limited:
            members = sorted(component)
            yield Problem(
                f"nodes {', '.join(members)} form a loop with no visit limit; "
                "set 'max_visits' on one of them", node=members[0])


class _FlowAround:
    """The `CheckContext` a kind's checks see: the flow, its edges, the field catalogue.

    Outgoing edges and edge positions are indexed once: asking the flow per node scans
    every edge (and `list.index` compares pydantic models field by field), which made
    checking a 2,000-step flow take seconds."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.catalog = field_catalog(flow)
        self._outgoing: dict[str, list[Edge]] = {}
        self._positions: dict[int, int] = {}
        for index, edge in enumerate(flow.edges):
            self._outgoing.setdefault(edge.source, []).append(edge)
            self._positions.setdefault(id(edge), index)

    def outgoing(self, node_id: str) -> list[Edge]:
        return list(self._outgoing.get(node_id, ()))

    def edge_index(self, edge: Edge) -> int:
        position = self._positions.get(id(edge))
        return self.flow.edges.index(edge) if position is None else position

    def condition_problems(self, condition: Condition) -> list[str]:
        found = (check_comparison(cmp, self.catalog) for cmp in iter_comparisons(condition))
        return [message for message in found if message]

    def is_known_field(self, ref: str) -> bool:
        return ref in self.catalog


def _check_nodes(flow: Flow) -> Iterator[Problem]:
    around = _FlowAround(flow)
    for node in flow.nodes:
        spec = node_registry.spec_for(node)
        out = around.outgoing(node.id)
        if spec.branching != "conditions":
            for edge in out:
                if edge.when is not None or edge.else_:
                    yield Problem(f"edge to '{edge.target}': only decision nodes have "
                                  "conditions ('when'/'else')", node=node.id)
        yield from spec.problems(node, around)
        if spec.branching == "single":
            plain = [e for e in out if e.on is None]
            if len(plain) > 1:
                yield Problem("has more than one plain outgoing edge; only decision nodes "
                              "branch (label extra edges with 'on')", node=node.id)
