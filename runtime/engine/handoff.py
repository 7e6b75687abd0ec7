"""The handoff packet: everything a person needs to decide a task without digging.

Built by one function for every kind of task (a held AI proposal, a low-confidence
classification, a human node, a change whose outcome is unknown) so the CLI, the inbox and
the audit trail all show the same story: the case, what happened so far, the AI's proposal
with its confidence and per-option probabilities, which guardrail sent it here and why,
what was already done, what to do next, and which decisions are allowed.
"""

from __future__ import annotations

from typing import Any

from runtime.engine.plan import Plan
from runtime.engine.steps import Handoff, StepOutcome
from runtime.flow.schema import HumanNode, node_kind_label
from runtime.store.rows import RunRow, StepRow

SUMMARY_CHARS = 280
CLIP_VALUE = 200
CLIP_KEYS = 30


def build_packet(plan: Plan, node_id: str, context: dict[str, Any], history: list[StepRow],
                 outcome: StepOutcome, handoff: Handoff, stage: str,
                 due_at: str | None = None) -> dict[str, Any]:
    """The packet of a task opened when a step needs a person."""
    return _packet(
        plan, node_id, context.get("case") or {}, history, kind="review",
        proposal=handoff.proposal, ai=_ai_part(outcome), reason=handoff.reason,
        verdicts=[v.to_json() for v in outcome.verdicts],
        tips=_suggestions(handoff), allowed=handoff.allowed, options=handoff.options,
        editable=handoff.editable, stage=stage, due_at=due_at)


def unknown_outcome_packet(plan: Plan, node_id: str, run: RunRow, history: list[StepRow], *,
                           connector: str, key: str, changes: dict[str, Any], reason: str,
                           options: list[str], sends: int | None = None) -> dict[str, Any]:
    """The packet of a task opened when nobody can tell whether a record change landed
    (`sends`: how many times the change set had been sent when the person was asked)."""
    step = next((s for s in reversed(history) if s.node_id == node_id), None)
    tips = [f"check the record of case {run.case_id} in {connector}",
            "choose 'applied' if the change is there (nothing is sent again)",
            "choose 'resend' if it is not (it is sent again with the same idempotency key)"]
    packet = _packet(
        plan, node_id, run.context.get("case") or {}, history, kind="outcome_unknown",
        proposal=changes, ai=None, reason=reason,
        verdicts=list(step.verdicts or []) if step else [], tips=tips, allowed=["choose"],
        options=options, editable=[], stage=(step.autonomy or "") if step else "",
        due_at=None)
    packet["connector"] = {"name": connector, "idempotency_key": key, "sends": sends}
    return packet


def _packet(plan: Plan, node_id: str, case: dict[str, Any], history: list[StepRow], *,
            kind: str, proposal: dict[str, Any], ai: dict[str, Any] | None, reason: str,
            verdicts: list[dict[str, Any]], tips: list[str], allowed: list[str],
            options: list[str], editable: list[str], stage: str,
            due_at: str | None) -> dict[str, Any]:
    node = plan.nodes[node_id]
    timeout = node.timeout if isinstance(node, HumanNode) else None
    fired = [v for v in verdicts if v.get("outcome") != "pass"]
    return {
        "kind": kind,
        "node": {"id": node_id, "title": node.label(), "kind": node_kind_label(node)},
        "case_summary": case_summary(case, [f.name for f in plan.flow.case_fields]),
        "history": [_history_line(plan, s) for s in history if s.node_id != node_id
                    or s.status == "done"],
        "proposal": proposal,
        "ai": ai,
        "reason": reason,
        "guardrails": fired,
        "guardrail_hits": sum(1 for v in fired if v.get("outcome") in ("drop", "block")),
        "actions_taken": [
            {"node": s.node_id, "changes": s.changes} for s in history
            if s.changes and s.status == "done"
        ],
        "suggested_next_steps": tips,
        "allowed": allowed,
        "options": options,
        "editable": editable,
        "autonomy": stage,
        "due_at": due_at,
        "on_timeout": ({"branch": timeout.on, "approves": False} if timeout else None),
    }


def case_summary(case: dict[str, Any], order: list[str] | None = None) -> str:
    """`field: value` pairs in the order the flow declares its case fields (the stored case
    comes back with sorted keys), then any extra fields; the id is shown elsewhere."""
    names = [*(order or []), *sorted(k for k in case if k not in (order or []))]
    parts = [f"{k}: {case[k]}" for k in names
             if k in case and case[k] not in (None, "") and k != "id"]
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
    part = {
        "label": out.get("label"),
        "proposal": _clipped(out.get("proposal")),
        "confidence": out.get("confidence"),
        "probabilities": out.get("probabilities"),
        "confidence_kind": (outcome.model_call or {}).get("confidence_kind"),
        "model": (outcome.model_call or {}).get("model"),
    }
    if out.get("confidence_note"):  # why the confidence is below the probability shown
        part["confidence_note"] = out["confidence_note"]
    return part


def _clipped(values: Any) -> Any:
    """The model's raw proposal as a person can read it: long values and key floods cut."""
    if not isinstance(values, dict):
        return values
    shown: dict[str, Any] = {}
    for index, (key, value) in enumerate(values.items()):
        if index == CLIP_KEYS:
            shown["…"] = f"{len(values) - CLIP_KEYS} more keys"
            break
        text = value if isinstance(value, str) else None
        shown[str(key)[:CLIP_VALUE]] = (
            text[:CLIP_VALUE] + "…" if text is not None and len(text) > CLIP_VALUE else value)
    return shown


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
