"""`human`: a person approves, rejects, chooses or edits; each decision may lead to its
own branch (`on: <decision>`), and a time limit may follow a `timeout` branch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from runtime.errors import Problem
from runtime.nodes.base import FieldType, Identifier, Limit, NodeBase, Strict
from runtime.nodes.spec import CheckContext, FieldInfo, NodeSpec


class HumanTimeout(Strict):
    """After `hours` without a decision the run follows the edge labelled `on`."""

    hours: float = Field(gt=0)
    on: Identifier = "timeout"


class HumanNode(NodeBase):
    kind: Literal["human"] = "human"
    assignee: str = "reviewer"
    instructions: str = ""
    decisions: list[Identifier] = Field(default_factory=lambda: ["approve", "reject"])
    editable_fields: list[Identifier] = Field(default_factory=list)
    limits: dict[Identifier, Limit] = Field(default_factory=dict)  # bounds on people's edits
    timeout: HumanTimeout | None = None


def human_outputs(node: HumanNode) -> list[FieldInfo]:
    return [FieldInfo(f"{node.id}.decision", FieldType.enum, tuple(node.decisions),
                      "what the person decided")]


def human_labels(node: HumanNode) -> list[str]:
    """Each decision, and the time limit's branch: the `on` labels its edges may carry."""
    return [*node.decisions, *([node.timeout.on] if node.timeout else [])]


def check_human(node: HumanNode, ctx: CheckContext) -> Iterator[Problem]:
    out = ctx.outgoing(node.id)
    if not node.decisions:
        yield Problem("a human node must declare its decisions (e.g. approve, reject)",
                      node=node.id)
    labels = set(human_labels(node))
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
        if ctx.flow.record_field(name) is None:
            yield Problem(f"editable field '{name}' is not a record field", node=node.id)
    for name in node.limits:
        if name not in node.editable_fields:
            yield Problem(f"limit on '{name}', which is not an editable field", node=node.id)


SPEC = NodeSpec(key="human", model=HumanNode, outputs=human_outputs, checks=check_human,
                branching="labels", labels=human_labels)
