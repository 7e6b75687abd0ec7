"""Turning a person's decision on a human task into the step's final outcome (pure: no store).

Edited values pass the same type checks and limits as the AI's (a person cannot slip an
out-of-range value past a guardrail either), only the fields the task offered for editing
can be set, and only the decisions the task allows are accepted. What the person decided
is stored beside what the AI proposed, so agreement can be measured per node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from runtime.engine.plan import Plan
from runtime.errors import InputError
from runtime.flow.schema import ClassifyNode, HumanNode
from runtime.guardrails.limits import coerce, limit_problem
from runtime.jsonl import StrictJSONError, loads_strict


class HumanDecision(BaseModel):
    """What a person submitted; equal decisions are the same decision (idempotent)."""

    action: Literal["approve", "reject", "choose", "edit"]
    choice: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)

    def key(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class EditRefused(InputError):
    """A person's edit broke a limit or named a field the task does not offer."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
    _check_allowed(decision, allowed)
    if isinstance(node, ClassifyNode):
        return _classification(plan, node, packet, prior_output, decision)
    return _change_review(plan, node, packet, prior_output, decision)


def resolve_timeout(plan: Plan, node_id: str) -> Resolution:
    """A human task past its due time follows the node's timeout branch. It decides
    nothing: no edit is applied and nothing counts as approved."""
    node = plan.nodes[node_id]
    label = node.timeout.on if isinstance(node, HumanNode) and node.timeout else "timeout"
    record = {"decision": label, "by": "timeout", "edits": {}, "approved": False}
    return Resolution({"decision": label, "timed_out": True}, {},
                      plan.follow(node_id, label), record)


def _check_allowed(decision: HumanDecision, allowed: list[str]) -> None:
    action = "edit" if decision.action == "approve" and decision.values else decision.action
    if allowed and action not in allowed:
        raise InputError(f"'{action}' is not a decision this task allows "
                         f"(allowed: {', '.join(allowed)})")


def _human_node(plan: Plan, node: HumanNode, decision: HumanDecision,
                allowed: list[str]) -> Resolution:
    name = decision.choice if decision.action in ("choose", "edit") else decision.action
    if name is None and decision.action == "edit" and len(node.decisions) == 1:
        name = node.decisions[0]
    if name is None:  # `--set` alone on a step with several decisions
        first = node.decisions[0]
        flag = f"--{first}" if first in ("approve", "reject") else f"--choose {first}"
        raise InputError(f"an edit alone does not say what is decided at '{node.id}'; "
                         f"decide one of: {', '.join(node.decisions)} (for example "
                         f"{flag} with --set)")
    if name not in node.decisions:
        raise InputError(f"'{name}' is not a decision of node '{node.id}' "
                         f"(choose one of: {', '.join(node.decisions)})")
    changes = checked_edits(plan, decision.values, node.editable_fields, node.limits)
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
    ai_label = prior.get("label")
    output = {**prior, "label": label, "ai_label": ai_label, "decided_by": "human"}
    record = {"action": decision.action, "label": label, "ai_label": ai_label, "by": "human",
              "agrees_with_ai": None if ai_label is None else label == ai_label}
    return Resolution(output, {}, plan.follow(node.id), record)


def _change_review(plan: Plan, node: Any, packet: dict[str, Any], prior: dict[str, Any],
                   decision: HumanDecision) -> Resolution:
    proposal = dict(packet.get("proposal") or {})
    limits = node.guardrails.limits if hasattr(node, "guardrails") else {}
    if decision.action == "reject":
        changes: dict[str, Any] = {}
    elif decision.action == "approve" and not decision.values:
        changes = checked_edits(plan, proposal, list(proposal), limits)
    elif decision.action in ("edit", "approve"):
        editable = packet.get("editable") or list(proposal)
        edits = checked_edits(plan, decision.values, editable, limits)
        changes = {**proposal, **edits}
    else:
        raise InputError("a proposed change is approved, edited (--set) or rejected")
    record = {"action": decision.action, "applied": changes, "proposed": proposal,
              "by": "human", "agrees_with_ai": _agrees(decision.action, proposal, changes)}
    output = {**prior, "applied": bool(changes), "decided_by": "human"}
    return Resolution(output, changes, plan.follow(node.id), record)


def _agrees(action: str, proposal: dict[str, Any], applied: dict[str, Any]) -> bool:
    """Did the person do what the AI proposed? Approving (or editing to the same values)
    agrees; rejecting agrees only with an empty proposal."""
    if action == "reject":
        return not proposal
    return applied == proposal


def checked_edits(plan: Plan, values: dict[str, Any], editable: list[str],
                  limits: dict[str, Any]) -> dict[str, Any]:
    """Values a person set, each checked like the AI's; the first problem refuses all."""
    problems = edit_problems(plan, values, editable, limits)
    if problems:
        name, message = next(iter(problems.items()))
        raise EditRefused(message, name)
    return {name: coerce(value, plan.flow.record_field(name))  # type: ignore[arg-type]
            for name, value in values.items()}


def edit_problems(plan: Plan, values: dict[str, Any], editable: list[str],
                  limits: dict[str, Any]) -> dict[str, str]:
    """Every problem with a person's edits at once, by field name (empty when all pass).

    The one check behind both `junction decide --set` and the inbox's edit form, so a
    form can mark each field that is wrong before anything is decided."""
    problems: dict[str, str] = {}
    for name, value in values.items():
        if name not in editable:
            problems[name] = (f"'{name}' cannot be set on this task "
                              f"(editable: {', '.join(editable) or 'none'})")
            continue
        spec = plan.flow.record_field(name)
        if spec is None:
            problems[name] = f"'{name}' is not a record field"
            continue
        problem = limit_problem(value, spec, limits.get(name))
        if problem:
            problems[name] = f"refused: {problem}"
    return problems


def editable_fields(plan: Plan, node_id: str, packet: dict[str, Any]) -> tuple[list[str],
                                                                            dict[str, Any]]:
    """The fields a task lets a person set, and the limits those values must keep: a human
    node's own list and limits, else the proposal's fields under the AI node's guardrails
    (exactly what `resolve` checks)."""
    node = plan.nodes[node_id]
    if isinstance(node, HumanNode):
        return list(node.editable_fields), dict(node.limits)
    proposal = dict(packet.get("proposal") or {})
    limits = node.guardrails.limits if hasattr(node, "guardrails") else {}
    return list(packet.get("editable") or proposal), dict(limits)


def parse_value(raw: str) -> Any:
    """A typed value as `--set FIELD=VALUE` reads it: JSON when it parses, else the text.
    JSON that parses but is not acceptable (NaN, Infinity, a number too large, too deep)
    is refused with InputError rather than taken as text or as a float."""
    try:
        return loads_strict(raw)
    except json.JSONDecodeError:
        return raw
    except StrictJSONError as exc:
        raise InputError(str(exc)) from None
