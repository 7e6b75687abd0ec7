"""Deciding, in code, what happens to a model's output.

Assume the model is compromised. A proposal is only ever a set of candidate values; this
module decides per field whether it is applied, held for a person, or dropped, using the
node's field matrix, value limits, confidence bands and the autonomy stage in force. No
stage widens a guardrail: the stage only chooses, among what the guardrails allow, how
much goes through without a person.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from runtime.flow.schema import (
    AutonomyStage,
    FieldType,
    Flow,
    Guardrails,
    Limit,
    Permission,
    RecordField,
)

MAX_TEXT = 10_000


@dataclass
class Verdict:
    """One guardrail's judgement, stored on the step and in the audit trail."""

    rule: str
    outcome: str  # "pass" | "hold" | "drop" | "block"
    field: str | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "outcome": self.outcome, "field": self.field,
                "reason": self.reason}

    @property
    def is_hit(self) -> bool:
        return self.outcome in ("drop", "block")


@dataclass
class ProposalReview:
    apply: dict[str, Any] = field(default_factory=dict)
    hold: dict[str, Any] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def needs_person(self) -> bool:
        """Held values, and any limit breach: a breach never writes and goes to a person."""
        return bool(self.hold) or any(v.outcome in ("hold", "block") for v in self.verdicts)

    def hold_reasons(self) -> list[str]:
        return [v.reason for v in self.verdicts if v.outcome in ("hold", "block")]


def band_of(confidence: float | None, rails: Guardrails) -> str:
    """"act", "suggest" or "low"; an unknown or non-finite confidence is always low."""
    if confidence is None or not math.isfinite(confidence):
        return "low"
    if confidence >= rails.bands.act:
        return "act"
    if confidence >= rails.bands.suggest:
        return "suggest"
    return "low"


def route_classification(confidence: float, rails: Guardrails,
                         stage: AutonomyStage) -> Verdict:
    """May a classification route the run on its own?

    observe: never (a person decides; the AI's answer is shadow data).
    copilot and operate: only in the act band; the suggest band goes to a person with the
    AI's answer prefilled; below it the node's fallback applies.
    """
    band = band_of(confidence, rails)
    if band == "low":
        return Verdict("confidence_band", "block", reason=(
            f"confidence {confidence:.2f} is below the suggest band ({rails.bands.suggest})"))
    if stage is AutonomyStage.observe:
        return Verdict("autonomy", "hold", reason="observe stage: a person decides every route")
    if band == "suggest":
        return Verdict("confidence_band", "hold", reason=(
            f"confidence {confidence:.2f} is below the act band ({rails.bands.act})"))
    return Verdict("confidence_band", "pass", reason=f"confidence {confidence:.2f} in act band")


def review_proposal(
    values: Any, *, flow: Flow, rails: Guardrails, stage: AutonomyStage,
    confidence: float | None, field_confidence: dict[str, float] | None = None,
) -> ProposalReview:
    """Split a proposed change set into applied / held / dropped, with a verdict for each."""
    review = ProposalReview()
    if not isinstance(values, dict):
        review.verdicts.append(Verdict("shape", "block", reason="proposal is not a mapping"))
        return review
    for key, value in values.items():
        _review_field(review, key, value, flow=flow, rails=rails, stage=stage,
                      confidence=(field_confidence or {}).get(key, confidence))
    if rails.confirm and review.apply:
        review.hold.update(review.apply)
        review.apply.clear()
        review.verdicts.append(Verdict("confirm", "hold",
                                       reason="this step always needs a person to confirm"))
    return review


def _review_field(review: ProposalReview, key: Any, value: Any, *, flow: Flow,
                  rails: Guardrails, stage: AutonomyStage, confidence: float | None) -> None:
    spec = flow.record_field(key) if isinstance(key, str) else None
    name = key if isinstance(key, str) else repr(key)
    permission = rails.fields.get(name, Permission.deny) if spec else Permission.deny
    if spec is None:
        review.verdicts.append(Verdict("field_matrix", "drop", name,
                                       f"'{_short(name)}' is not a declared record field"))
        return
    if permission is Permission.deny:
        review.verdicts.append(Verdict("field_matrix", "drop", name,
                                       f"the AI may not write '{name}'"))
        return
    problem = limit_problem(value, spec, rails.limits.get(name))
    if problem:
        review.verdicts.append(Verdict("value_limit", "block", name, problem))
        return
    value = coerce(value, spec)
    band = band_of(confidence, rails)
    if permission is Permission.suggest:
        review.hold[name] = value
        review.verdicts.append(Verdict("field_matrix", "hold", name,
                                       f"'{name}' is suggest-only: a person confirms it"))
    elif band == "low":
        review.verdicts.append(Verdict("confidence_band", "drop", name,
                                       f"confidence below the suggest band for '{name}'"))
    elif stage is AutonomyStage.observe:
        review.hold[name] = value
        review.verdicts.append(Verdict("autonomy", "hold", name,
                                       "observe stage: every change waits for a person"))
    elif band == "suggest" :
        review.hold[name] = value
        review.verdicts.append(Verdict("confidence_band", "hold", name,
                                       f"confidence below the act band for '{name}'"))
    elif stage is AutonomyStage.copilot and not _low_risk(spec, rails):
        review.hold[name] = value
        review.verdicts.append(Verdict("autonomy", "hold", name,
                                       f"copilot stage: '{name}' is not low-risk"))
    else:
        review.apply[name] = value
        review.verdicts.append(Verdict("field_matrix", "pass", name, f"'{name}' allowed"))


def _low_risk(spec: RecordField, rails: Guardrails) -> bool:
    """Copilot lets through only changes whose every possible value is bounded: enums and
    booleans, and numbers or text that carry a limit."""
    if spec.type in (FieldType.enum, FieldType.boolean):
        return True
    return spec.name in rails.limits


def limit_problem(value: Any, spec: RecordField, limit: Limit | None) -> str | None:
    """Why `value` may not be written to `spec`, or None."""
    name = spec.name
    if value is None:
        return f"'{name}': no value given"
    if spec.type in (FieldType.number, FieldType.integer):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"'{name}' must be a number, got {_short(repr(value))}"
        if not math.isfinite(float(value)):
            return f"'{name}' must be a finite number, got {value}"
        if spec.type is FieldType.integer and float(value) != int(value):
            return f"'{name}' must be a whole number, got {value}"
    elif spec.type is FieldType.boolean:
        if not isinstance(value, bool):
            return f"'{name}' must be true or false, got {_short(repr(value))}"
    elif not isinstance(value, str):
        return f"'{name}' must be text, got {_short(repr(value))}"
    if spec.type is FieldType.enum and value not in (spec.values or []):
        return f"'{_short(str(value))}' is not one of the values of '{name}'"
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return f"'{name}' is {len(value):,} characters long (over {MAX_TEXT:,})"
    if limit is None:
        return None
    return _check_limit(name, value, limit)


def _check_limit(name: str, value: Any, limit: Limit) -> str | None:
    if limit.values is not None and value not in limit.values:
        return f"'{_short(str(value))}' is not an allowed value for '{name}'"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if limit.min is not None and value < limit.min:
            return f"'{name}' = {value} is below the minimum {limit.min:g}"
        if limit.max is not None and value > limit.max:
            return f"'{name}' = {value} is above the maximum {limit.max:g}"
    if isinstance(value, str):
        if limit.max_length is not None and len(value) > limit.max_length:
            return f"'{name}' is longer than {limit.max_length} characters"
        if limit.pattern is not None and re.fullmatch(limit.pattern, value) is None:
            return f"'{name}' does not match the required pattern"
    return None


def coerce(value: Any, spec: RecordField) -> Any:
    if spec.type is FieldType.integer and isinstance(value, float):
        return int(value)
    return value


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
