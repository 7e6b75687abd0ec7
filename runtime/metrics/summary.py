"""Outcome metrics of a flow's runs, per autonomy stage: pure functions over the counted
rows the evidence adapter aggregates in SQL (`MetricRow`, `StepCount`), so the same
figures can be checked by hand on a few rows.

Definitions (each over the runs of one stage):
- containment: completed runs in which no person was involved / all runs;
- escalation: runs in which a person was involved (any human task) / all runs;
- human override rate: AI steps a person decided differently from the AI's proposal /
  AI steps a person decided (approve/choose-same agrees, anything else overrides);
- agreement per node: the complement, per node;
- low-confidence rate: AI steps below their node's suggest band / AI steps with a
  confidence;
- time to resolution: median and 90th percentile of start → finish of completed runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from runtime.evaluation.evidence import MetricRow, StepCount
from runtime.evaluation.measures import quantile, ratio


def stage_metrics(runs: Sequence[MetricRow], steps: Sequence[StepCount],
                  seconds: Sequence[float], hits: dict[str, int],
                  intents: dict[tuple[str, str], int]) -> dict[str, Any]:
    total = sum(r.runs for r in runs)
    contained = sum(r.runs for r in runs if r.status == "completed" and not r.person)
    escalated = sum(r.runs for r in runs if r.person)
    by_status: dict[str, int] = defaultdict(int)
    by_outcome: dict[str, int] = defaultdict(int)
    for r in runs:
        by_status[r.status] += r.runs
        if r.outcome:
            by_outcome[r.outcome] += r.runs
    decided = [s for s in steps if s.by == "human" and s.agrees is not None]
    overrides = sum(s.steps for s in decided if not s.agrees)
    per_node: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in decided:
        per_node[s.node_id][0] += s.steps * bool(s.agrees)
        per_node[s.node_id][1] += s.steps
    all_steps = sum(s.steps for s in steps)
    return {
        "runs": total,
        "runs_by_status": dict(sorted(by_status.items())),
        "containment": ratio(contained, total),
        "escalation": ratio(escalated, total),
        "resolution_by_outcome": dict(sorted(by_outcome.items())),
        "resolution_by_intent": [{"intent": i, "result": o, "runs": n}
                                 for (i, o), n in sorted(intents.items())],
        "human_override_rate": ratio(overrides, sum(s.steps for s in decided)),
        "agreement_by_node": {node: {"agreed": a, "decided": d, "agreement": ratio(a, d)}
                              for node, (a, d) in sorted(per_node.items())},
        "low_confidence_rate": ratio(sum(s.steps for s in steps if s.low_confidence),
                                     all_steps),
        "guardrail_hits": dict(sorted(hits.items())),
        "time_to_resolution_s": {"median": quantile(seconds, 0.5),
                                 "p90": quantile(seconds, 0.9), "runs": len(seconds)},
    }


def by_stage(runs: Sequence[MetricRow], steps: Sequence[StepCount],
             seconds: dict[str, list[float]], hits: dict[str, dict[str, int]],
             intents: dict[str, dict[tuple[str, str], int]]) -> dict[str, dict[str, Any]]:
    """Metrics per stage (observe, copilot, operate, then any other), side by side."""
    stages = sorted({r.stage for r in runs}, key=_stage_order)
    return {stage: stage_metrics([r for r in runs if r.stage == stage],
                                 [s for s in steps if s.stage == stage],
                                 seconds.get(stage, []), hits.get(stage, {}),
                                 intents.get(stage, {}))
            for stage in stages}


def _stage_order(stage: str) -> tuple[int, str]:
    order = {"observe": 0, "copilot": 1, "operate": 2}
    return order.get(stage, 3), stage
