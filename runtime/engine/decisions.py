"""Turning a person's decision on a human task into the step's final outcome.

Edited values pass the same limits as the AI's (a person cannot slip an out-of-range value
past a guardrail either), and only the fields the task offered for editing can be set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from runtime.engine.plan import Plan
from runtime.errors import InputError
from runtime.flow.schema import ClassifyNode, HumanNode
from runtime.guardrails.policy import coerce, limit_problem


class HumanDecision(BaseModel):
    """What a person submitted; equal decisions are the same decision (idempotent)."""

    action: Literal["approve", "reject", "choose", "edit"]
    choice: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)

    def key(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass
class Resolution:
    output: dict[str, Any]
    changes: dict[str, Any]
    next_node: str | None
    record: dict[str, Any] = field(default_factory=dict)


def resolve(plan: Plan, node_id: str, packet: dict[str, Any], prior_output: dict[str, Any],
            decision: HumanDecision) -> Resolution:
    node = plan.nodes[node_id]
    allowed = packet.get("allowed", [])
    if isinstance(node, HumanNode):
        return _human_node(plan, node, decision, allowed)
    if isinstance(node, ClassifyNode):
        return _classification(plan, node, packet, prior_output, decision)
    return _change_review(plan, node, packet, prior_output, decision)


def _human_node(plan: Plan, node: HumanNode, decision: HumanDecision,
                allowed: list[str]) -> Resolution:
    name = decision.choice if decision.action in ("choose", "edit") else decision.action
    if name is None and decision.action == "edit" and len(node.decisions) == 1:
        name = node.decisions[0]
    if name not in node.decisions:
        raise InputError(f"'{name}' is not a decision of node '{node.id}' "
                         f"(choose one of: {', '.join(node.decisions)})")
    changes = _checked_edits(plan, node.id, decision.values, node.editable_fields, {})
    record = {"decision": name, "edits": changes, "by": "human"}
    return Resolution({"decision": name}, changes, plan.follow(node.id, name), record)


def _classification(plan: Plan, node: ClassifyNode, packet: dict[str, Any],
                    prior: dict[str, Any], decision: HumanDecision) -> Resolution:
    options = [o.name for o in node.options]
    if decision.action == "approve":
        label = (packet.get("proposal") or {}).get("label")
        if label is None:
            raise InputError("there is no AI answer to approve here; use --choose OPTION")
    elif decision.action == "choose":
        label = decision.choice
    else:
        raise InputError(f"a classification is approved or chosen (--choose one of: "
                         f"{', '.join(options)})")
    if label not in options:
        raise InputError(f"'{label}' is not an option of '{node.id}' "
                         f"(choose one of: {', '.join(options)})")
    output = {**prior, "label": label, "ai_label": prior.get("label"), "decided_by": "human"}
    record = {"label": label, "ai_label": prior.get("label"), "by": "human",
              "agrees_with_ai": label == prior.get("label")}
    return Resolution(output, {}, plan.follow(node.id), record)


def _change_review(plan: Plan, node: Any, packet: dict[str, Any], prior: dict[str, Any],
                   decision: HumanDecision) -> Resolution:
    proposal = dict(packet.get("proposal") or {})
    if decision.action == "reject":
        changes: dict[str, Any] = {}
    elif decision.action == "approve":
        changes = _checked_edits(plan, node.id, proposal, list(proposal), node.guardrails.limits)
    elif decision.action == "edit":
        editable = packet.get("editable") or list(proposal)
        edits = _checked_edits(plan, node.id, decision.values, editable, node.guardrails.limits)
        changes = {**proposal, **edits}
    else:
        raise InputError("a proposed change is approved, edited (--set) or rejected")
    record = {"action": decision.action, "applied": changes, "proposed": proposal,
              "by": "human", "agrees_with_ai": decision.action == "approve"}
    output = {**prior, "applied": bool(changes), "decided_by": "human"}
    return Resolution(output, changes, plan.follow(node.id), record)


def _checked_edits(plan: Plan, node_id: str, values: dict[str, Any], editable: list[str],
                   limits: dict[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in editable:
            raise InputError(f"'{name}' cannot be set on this task "
                             f"(editable: {', '.join(editable) or 'none'})")
        spec = plan.flow.record_field(name)
        if spec is None:
            raise InputError(f"'{name}' is not a record field")
        problem = limit_problem(value, spec, limits.get(name))
        if problem:
            raise InputError(f"refused: {problem}")
        checked[name] = coerce(value, spec)
    return checked
