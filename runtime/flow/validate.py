"""Whole-flow checks: the graph (with networkx) and the meaning of every reference.

The schema already guarantees each node is well-formed on its own; this module checks
what only the whole flow can tell: one start, everything reachable, no dead ends,
decisions with an `else`, conditions that mention real fields and values, cycles that
carry a visit limit. The designer's problems panel runs exactly these checks.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from runtime.errors import Problem
from runtime.flow.conditions import iter_comparisons
from runtime.flow.fields import check_comparison, field_catalog
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import (
    ActionNode,
    AINodeBase,
    ClassifyNode,
    DecisionNode,
    EndNode,
    FieldType,
    Flow,
    Guardrails,
    HumanNode,
    StartNode,
)

MODEL_PREFIXES = ("ollama:", "llamacpp:", "scripted", "embeddings:")


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
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(flow.node_ids())
    ids = set(flow.node_ids())
    for edge in flow.edges:
        if edge.source in ids and edge.target in ids:
            graph.add_edge(edge.source, edge.target)
    return graph


def _check_graph(flow: Flow) -> Iterator[Problem]:
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
    limited = {n.id for n in flow.nodes if n.max_visits}
    for component in nx.strongly_connected_components(graph):
        looped = len(component) > 1 or any(graph.has_edge(n, n) for n in component)
        if looped and not component & limited:
            members = sorted(component)
            yield Problem(
                f"nodes {', '.join(members)} form a loop with no visit limit; "
                "set 'max_visits' on one of them", node=members[0])


def _check_nodes(flow: Flow) -> Iterator[Problem]:
    catalog = field_catalog(flow)
    for node in flow.nodes:
        out = flow.outgoing(node.id)
        if isinstance(node, DecisionNode):
            yield from _check_decision(node.id, out, catalog, flow)
        else:
            for edge in out:
                if edge.when is not None or edge.else_:
                    yield Problem(f"edge to '{edge.target}': only decision nodes have "
                                  "conditions ('when'/'else')", node=node.id)
        if isinstance(node, HumanNode):
            yield from _check_human(node, out, flow)
        if isinstance(node, AINodeBase | ActionNode):
            yield from _check_guardrails(node.id, node.guardrails, out, flow)
            yield from _check_model(node)
        if isinstance(node, AINodeBase):
            for name in node.input:
                if flow.case_field(name) is None:
                    yield Problem(f"input names case field '{name}', which is not declared",
                                  node=node.id)
        if isinstance(node, ClassifyNode) and node.method == "embeddings":
            for option in node.options:
                if not option.examples and not option.description:
                    yield Problem(f"option '{option.name}' needs examples or a description "
                                  "for the embeddings method", node=node.id)
            if not (node.embedding_model or flow.embedding_model):
                yield Problem("method 'embeddings' needs an embedding model: set "
                              "'embedding_model' on this node or on the flow (e.g. "
                              "sentence-transformers:all-minilm-l6-v2 or ollama:all-minilm)",
                              node=node.id)
        if isinstance(node, ActionNode):
            yield from _check_action(node, flow, catalog)
        if not isinstance(node, DecisionNode | HumanNode):
            plain = [e for e in out if e.on is None]
            if len(plain) > 1:
                yield Problem("has more than one plain outgoing edge; only decision nodes "
                              "branch (label extra edges with 'on')", node=node.id)


def _check_decision(nid: str, out: list, catalog: dict, flow: Flow) -> Iterator[Problem]:
    elses = [e for e in out if e.else_]
    if not elses:
        yield Problem("decision has no 'else' branch: add an edge with 'else: true'", node=nid)
    if len(elses) > 1:
        yield Problem("decision has more than one 'else' branch", node=nid)
    for edge in out:
        if edge.when is None and not edge.else_:
            yield Problem(f"branch to '{edge.target}' has neither 'when' nor 'else'", node=nid)
        if edge.on is not None:
            yield Problem(f"branch to '{edge.target}': decisions use 'when', not 'on'",
                          node=nid)
        if edge.when is not None:
            where = f"edges.{flow.edges.index(edge)}.when"
            for cmp in iter_comparisons(edge.when):
                message = check_comparison(cmp, catalog)
                if message:
                    yield Problem(f"branch to '{edge.target}': {message}", node=nid,
                                  path=where)


def _check_human(node: HumanNode, out: list, flow: Flow) -> Iterator[Problem]:
    if not node.decisions:
        yield Problem("a human node must declare its decisions (e.g. approve, reject)",
                      node=node.id)
    labels = set(node.decisions) | ({node.timeout.on} if node.timeout else set())
    for edge in out:
        if edge.on is not None and edge.on not in labels:
            yield Problem(f"edge to '{edge.target}' is labelled '{edge.on}', which is not one "
                          f"of its decisions ({', '.join(sorted(labels))})", node=node.id)
    has_default = any(e.on is None for e in out)
    for decision in node.decisions:
        if not has_default and not any(e.on == decision for e in out):
            yield Problem(f"decision '{decision}' has no outgoing edge", node=node.id)
    if node.timeout and not any(e.on == node.timeout.on for e in out):
        yield Problem(f"timeout follows '{node.timeout.on}', but no edge is labelled so",
                      node=node.id)
    for name in node.editable_fields:
        if flow.record_field(name) is None:
            yield Problem(f"editable field '{name}' is not a record field", node=node.id)
    for name in node.limits:
        if name not in node.editable_fields:
            yield Problem(f"limit on '{name}', which is not an editable field", node=node.id)


def _check_guardrails(nid: str, rails: Guardrails, out: list, flow: Flow) -> Iterator[Problem]:
    for name in list(rails.fields) + list(rails.limits):
        if flow.record_field(name) is None:
            yield Problem(f"guardrails name record field '{name}', which is not declared",
                          node=nid)
    for name, limit in rails.limits.items():
        field = flow.record_field(name)
        if field and field.type is FieldType.enum and limit.values:
            unknown = [v for v in limit.values if v not in (field.values or [])]
            if unknown:
                yield Problem(f"limit on '{name}' allows unknown values {unknown}", node=nid)
    labels = {e.on for e in out if e.on}
    if rails.fallback != "human" and rails.fallback not in labels:
        yield Problem(f"fallback '{rails.fallback}' needs an outgoing edge with "
                      f"'on: {rails.fallback}'", node=nid)


def _check_model(node: AINodeBase | ActionNode) -> Iterator[Problem]:
    model = getattr(node, "model", None)
    if model and not model.startswith(MODEL_PREFIXES):
        yield Problem(f"model '{model}' should start with ollama:, llamacpp: or scripted",
                      node=node.id)


def _check_action(node: ActionNode, flow: Flow, catalog: dict) -> Iterator[Problem]:
    for name, value in node.set.items():
        field = flow.record_field(name)
        if field is None:
            yield Problem(f"sets record field '{name}', which is not declared", node=node.id)
        elif field.type is FieldType.enum and value not in (field.values or []):
            yield Problem(f"sets '{name}' to '{value}', which is not one of its values",
                          node=node.id)
    for name, ref in node.copy_from.items():
        if flow.record_field(name) is None:
            yield Problem(f"copies into record field '{name}', which is not declared",
                          node=node.id)
        if ref not in catalog:
            yield Problem(f"copies from '{ref}', which is not a known field", node=node.id)
