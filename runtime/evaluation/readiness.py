"""Is an AI node ready to act alone? A verdict per node and stage, with its numbers.

Evidence is labelled predictions: the latest evaluation of the flow and the decisions
people made beside the AI (observe mode's shadow data). A stage is granted only when
every criterion holds:

- enough labelled cases (`min_cases`);
- the answers beat chance: the lower end of a 95% one-sided Wilson interval on accuracy
  is above 1 / number of options — a model at chance is refused however lucky it got;
- `precision` of the cases that would act alone at the node's act band, with at least
  one such case (no case reaching the band means acting alone was never tested);
- `agreement` of people with the AI, when the stage asks for it, over shadow decisions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from runtime.evaluation import measures as m
from runtime.nodes.promotion import StageCriteria

STAGES = ("copilot", "operate")
Z_95_ONE_SIDED = 1.645


def wilson_lower(successes: int, n: int, z: float = Z_95_ONE_SIDED) -> float | None:
    if n == 0:
        return None
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


@dataclass(frozen=True)
class Evidence:
    """What is known about one node: every labelled prediction (eval and shadow), and
    separately the shadow ones (a person decided beside the AI)."""

    node: str
    options: int
    act_band: float
    predictions: Sequence[m.Prediction]
    shadow: Sequence[m.Prediction]


@dataclass
class StageVerdict:
    stage: str
    ready: bool
    reasons: list[str] = field(default_factory=list)  # why not (empty when ready)


@dataclass
class NodeVerdict:
    node: str
    ready_for: str | None  # the highest stage granted, None: not ready
    figures: dict[str, float | int | None]
    stages: list[StageVerdict]

    @property
    def summary(self) -> str:
        if self.ready_for is None:
            first = self.stages[0]
            return "not ready: " + "; ".join(first.reasons)
        return f"ready for {self.ready_for}"


def figures_of(evidence: Evidence) -> dict[str, float | int | None]:
    rows = evidence.predictions
    point = m.coverage_at(rows, evidence.act_band)
    right = sum(r.correct for r in rows)
    shadow_right = sum(r.correct for r in evidence.shadow)
    return {
        "cases": len(rows), "accuracy": m.accuracy(rows),
        "accuracy_lower_95": wilson_lower(right, len(rows)),
        "chance": 1 / evidence.options if evidence.options else None,
        "act_band": evidence.act_band, "acting_alone": point.acting,
        "acting_right": point.right, "precision": point.precision,
        "coverage": point.coverage, "shadow_cases": len(evidence.shadow),
        "agreement": m.ratio(shadow_right, len(evidence.shadow)),
    }


def judge_stage(stage: str, criteria: StageCriteria,
                f: dict[str, float | int | None]) -> StageVerdict:
    reasons = []
    cases = int(f["cases"] or 0)
    if criteria.min_cases and cases < criteria.min_cases:
        reasons.append(f"{cases} labelled cases, {stage} needs at least {criteria.min_cases}")
    lower, chance = f["accuracy_lower_95"], f["chance"]
    if cases and chance is not None and (lower is None or lower <= chance):
        reasons.append(f"accuracy {(f['accuracy'] or 0):.1%}"
                       f" is not clearly better than chance ({chance:.1%}; 95% lower bound "
                       f"{(lower or 0):.1%})")
    if criteria.precision is not None:
        if not f["acting_alone"]:
            reasons.append(f"no case reaches the act band {f['act_band']} "
                           f"(0 of {cases} cases), so acting alone is untested")
        elif (f["precision"] or 0) < criteria.precision:
            reasons.append(f"precision at the act band {f['act_band']} is "
                           f"{(f['precision'] or 0):.1%} ({f['acting_right']} of "
                           f"{f['acting_alone']} right), {stage} needs "
                           f"{criteria.precision:.0%}")
    if criteria.agreement is not None:
        if not f["shadow_cases"]:
            reasons.append("no shadow decisions yet: run the flow in observe mode so people "
                           "decide beside the AI")
        elif (f["agreement"] or 0) < criteria.agreement:
            reasons.append(f"people agreed with the AI on {(f['agreement'] or 0):.1%} of "
                           f"{f['shadow_cases']} shadow decisions, {stage} needs "
                           f"{criteria.agreement:.0%}")
    return StageVerdict(stage, not reasons, reasons)


def judge(evidence: Evidence, criteria: dict[str, StageCriteria]) -> NodeVerdict:
    figures = figures_of(evidence)
    stages = [judge_stage(s, criteria[s], figures) for s in STAGES]
    ready_for = None
    for verdict in stages:  # a stage counts only when every stage below it holds too
        if not verdict.ready:
            break
        ready_for = verdict.stage
    return NodeVerdict(evidence.node, ready_for, figures, stages)
