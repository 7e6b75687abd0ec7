""""Try one step": run a single AI step on one case, outside any run.

The fastest loop for an analyst tuning a step's options, examples and bands is to ask the
model once and read what came back — the prompt, the raw answer, the probabilities and the
guardrails' verdicts — without starting a run. So a trial takes no store and no connector:
it compiles the flow text it is given, calls the step's executor with a throwaway run
context and returns what the executor decided. Nothing is journaled, no record changes are
applied, no audit row is written; the store is not even opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.engine.plan import compile_plan, stage_for
from runtime.engine.runner import check_case, provider_chooser
from runtime.engine.steps import StepContext, execute
from runtime.errors import InputError
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import AINodeBase, node_kind_label


@dataclass(frozen=True)
class TrialResult:
    """What one AI step would do on one case (nothing of it was written anywhere)."""

    node_id: str
    kind: str  # "ai/classify", "ai/assist", "ai/enforce"
    stage: str
    inputs: dict[str, Any] = field(default_factory=dict)
    prompt: list[dict[str, Any]] = field(default_factory=list)  # the messages sent
    answer: str = ""  # the model's raw reply, as text
    model: str = ""
    confidence_kind: str = "none"  # measured / self-reported / none
    output: dict[str, Any] = field(default_factory=dict)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)  # what a run would apply
    next_node: str | None = None
    handoff: str | None = None  # why a person would be asked, when one would be

    @property
    def probabilities(self) -> dict[str, float]:
        return dict(self.output.get("probabilities") or {})


def try_step(loaded: LoadedFlow, node_id: str, case: dict[str, Any], *,
             autonomy: str | None = None, model: str | None = None) -> TrialResult:
    """Run the AI step `node_id` of `loaded` on `case` once, writing nothing.

    Raises InputError when the step is not an AI step or the case does not fit the flow.
    The step sees the case only (no earlier steps' outputs): AI steps read case fields.
    """
    plan = compile_plan(loaded)
    node = plan.nodes.get(node_id)
    if node is None:
        raise InputError(f"the flow has no step '{node_id}'")
    if not isinstance(node, AINodeBase):
        raise InputError(f"step '{node_id}' is not an AI step; only AI steps can be tried "
                         "on their own")
    case_id = check_case(plan, case)
    stage = stage_for(plan, node, autonomy)
    context: dict[str, Any] = {"case": case, "record": {}, "nodes": {}, "visits": {}}
    outcome = execute(node, StepContext(plan, "trial", case_id, context, stage,
                                        provider_chooser(plan, model)))
    call = outcome.model_call or {}
    return TrialResult(
        node_id=node_id, kind=node_kind_label(node), stage=stage.value,
        inputs=dict(outcome.inputs), prompt=list(call.get("prompt") or []),
        answer=str(call.get("raw") or ""),
        model=f"{call.get('provider', '')}:{call.get('model', '')}".strip(":"),
        confidence_kind=str(call.get("confidence_kind") or "none"),
        output=dict(outcome.output), verdicts=[v.to_json() for v in outcome.verdicts],
        changes=dict(outcome.changes), next_node=outcome.next_node,
        handoff=outcome.handoff.reason if outcome.handoff else None)
