"""Deciding, in code, what happens to a model's output.

Assume the model is compromised. A proposal is only ever a set of candidate values; this
module decides per field whether it is applied, held for a person, or dropped, using the
node's field matrix, value limits, confidence bands and the autonomy stage in force. No
stage widens a guardrail: the stage only chooses, among what the guardrails allow, how
much goes through without a person.

Rules, in the order they are checked for each proposed key:

1. a key that claims authority (`approved`, `confidence`, `human_confirmed`, …) is dropped;
2. a key that is not exactly a declared record field is dropped (no case folding, no
   Unicode normalisation, no paths such as `record.status`);
3. a field the matrix does not `allow` or `suggest` (unlisted means deny) is dropped;
4. a value of the wrong type or outside the limits is blocked: never written, a person
   decides; so is JSON smuggled into a text field;
5. a `suggest` field, a low or middling confidence, the observe stage, and (in copilot) an
   unbounded field are held for a person, prefilled;
6. anything left is applied.

Dropped and blocked values are guardrail *hits*; every verdict is stored with the step and
on the audit trail.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from runtime.flow.schema import (
    AutonomyStage,
    FieldType,
    Flow,
    Guardrails,
    Permission,
    RecordField,
)
from runtime.guardrails.limits import coerce, embedded_data, limit_problem, short

# Keys a model might use to vouch for itself. Never accepted from model output, even if a
# flow declared a record field of that name: authority comes from the flow and from people.
AUTHORITY_KEYS = frozenset({
    "approved", "approve", "approval", "approved_by", "confirmed", "human_confirmed",
    "human_approved", "human_review", "reviewed", "confidence", "field_confidence",
    "authorized", "authorised", "override", "bypass", "autonomy", "guardrails", "decided_by",
})
# At most this many rejected keys get a verdict each; the rest are summed up in one.
MAX_KEY_VERDICTS = 50

HIT_OUTCOMES = ("drop", "block")


@dataclass
class Verdict:
    """One guardrail's judgement, stored on the step and in the audit trail."""

    rule: str
    outcome: str  # "pass" | "hold" | "drop" | "block"
    field: str | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "outcome": self.outcome, "field": self.field,
                "reason": self.reason, "hit": self.is_hit}

    @property
    def is_hit(self) -> bool:
        return self.outcome in HIT_OUTCOMES


@dataclass
class ProposalReview:
    """A proposal split by the guardrails. `blocked` names fields whose value was refused
    (a person may set them by editing); dropped fields are gone for good."""

    apply: dict[str, Any] = field(default_factory=dict)
    hold: dict[str, Any] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    band: str = "act"

    @property
    def needs_person(self) -> bool:
        """Held values, and any limit breach: a breach never writes and goes to a person."""
        return bool(self.hold) or any(v.outcome in ("hold", "block") for v in self.verdicts)

    def hold_reasons(self) -> list[str]:
        return [v.reason for v in self.verdicts if v.outcome in ("hold", "block")]

    @property
    def hits(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.is_hit]


SELF_REPORTED_HOLD = ("copilot stage: the model only self-reported its confidence (no "
                      "measured probability), so a person confirms")


def is_measured(confidence_kind: str | None) -> bool:
    """Whether a confidence is a measured probability. A model's own claim ("confidence:
    0.95") is not one, so in copilot it never counts as reaching the act band; scripted
    answers stand in for measured ones in tests and demos."""
    return confidence_kind in ("measured", "scripted")


def clean_confidence(value: Any) -> float | None:
    """A usable probability, or None: non-numbers, NaN, infinities and values outside
    [0, 1] are not confidences, whatever the model says."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0.0 or number > 1.0:
        return None
    return number


def band_of(confidence: float | None, rails: Guardrails) -> str:
    """"act", "suggest" or "low"; an unknown or invalid confidence is always low."""
    value = clean_confidence(confidence)
    if value is None:
        return "low"
    if value >= rails.bands.act:
        return "act"
    if value >= rails.bands.suggest:
        return "suggest"
    return "low"


def route_classification(confidence: float | None, rails: Guardrails,
                         stage: AutonomyStage, *, measured: bool = True) -> list[Verdict]:
    """May a classification route the run on its own? (All verdicts pass → yes.)

    Below the suggest band the verdict blocks: the node's fallback applies (a person, or a
    named branch). In the suggest band a person confirms. In observe a person decides every
    route; `confirm` makes a person decide every route too.
    """
    band = band_of(confidence, rails)
    shown = _pct(confidence)
    verdicts = []
    if band == "low":
        verdicts.append(Verdict("confidence_band", "block", reason=(
            f"confidence {shown} is below the suggest band ({rails.bands.suggest})")))
    elif band == "suggest":
        verdicts.append(Verdict("confidence_band", "hold", reason=(
            f"confidence {shown} is below the act band ({rails.bands.act})")))
    elif stage is AutonomyStage.copilot and not measured:
        verdicts.append(Verdict("confidence_band", "hold", reason=SELF_REPORTED_HOLD))
    else:
        verdicts.append(Verdict("confidence_band", "pass",
                                reason=f"confidence {shown} is in the act band"))
    if stage is AutonomyStage.observe:
        verdicts.append(Verdict("autonomy", "hold",
                                reason="observe stage: a person decides every route"))
    if rails.confirm:
        verdicts.append(Verdict("confirm", "hold",
                                reason="this step always needs a person to confirm"))
    return verdicts


def review_proposal(
    values: Any, *, flow: Flow, rails: Guardrails, stage: AutonomyStage,
    confidence: float | None, field_confidence: dict[str, float] | None = None,
    measured: bool = True,
) -> ProposalReview:
    """Split a proposed change set into applied / held / blocked / dropped, with a verdict
    for each key (see the module docstring for the rules)."""
    review = ProposalReview(band=band_of(confidence, rails))
    if review.band == "act" and stage is AutonomyStage.copilot and not measured:
        review.band = "suggest"
    if not isinstance(values, dict):
        review.verdicts.append(Verdict("shape", "block", reason="proposal is not a mapping"))
        return review
    rejected = 0
    for key, value in values.items():
        own = (field_confidence or {}).get(key) if isinstance(key, str) else None
        before = len(review.verdicts)
        _review_field(review, key, value, flow=flow, rails=rails, stage=stage,
                      confidence=_field_confidence(confidence, own), measured=measured)
        added = review.verdicts[before:]
        if added and added[-1].outcome == "drop":
            rejected += 1
            if rejected > MAX_KEY_VERDICTS:
                del review.verdicts[before:]
    if rejected > MAX_KEY_VERDICTS:
        review.verdicts.append(Verdict("field_matrix", "drop", None, (
            f"{rejected - MAX_KEY_VERDICTS} more keys that are not writable were dropped")))
    if rails.confirm and review.apply:
        review.hold.update(review.apply)
        review.apply.clear()
        review.verdicts.append(Verdict("confirm", "hold",
                                       reason="this step always needs a person to confirm"))
    return review


def _field_confidence(step: float | None, own: Any) -> float | None:
    """A per-field confidence may lower the step's confidence, never raise it."""
    step_value = clean_confidence(step)
    if own is None:
        return step_value
    own_value = clean_confidence(own)
    if step_value is None or own_value is None:
        return None
    return min(step_value, own_value)


def _review_field(review: ProposalReview, key: Any, value: Any, *, flow: Flow,
                  rails: Guardrails, stage: AutonomyStage, confidence: float | None,
                  measured: bool = True) -> None:
    name = key if isinstance(key, str) else repr(key)
    spec = _writable(review, name, flow, rails)
    if spec is None:
        return
    problem = limit_problem(value, spec, rails.limits.get(name))
    if problem is None and spec.type is FieldType.string and embedded_data(value):
        review.blocked.append(name)
        review.verdicts.append(Verdict("embedded_data", "block", name, (
            f"the text for '{name}' is itself JSON data; it is not written without a person")))
        return
    if problem:
        review.blocked.append(name)
        review.verdicts.append(Verdict("value_limit", "block", name, problem))
        return
    value = coerce(value, spec)
    reason = _hold_reason(spec, rails, stage, band_of(confidence, rails), measured)
    if reason is not None:
        rule, why = reason
        review.hold[name] = value
        review.verdicts.append(Verdict(rule, "hold", name, why))
        return
    review.apply[name] = value
    review.verdicts.append(Verdict("field_matrix", "pass", name, f"'{name}' may be written"))


def _writable(review: ProposalReview, name: str, flow: Flow,
              rails: Guardrails) -> RecordField | None:
    """The record field `name` names, if the AI may propose a value for it at all."""
    if name in AUTHORITY_KEYS:
        review.verdicts.append(Verdict("authority", "drop", short(name), (
            f"'{short(name)}' in model output cannot grant itself authority; ignored")))
        return None
    spec = flow.record_field(name)
    if spec is None:
        review.verdicts.append(Verdict("field_matrix", "drop", short(name), (
            f"'{short(name)}' is not a declared record field (names must match exactly)")))
        return None
    if rails.fields.get(name, Permission.deny) is Permission.deny:
        review.verdicts.append(Verdict("field_matrix", "drop", name,
                                       f"the AI may not write '{name}'"))
        return None
    return spec


def _hold_reason(spec: RecordField, rails: Guardrails, stage: AutonomyStage,
                 band: str, measured: bool = True) -> tuple[str, str] | None:
    name = spec.name
    if rails.fields.get(name) is Permission.suggest:
        return "field_matrix", f"'{name}' is suggest-only: a person confirms it"
    if band == "low":
        return "confidence_band", (f"confidence for '{name}' is below the suggest band "
                                   f"({rails.bands.suggest})")
    if stage is AutonomyStage.observe:
        return "autonomy", "observe stage: every change waits for a person"
    if band == "suggest":
        return "confidence_band", (f"confidence for '{name}' is below the act band "
                                   f"({rails.bands.act})")
    if stage is AutonomyStage.copilot and not measured:
        return "confidence_band", SELF_REPORTED_HOLD
    if stage is AutonomyStage.copilot and not low_risk(spec, rails):
        return "autonomy", (f"copilot stage: '{name}' has no limit, so a person "
                            "confirms it (operate would apply it)")
    return None


def low_risk(spec: RecordField, rails: Guardrails) -> bool:
    """Copilot lets through only changes whose every possible value is bounded: enums and
    booleans, and numbers or text that carry a limit."""
    if spec.type in (FieldType.enum, FieldType.boolean):
        return True
    return spec.name in rails.limits


def review_action(changes: dict[str, Any], *, flow: Flow, rails: Guardrails,
                  stage: AutonomyStage) -> ProposalReview:
    """The values an action node would write. The flow author wrote them (or named where
    to copy them from), so no confidence applies; limits do, a declared field matrix does
    (an action without one writes what its author set), `confirm` and observe hold all."""
    review = ProposalReview()
    for name, value in changes.items():
        spec = flow.record_field(name)
        if spec is None:
            review.verdicts.append(Verdict("field_matrix", "drop", name,
                                           f"'{name}' is not a record field"))
            continue
        permission = rails.fields.get(name, Permission.deny) if rails.fields else (
            Permission.allow)
        if permission is Permission.deny:
            review.verdicts.append(Verdict("field_matrix", "drop", name,
                                           f"this action may not write '{name}'"))
            continue
        problem = limit_problem(value, spec, rails.limits.get(name))
        if problem:
            review.blocked.append(name)
            review.verdicts.append(Verdict("value_limit", "block", name, problem))
            continue
        value = coerce(value, spec)
        if permission is Permission.suggest:
            review.hold[name] = value
            review.verdicts.append(Verdict("field_matrix", "hold", name,
                                           f"'{name}' is suggest-only: a person confirms it"))
        elif stage is AutonomyStage.observe:
            review.hold[name] = value
            review.verdicts.append(Verdict("autonomy", "hold", name,
                                           "observe stage: every change waits for a person"))
        else:
            review.apply[name] = value
            review.verdicts.append(Verdict("value_limit", "pass", name, "within limits"))
    if rails.confirm and (review.apply or review.hold):
        review.hold.update(review.apply)
        review.apply.clear()
        review.verdicts.append(Verdict("confirm", "hold",
                                       reason="this action always needs a person to confirm"))
    return review


# What a structured reply may hold besides the proposed values.
ENVELOPE = frozenset({"values", "confidence", "field_confidence"})
# A scripted answer wraps the model's reply text in `raw`.
SCRIPTED_WRAPPER = frozenset({"raw", "confidence", "field_confidence", "error", "delay_ms"})


def envelope_verdicts(raw_reply: str) -> list[Verdict]:
    """Keys a model put next to its proposal (`{"values": …, "approved": true}`). The
    provider never passes them on, but the attempt is still a guardrail hit."""
    body = _json_object(raw_reply)
    if body is not None and isinstance(body.get("raw"), str) and set(body) <= SCRIPTED_WRAPPER:
        body = _json_object(body["raw"])
    if body is None or "values" not in body:
        return []
    return [Verdict("authority", "drop", short(str(key)), (
        f"'{short(str(key))}' next to the proposal in the model's reply is ignored"))
        for key in body if key not in ENVELOPE]


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _pct(confidence: float | None) -> str:
    value = clean_confidence(confidence)
    return "unknown" if value is None else f"{value:.2f}"
