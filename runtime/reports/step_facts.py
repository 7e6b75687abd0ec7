"""What one recorded step says, gathered for a person reading it.

The run inspector and the HTML export show the same facts, so both read them here rather
than each digging through the step's JSON columns. Nothing is invented: a fact the store
did not record is `None` (the views say "not recorded").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.store.rows import StepRow, TaskRow

#: Guardrail outcomes that stopped or changed what the AI wanted (shown as hits).
HIT_OUTCOMES = ("drop", "block", "hold", "held", "blocked", "dropped")


@dataclass(frozen=True)
class Verdict:
    rule: str
    field: str | None
    outcome: str
    reason: str
    hit: bool


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any
    before_known: bool  # False when the audit trail kept no row for this change


@dataclass(frozen=True)
class HumanDecision:
    decision: dict[str, Any]
    decided_by: str | None
    decided_at: str | None
    status: str


@dataclass(frozen=True)
class StepFacts:
    step: StepRow
    inputs: Any
    prompt: list[dict[str, str]] | None
    raw_reply: str | None
    parsed: Any
    probabilities: dict[str, float] | None
    confidence: float | None
    confidence_kind: str | None  # measured, self-reported, scripted…
    verdicts: list[Verdict]
    changes: list[Change]
    human: HumanDecision | None
    provider: str | None
    model: str | None
    attempts: int
    tokens_in: int | None
    tokens_out: int | None
    latency_ms: float | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def hits(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.hit]


#: Characters that reorder or hide text (bidi overrides, isolates, marks). Shown as visible
#: code points so a case cannot make "refund 100" read as something else.
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")


def visible_controls(text: str) -> str:
    """`text` with every bidi control character replaced by a visible `[U+XXXX]`."""
    if not any(ch in BIDI_CONTROLS for ch in text):
        return text
    return "".join(f"[U+{ord(ch):04X}]" if ch in BIDI_CONTROLS else ch for ch in text)


def is_hit(verdict: dict[str, Any]) -> bool:
    if verdict.get("hit") is True:
        return True
    return str(verdict.get("outcome", "")).lower() in HIT_OUTCOMES


def step_facts(step: StepRow, *, tasks: list[TaskRow] = (),  # type: ignore[assignment]
               audit: list[dict[str, Any]] = ()) -> StepFacts:  # type: ignore[assignment]
    """The facts of `step`; `tasks` and `audit` are the run's (matched to the step here)."""
    call = step.model_call if isinstance(step.model_call, dict) else {}
    output = step.output if isinstance(step.output, dict) else {}
    probabilities = output.get("probabilities")
    confidence = output.get("confidence")
    kind = output.get("confidence_kind") or call.get("confidence_kind")
    return StepFacts(
        step=step,
        inputs=step.inputs,
        prompt=call.get("prompt") if call else None,
        raw_reply=call.get("raw") if call else None,
        parsed=step.output,
        probabilities=({str(k): float(v) for k, v in probabilities.items()}
                       if isinstance(probabilities, dict) else None),
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        confidence_kind=str(kind) if kind else None,
        verdicts=[_verdict(v) for v in step.verdicts or [] if isinstance(v, dict)],
        changes=_changes(step, audit),
        human=_human(step, tasks),
        provider=call.get("provider"),
        model=call.get("model"),
        attempts=int(call.get("attempts", step.attempt) or step.attempt),
        tokens_in=call.get("tokens_in"),
        tokens_out=call.get("tokens_out"),
        latency_ms=call.get("latency_ms"),
        extra={"details": call.get("details")} if call.get("details") else {},
    )


def _verdict(raw: dict[str, Any]) -> Verdict:
    return Verdict(rule=str(raw.get("rule", "")),
                   field=None if raw.get("field") is None else str(raw["field"]),
                   outcome=str(raw.get("outcome", "")), reason=str(raw.get("reason", "")),
                   hit=is_hit(raw))


def _changes(step: StepRow, audit: list[dict[str, Any]]) -> list[Change]:
    """Record changes of the step, with the earlier value where the audit trail kept it."""
    if not isinstance(step.changes, dict) or not step.changes:
        return []
    before: dict[str, Any] = {}
    known = False
    for row in audit:
        if (row.get("kind") == "record.change" and row.get("node_id") == step.node_id
                and isinstance(row.get("before"), dict)):
            before = row["before"]
            known = True
    return [Change(field=str(name), before=before.get(name), after=value,
                   before_known=known)
            for name, value in step.changes.items()]


def _human(step: StepRow, tasks: list[TaskRow]) -> HumanDecision | None:
    for task in tasks:
        if task.step_id == step.id:
            return HumanDecision(decision=task.decision or {}, decided_by=task.decided_by,
                                 decided_at=task.decided_at, status=task.status)
    return None
