"""A validated flow compiled into an immutable plan the scheduler walks.

Scheduling questions ("where next from here, given this label?") are small pure functions
over the plan, so they are trivial to test and never depend on engine state.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from runtime.errors import FlowError
from runtime.flow.conditions import evaluate
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import AnyNode, AutonomyStage, Edge, Flow, StartNode, node_kind_label
from runtime.flow.validate import validate_flow
from runtime.models.embedding_head import head_problems
from runtime.nodes.registry import key_of


@dataclass(frozen=True)
class Plan:
    loaded: LoadedFlow
    nodes: MappingProxyType[str, AnyNode]
    out: MappingProxyType[str, tuple[Edge, ...]]
    start: str
    # Per node, worked out once per plan rather than at every step: the kind as logs and
    # tables show it ("ai/classify") and the key its executor is registered under.
    labels: MappingProxyType[str, str]
    executor_keys: MappingProxyType[str, str]

    @property
    def flow(self) -> Flow:
        return self.loaded.flow

    def follow(self, node_id: str, label: str | None = None) -> str | None:
        """The target of the edge labelled `label`, else of the plain edge, else None."""
        edges = self.out[node_id]
        if label is not None:
            for edge in edges:
                if edge.on == label:
                    return edge.target
        for edge in edges:
            if edge.on is None and edge.when is None and not edge.else_:
                return edge.target
        return None

    def branch(self, node_id: str, values: dict[str, Any]) -> Edge:
        """The first `when` edge whose condition holds, else the `else` edge."""
        edges = self.out[node_id]
        for edge in edges:
            if edge.when is not None and evaluate(edge.when, values):
                return edge
        return next(e for e in edges if e.else_)


def compile_plan(loaded: LoadedFlow) -> Plan:
    """Validate once and freeze; a flow with problems never runs."""
    problems = validate_flow(loaded) + head_problems(loaded)
    if problems:
        raise FlowError(problems)
    flow = loaded.flow
    out: dict[str, tuple[Edge, ...]] = {n.id: () for n in flow.nodes}
    for edge in flow.edges:
        out[edge.source] = (*out[edge.source], edge)
    start = next(n.id for n in flow.nodes if isinstance(n, StartNode))
    nodes = {n.id: n for n in flow.nodes}
    labels = {n.id: node_kind_label(n) for n in flow.nodes}
    keys = {n.id: key_of(n) for n in flow.nodes}
    return Plan(loaded, MappingProxyType(nodes), MappingProxyType(out), start,
                MappingProxyType(labels), MappingProxyType(keys))


def stage_for(plan: Plan, node: AnyNode, run_override: str | None) -> AutonomyStage:
    """The autonomy stage in force for a node: the run's override, else the node's own,
    else the flow's. Guardrails bound every stage; this only says how far inside them the
    AI may act alone."""
    if run_override:
        return AutonomyStage(run_override)
    own = getattr(node, "autonomy", None)
    return AutonomyStage(own) if own else plan.flow.autonomy


def flat_values(context: dict[str, Any]) -> dict[str, Any]:
    """The run context as the `case.x` / `record.x` / `node.output` namespace conditions use."""
    values: dict[str, Any] = {}
    for name, value in (context.get("case") or {}).items():
        values[f"case.{name}"] = value
    for name, value in (context.get("record") or {}).items():
        values[f"record.{name}"] = value
    for node_id, outputs in (context.get("nodes") or {}).items():
        for name, value in (outputs or {}).items():
            values[f"{node_id}.{name}"] = value
    return values
