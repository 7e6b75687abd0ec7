"""What each kind of node does, as functions from (plan, node, run context) to an outcome.

Executors never touch the store or a connector: they return a `StepOutcome` saying what
was decided, which record changes it allows and where to go next — or that a person must
decide (`Handoff`). The runner journals the outcome before applying anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.engine.plan import Plan, flat_values, stage_for
from runtime.flow.conditions import describe
from runtime.flow.schema import (
    ActionNode,
    AnyNode,
    AssistNode,
    AutonomyStage,
    ClassifyNode,
    DecisionNode,
    EndNode,
    EnforceNode,
    HumanNode,
    Permission,
    StartNode,
)
from runtime.guardrails.policy import (
    Verdict,
    clean_confidence,
    envelope_verdicts,
    is_measured,
    review_action,
    review_proposal,
    route_classification,
)
from runtime.models import prompts
from runtime.models.base import (
    ChooseRequest,
    DraftRequest,
    ExtractRequest,
    ModelProvider,
    OptionSpec,
)
from runtime.nodes import registry as node_registry


@dataclass
class Handoff:
    """A person must decide before the run goes on."""

    reason: str
    allowed: list[str]
    proposal: dict[str, Any] = field(default_factory=dict)
    editable: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    due_hours: float | None = None


@dataclass
class StepOutcome:
    output: dict[str, Any] = field(default_factory=dict)
    next_node: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    model_call: dict[str, Any] | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    decision: dict[str, Any] = field(default_factory=dict)
    handoff: Handoff | None = None
    outcome: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepContext:
    plan: Plan
    run_id: str
    case_id: str
    context: dict[str, Any]
    stage: AutonomyStage
    provider_for: Any  # Callable[[AnyNode], ModelProvider]
    model_calls: int = 0  # calls (attempts included) this node already made in this run
    workspace: Path | None = None  # the run store's folder (providers keep caches there)


Executor = Callable[[Any, StepContext], StepOutcome]


def execute(node: AnyNode, ctx: StepContext) -> StepOutcome:
    key = ctx.plan.executor_keys.get(node.id) or node_registry.key_of(node)
    return executor_for(key)(node, ctx)


def executor_for(key: str) -> Executor:
    try:
        return EXECUTORS[key]
    except KeyError:
        raise LookupError(f"no executor is registered for node type '{key}'") from None


def register_executor(key: str, executor: Executor) -> None:
    """What a node kind does when a run reaches it, under its spec's key (runtime.nodes)."""
    EXECUTORS[key] = executor


def unregister_executor(key: str) -> None:
    EXECUTORS.pop(key, None)


def _start(node: StartNode, ctx: StepContext) -> StepOutcome:
    return StepOutcome(next_node=ctx.plan.follow(node.id), decision={"action": "start"})


def _end(node: EndNode, ctx: StepContext) -> StepOutcome:
    return StepOutcome(outcome=node.outcome, decision={"action": "end", "outcome": node.outcome})


def _decision(node: DecisionNode, ctx: StepContext) -> StepOutcome:
    edge = ctx.plan.branch(node.id, flat_values(ctx.context))
    why = "else" if edge.else_ else describe(edge.when) if edge.when else ""
    return StepOutcome(next_node=edge.target, output={"branch": edge.target},
                       decision={"action": "branch", "to": edge.target, "because": why})


def _classify(node: ClassifyNode, ctx: StepContext) -> StepOutcome:
    flow = ctx.plan.flow
    text = prompts.case_text(node, flow, ctx.context["case"])
    early = _before_model(node, ctx, text)
    if early is not None:
        return early
    request = ChooseRequest(
        node_id=node.id, case_id=ctx.case_id, text=text,
        messages=prompts.classify_messages(node, text),
        options=[OptionSpec(name=o.name, description=o.description, examples=o.examples)
                 for o in node.options],
        method=node.method, temperature=node.temperature,
        workspace=str(ctx.workspace) if ctx.workspace else None,
    )
    result = _provider(node, ctx).choose(request)
    names = [o.name for o in node.options]
    confidence = clean_confidence(result.confidence)
    probabilities = {k: round(v, 6) for k, v in result.probabilities.items()}
    output = {"label": result.label, "confidence": None if confidence is None
              else round(confidence, 6), "probabilities": probabilities,
              "confidence_kind": result.call.confidence_kind}
    verdicts = route_classification(confidence, node.guardrails, ctx.stage,
                                    measured=is_measured(result.call.confidence_kind))
    if result.note:  # why the confidence is lower than the probability shown
        output["confidence_note"] = result.note
        for verdict in verdicts:
            if verdict.rule == "confidence_band" and verdict.outcome != "pass":
                verdict.reason = f"{verdict.reason}: {result.note}"
    if result.label not in names:
        verdicts.insert(0, Verdict("shape", "block", None, (
            f"the model answered '{result.label}', which is not an option")))
    outcome = StepOutcome(output=output, model_call=result.call.model_dump(mode="json"),
                          verdicts=verdicts, inputs={"text": text})
    if all(v.outcome == "pass" for v in verdicts):
        outcome.next_node = ctx.plan.follow(node.id)
        outcome.decision = {"action": "classified", "label": result.label, "by": "ai"}
        return outcome
    blocked = [v for v in verdicts if v.outcome == "block"]
    if _named_fallback(node, ctx) and blocked:
        return _fallback(node, ctx, outcome, blocked[0].reason)
    outcome.handoff = Handoff(
        reason=_reasons(verdicts), allowed=["approve", "choose"] if result.label in names
        else ["choose"], proposal={"label": result.label} if result.label in names else {},
        options=names)
    return outcome


def _assist(node: AssistNode, ctx: StepContext) -> StepOutcome:
    flow = ctx.plan.flow
    text = prompts.case_text(node, flow, ctx.context["case"])
    early = _before_model(node, ctx, text)
    if early is not None:
        return early
    knowledge = prompts.retrieve(node.knowledge, ctx.plan.loaded.base_dir, text)
    request = DraftRequest(node_id=node.id, case_id=ctx.case_id, text=text,
                           messages=prompts.assist_messages(node, text, knowledge),
                           max_words=node.max_words)
    result = _provider(node, ctx).draft(request)
    return StepOutcome(output={"draft": result.text}, next_node=ctx.plan.follow(node.id),
                       model_call=result.call.model_dump(mode="json"),
                       decision={"action": "drafted", "words": len(result.text.split())},
                       inputs={"text": text, "knowledge": knowledge})


def _enforce(node: EnforceNode, ctx: StepContext) -> StepOutcome:
    flow = ctx.plan.flow
    rails = node.guardrails
    text = prompts.case_text(node, flow, ctx.context["case"])
    early = _before_model(node, ctx, text)
    if early is not None:
        return early
    fields = [f for f, p in rails.fields.items() if p is not Permission.deny]
    retries = max(0, min(rails.retries, rails.max_calls - ctx.model_calls - 1))
    request = ExtractRequest(
        node_id=node.id, case_id=ctx.case_id, text=text, fields=fields,
        messages=prompts.enforce_messages(node, flow, text, fields),
        json_schema=proposal_schema(flow, fields), retries=retries,
    )
    result = _provider(node, ctx).extract(request)
    review = review_proposal(result.values, flow=flow, rails=rails, stage=ctx.stage,
                             confidence=result.confidence,
                             field_confidence=result.field_confidence,
                             measured=is_measured(result.call.confidence_kind))
    review.verdicts[:0] = envelope_verdicts(result.call.raw)
    output = {"proposal": _jsonable(result.values),
              "confidence": clean_confidence(result.confidence),
              "applied": not review.needs_person and bool(review.apply),
              "guardrail_hits": len(review.hits)}
    outcome = StepOutcome(output=output, model_call=result.call.model_dump(mode="json"),
                          verdicts=review.verdicts, inputs={"text": text})
    if review.band == "low" and _named_fallback(node, ctx):
        return _fallback(node, ctx, outcome, f"confidence below the suggest band "
                                             f"({rails.bands.suggest})")
    return _settle_review(node, ctx, outcome, review, by="ai")


def _human(node: HumanNode, ctx: StepContext) -> StepOutcome:
    allowed = list(node.decisions) + (["edit"] if node.editable_fields else [])
    return StepOutcome(
        inputs={"assignee": node.assignee},
        handoff=Handoff(reason=node.instructions or f"waiting for {node.assignee}",
                        allowed=allowed, editable=list(node.editable_fields),
                        options=list(node.decisions),
                        due_hours=node.timeout.hours if node.timeout else None))


def _action(node: ActionNode, ctx: StepContext) -> StepOutcome:
    values = flat_values(ctx.context)
    changes: dict[str, Any] = dict(node.set)
    missing = [ref for ref in node.copy_from.values() if values.get(ref) in (None, "")]
    for target, ref in node.copy_from.items():
        if ref not in missing:
            changes[target] = values[ref]
    if missing:
        return _missing_data(node, ctx, f"nothing to copy from {', '.join(missing)}",
                             proposal=changes, editable=sorted(node.copy_from))
    review = review_action(changes, flow=ctx.plan.flow, rails=node.guardrails,
                           stage=ctx.stage)
    outcome = StepOutcome(verdicts=review.verdicts, inputs={"changes": changes})
    return _settle_review(node, ctx, outcome, review, by="flow")


def _settle_review(node: Any, ctx: StepContext, outcome: StepOutcome, review: Any,
                   *, by: str) -> StepOutcome:
    """Apply what the review let through, or hand the whole change set to a person (a step
    writes all of its changes or none), with the proposal prefilled."""
    if review.needs_person:
        outcome.handoff = Handoff(reason=_reasons(review.verdicts),
                                  allowed=["approve", "edit", "reject"],
                                  proposal={**review.apply, **review.hold},
                                  editable=sorted({*review.apply, *review.hold,
                                                   *review.blocked}))
        return outcome
    outcome.changes = review.apply
    outcome.next_node = ctx.plan.follow(node.id)
    outcome.decision = {"action": "applied" if review.apply else "nothing_to_apply",
                        "fields": sorted(review.apply), "by": by}
    return outcome


def _before_model(node: Any, ctx: StepContext, text: str) -> StepOutcome | None:
    """What happens instead of a model call: missing input, or the node's call cap."""
    if not text.strip():
        return _missing_data(node, ctx, "the case has no text for this node to read")
    rails = node.guardrails
    if ctx.model_calls >= rails.max_calls:
        verdict = Verdict("max_calls", "block", None, (
            f"this node already made {ctx.model_calls} model call(s) in this run "
            f"(limit {rails.max_calls})"))
        return StepOutcome(verdicts=[verdict], decision={"action": "call_limit"},
                           handoff=_person_for(node, verdict.reason))
    return None


def _named_fallback(node: Any, ctx: StepContext) -> bool:
    """A low confidence follows a named branch only outside observe (where a person decides
    every route anyway) and only when the flow names one."""
    return node.guardrails.fallback != "human" and ctx.stage is not AutonomyStage.observe


def _fallback(node: Any, ctx: StepContext, outcome: StepOutcome, why: str) -> StepOutcome:
    outcome.next_node = ctx.plan.follow(node.id, node.guardrails.fallback)
    outcome.decision = {"action": "fallback", "to": outcome.next_node, "because": why}
    return outcome


def _reasons(verdicts: list[Verdict]) -> str:
    reasons = [v.reason for v in verdicts if v.outcome in ("hold", "block")]
    return "; ".join(dict.fromkeys(reasons)) or "a person must confirm"


def _person_for(node: Any, reason: str, proposal: dict[str, Any] | None = None,
                editable: list[str] | None = None) -> Handoff:
    """A handoff shaped by the kind of node: a classification is chosen, a change set is
    approved, edited or rejected (approve and reject both go on; reject writes nothing)."""
    options = [o.name for o in getattr(node, "options", [])]
    if options:
        return Handoff(reason=reason, allowed=["choose"], options=options)
    if editable is None:
        rails = getattr(node, "guardrails", None)
        editable = sorted(f for f, p in rails.fields.items()
                          if p is not Permission.deny) if rails else []
    allowed = ["approve", "edit", "reject"] if editable else ["approve", "reject"]
    return Handoff(reason=reason, allowed=allowed, proposal=proposal or {},
                   editable=editable)


def _missing_data(node: Any, ctx: StepContext, why: str,
                  proposal: dict[str, Any] | None = None,
                  editable: list[str] | None = None) -> StepOutcome:
    """The node's `on_missing_data`: hand to a person (default), fail the run, or go on
    without this step's contribution."""
    policy = node.guardrails.on_missing_data
    verdict = Verdict("missing_data", "hold" if policy == "human" else "pass", None, why)
    if policy == "continue":
        return StepOutcome(next_node=ctx.plan.follow(node.id), verdicts=[verdict],
                           decision={"action": "skipped", "because": why})
    if policy == "fail":
        raise MissingData(why)
    return StepOutcome(verdicts=[verdict], decision={"action": "missing_data"},
                       handoff=_person_for(node, f"missing data: {why}", proposal, editable))


def _jsonable(value: Any) -> Any:
    """The model's proposal as stored: non-finite numbers become their names ("nan",
    "inf") so every `--json` output stays valid JSON; the guardrails saw the real values."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class MissingData(Exception):
    pass


def _provider(node: Any, ctx: StepContext) -> ModelProvider:
    provider: ModelProvider = ctx.provider_for(node)
    return provider


def proposal_schema(flow: Any, fields: list[str]) -> dict[str, Any]:
    """JSON schema of the reply an enforce node asks for (constrains decoding; is not a
    guardrail — every value is checked again after it arrives)."""
    props: dict[str, Any] = {}
    for name in fields:
        spec = flow.record_field(name)
        if spec is None:
            continue
        kind = {"string": "string", "number": "number", "integer": "integer",
                "boolean": "boolean", "enum": "string"}[spec.type.value]
        props[name] = {"type": kind, **({"enum": spec.values} if spec.values else {})}
    return {
        "type": "object",
        "properties": {
            "values": {"type": "object", "properties": props, "additionalProperties": False},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["values", "confidence"],
    }


# Keyed like the node specs in runtime.nodes (a test checks every spec has one).
EXECUTORS: dict[str, Executor] = {
    "start": _start, "end": _end, "decision": _decision, "ai.classify": _classify,
    "ai.assist": _assist, "ai.enforce": _enforce, "human": _human, "action": _action,
}


def stage_of(plan: Plan, node: AnyNode, run_override: str | None) -> AutonomyStage:
    return stage_for(plan, node, run_override)
