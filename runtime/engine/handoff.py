"""The handoff packet: everything a person needs to decide a task without digging.

Built the same way for every kind of task so the CLI, the inbox and the audit trail all
show the same story: the case, what happened so far, the AI's proposal with its
confidence, which guardrail sent it here and why, what was already done, what to do next.
"""

from __future__ import annotations

from typing import Any

from runtime.engine.plan import Plan
from runtime.engine.steps import Handoff, StepOutcome
from runtime.flow.schema import node_kind_label
from runtime.store.runs import StepRow

SUMMARY_CHARS = 280


def build_packet(plan: Plan, node_id: str, context: dict[str, Any], history: list[StepRow],
                 outcome: StepOutcome, handoff: Handoff, stage: str) -> dict[str, Any]:
    node = plan.nodes[node_id]
    return {
        "node": {"id": node_id, "title": node.label(), "kind": node_kind_label(node)},
        "case_summary": case_summary(context.get("case") or {}),
        "history": [_history_line(plan, s) for s in history],
        "proposal": handoff.proposal,
        "ai": _ai_part(outcome),
        "reason": handoff.reason,
        "guardrails": [v.to_json() for v in outcome.verdicts if v.outcome != "pass"],
        "actions_taken": [
            {"node": s.node_id, "changes": s.changes} for s in history if s.changes
        ],
        "suggested_next_steps": _suggestions(handoff),
        "allowed": handoff.allowed,
        "options": handoff.options,
        "editable": handoff.editable,
        "autonomy": stage,
    }


def case_summary(case: dict[str, Any]) -> str:
    parts = [f"{k}: {v}" for k, v in case.items() if v not in (None, "") and k != "id"]
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _history_line(plan: Plan, step: StepRow) -> dict[str, Any]:
    decision = step.decision or {}
    node = plan.nodes.get(step.node_id)
    return {
        "node": step.node_id,
        "title": node.label() if node else step.node_id,
        "status": step.status,
        "decision": {k: v for k, v in decision.items() if k != "handoff"},
        "next": step.next_node,
    }


def _ai_part(outcome: StepOutcome) -> dict[str, Any] | None:
    if outcome.model_call is None:
        return None
    out = outcome.output
    return {
        "label": out.get("label"),
        "proposal": out.get("proposal"),
        "confidence": out.get("confidence"),
        "probabilities": out.get("probabilities"),
        "confidence_kind": (outcome.model_call or {}).get("confidence_kind"),
        "model": (outcome.model_call or {}).get("model"),
    }


def _suggestions(handoff: Handoff) -> list[str]:
    tips = []
    if "approve" in handoff.allowed and handoff.proposal:
        tips.append("approve the proposal if it is right")
    if "choose" in handoff.allowed and handoff.options:
        tips.append(f"choose one of: {', '.join(handoff.options)}")
    if "edit" in handoff.allowed and handoff.editable:
        tips.append(f"edit {', '.join(handoff.editable)} before approving")
    if "reject" in handoff.allowed:
        tips.append("reject to apply nothing")
    return tips
