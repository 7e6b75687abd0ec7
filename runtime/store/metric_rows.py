"""What a store hands back for the metrics: counts it grouped itself, as plain rows.

The metrics over 100,000 runs must take well under a second, so a store aggregates
(GROUP BY in SQL) and never returns steps one by one; `runtime.metrics.summary` turns these
rows into ratios. Shared by every store implementation (see base.RunStore.metric_facts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVAL_BATCH_PREFIX = "e-"  # batch ids of `junction eval`: tests of a flow, not its operation


@dataclass(frozen=True)
class FlowSnapshot:
    """One stored version of a flow file: its sha and its text."""

    sha: str
    text: str


@dataclass(frozen=True)
class MetricQuery:
    """Which runs the metrics count and how a few facts are read.

    `flow_stages` maps a flow version's sha to the stage its runs ran at without an
    override (read from the flow text by the caller); a run whose version is missing from
    it takes the stage its first AI step ran at. `low_below` is each node's suggest band
    (a confidence under it is "low"), `default_low` for the others. `intent_node` is the
    classify node whose label is a run's intent. Runs of `junction eval` batches are left
    out: they test the flow."""

    flow_path: str | None = None
    since: str | None = None
    stage: str | None = None
    flow_stages: dict[str, str] = field(default_factory=dict)
    low_below: dict[str, float] = field(default_factory=dict)
    default_low: float = 0.6
    intent_node: str | None = None


@dataclass(frozen=True)
class DecidedStep:
    """A step of one node, in a run of one flow file, decided by a person: what it saw
    (`inputs`) and what the person chose (`decision`) — labelled data for training."""

    run_id: str
    case_id: str
    inputs: Any
    decision: Any


@dataclass(frozen=True)
class MetricRow:
    """Per stage, per (status, outcome, person involved): how many runs."""

    stage: str
    status: str
    outcome: str | None
    person: bool
    runs: int


@dataclass(frozen=True)
class StepCount:
    """AI steps per stage, node, who decided, whether a person agreed and low confidence."""

    stage: str
    node_id: str
    by: str | None  # "ai", "human", "timeout", …
    agrees: bool | None
    low_confidence: bool
    steps: int


@dataclass
class MetricFacts:
    """Everything `junction metrics` reads from a store, already grouped."""

    runs: list[MetricRow] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=dict)  # stage: durations
    intents: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    steps: list[StepCount] = field(default_factory=list)
    hits: dict[str, dict[str, int]] = field(default_factory=dict)  # stage: rule: hits


def step_metric_columns(output: Any, decision: Any, verdicts: Any) -> dict[str, Any]:
    """The facts about a step the metrics group by, as plain values a store keeps in
    columns beside the step's JSON (so a metric query parses no JSON): the AI's label
    and confidence, who decided and whether a person agreed, the guardrail rules that
    fired (None when none did)."""
    out = output if isinstance(output, dict) else {}
    dec = decision if isinstance(decision, dict) else {}
    confidence = out.get("confidence")
    agrees = dec.get("agrees_with_ai")
    rules = [str(v.get("rule", "?")) for v in (verdicts if isinstance(verdicts, list) else [])
             if isinstance(v, dict) and v.get("hit")]
    label = out.get("label")
    return {
        "label": None if label is None else str(label),
        "confidence": float(confidence) if isinstance(confidence, int | float)
        and not isinstance(confidence, bool) else None,
        "decided_by": None if dec.get("by") is None else str(dec.get("by")),
        "agrees": None if agrees is None else int(bool(agrees)),
        "hit_rules": rules or None,
    }
