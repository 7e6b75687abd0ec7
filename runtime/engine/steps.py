"""What each kind of node does, as functions from (plan, node, run context) to an outcome.

Executors never touch the store or a connector: they return a `StepOutcome` saying what
was decided, which record changes it allows and where to go next — or that a person must
decide (`Handoff`). The runner journals the outcome before applying anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    limit_problem,
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


def execute(node: AnyNode, ctx: StepContext) -> StepOutcome:
    executor = EXECUTORS[type(node)]
    return executor(node, ctx)  # type: ignore[operator]


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
    if not text.strip():
        return _missing_data(node, ctx, "the case has no text for this node to read")
    request = ChooseRequest(
        node_id=node.id, case_id=ctx.case_id, text=text,
        messages=prompts.classify_messages(node, text),
        options=[OptionSpec(name=o.name, description=o.description, examples=o.examples)
                 for o in node.options],
        method=node.method, temperature=node.temperature,
    )
    result = _provider(node, ctx).choose(request)
    probabilities = {k: round(v, 6) for k, v in result.probabilities.items()}
    output = {"label": result.label, "confidence": round(result.confidence, 6),
              "probabilities": probabilities, "confidence_kind": result.call.confidence_kind}
    verdict = route_classification(result.confidence, node.guardrails, ctx.stage)
    outcome = StepOutcome(output=output, model_call=result.call.model_dump(mode="json"),
                          verdicts=[verdict], inputs={"text": text})
    if verdict.outcome == "pass":
        outcome.next_node = ctx.plan.follow(node.id)
        outcome.decision = {"action": "classified", "label": result.label, "by": "ai"}
        return outcome
    if verdict.outcome == "block" and node.guardrails.fallback != "human":
        outcome.next_node = ctx.plan.follow(node.id, node.guardrails.fallback)
        outcome.decision = {"action": "fallback", "to": outcome.next_node,
                            "because": verdict.reason}
        return outcome
    names = [o.name for o in node.options]
    outcome.handoff = Handoff(reason=verdict.reason, allowed=["approve", "choose"],
                              proposal={"label": result.label}, options=names)
    return outcome


def _assist(node: AssistNode, ctx: StepContext) -> StepOutcome:
    flow = ctx.plan.flow
    text = prompts.case_text(node, flow, ctx.context["case"])
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
    text = prompts.case_text(node, flow, ctx.context["case"])
    fields = [f for f, p in node.guardrails.fields.items() if p is not Permission.deny]
    request = ExtractRequest(
        node_id=node.id, case_id=ctx.case_id, text=text, fields=fields,
        messages=prompts.enforce_messages(node, flow, text, fields),
        json_schema=proposal_schema(flow, fields), retries=node.guardrails.retries,
    )
    result = _provider(node, ctx).extract(request)
    review = review_proposal(result.values, flow=flow, rails=node.guardrails, stage=ctx.stage,
                             confidence=result.confidence,
                             field_confidence=result.field_confidence)
    output = {"proposal": result.values, "confidence": result.confidence,
              "applied": not review.needs_person and bool(review.apply)}
    outcome = StepOutcome(output=output, model_call=result.call.model_dump(mode="json"),
                          verdicts=review.verdicts, inputs={"text": text})
    if review.needs_person:
        reasons = "; ".join(dict.fromkeys(review.hold_reasons())) or "a person must confirm"
        outcome.handoff = Handoff(reason=reasons, allowed=["approve", "edit", "reject"],
                                  proposal={**review.apply, **review.hold},
                                  editable=sorted({*review.apply, *review.hold}))
        return outcome
    outcome.changes = review.apply
    outcome.next_node = ctx.plan.follow(node.id)
    outcome.decision = {"action": "applied" if review.apply else "nothing_to_apply",
                        "fields": sorted(review.apply), "by": "ai"}
    return outcome


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
    for target, ref in node.copy_from.items():
        if ref in values:
            changes[target] = values[ref]
    verdicts = []
    for name, value in changes.items():
        spec = ctx.plan.flow.record_field(name)
        problem = limit_problem(value, spec, node.guardrails.limits.get(name)) if spec else (
            f"'{name}' is not a record field")
        verdicts.append(Verdict("value_limit", "block" if problem else "pass", name,
                                problem or "within limits"))
    outcome = StepOutcome(verdicts=verdicts, inputs={"changes": changes})
    blocked = [v for v in verdicts if v.outcome == "block"]
    needs_person = blocked or node.guardrails.confirm or ctx.stage is AutonomyStage.observe
    if needs_person:
        reason = ("; ".join(v.reason for v in blocked) or
                  ("this action always needs a person to confirm" if node.guardrails.confirm
                   else "observe stage: every change waits for a person"))
        ok = {k: v for k, v in changes.items() if not any(b.field == k for b in blocked)}
        outcome.handoff = Handoff(reason=reason, allowed=["approve", "edit", "reject"],
                                  proposal=ok, editable=sorted(changes))
        return outcome
    outcome.changes = changes
    outcome.next_node = ctx.plan.follow(node.id)
    outcome.decision = {"action": "applied", "fields": sorted(changes), "by": "flow"}
    return outcome


def _missing_data(node: Any, ctx: StepContext, why: str) -> StepOutcome:
    policy = node.guardrails.on_missing_data
    if policy == "continue":
        return StepOutcome(next_node=ctx.plan.follow(node.id),
                           decision={"action": "skipped", "because": why})
    if policy == "fail":
        raise MissingData(why)
    options = [o.name for o in getattr(node, "options", [])]
    return StepOutcome(handoff=Handoff(reason=f"missing data: {why}", allowed=["choose"],
                                       options=options))


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


EXECUTORS = {
    StartNode: _start, EndNode: _end, DecisionNode: _decision, ClassifyNode: _classify,
    AssistNode: _assist, EnforceNode: _enforce, HumanNode: _human, ActionNode: _action,
}


def stage_of(plan: Plan, node: AnyNode, run_override: str | None) -> AutonomyStage:
    return stage_for(plan, node, run_override)
