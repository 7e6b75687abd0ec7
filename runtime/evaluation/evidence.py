"""The one place evaluation, what-if, readiness and metrics read stored runs.

Everything above this module works on the plain rows defined here (`AIStep`, `RunFacts`,
`MetricRow`), never on store rows or SQL. The store's documented reads (runs,
steps, tasks, flow_snapshots, metric_facts) are all it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.store.base import RunStore
from runtime.store.metric_rows import (
    EVAL_BATCH_PREFIX,
    MetricFacts,
    MetricQuery,
    MetricRow,
    StepCount,
)
from runtime.store.rows import RunRow, StepRow

KEPT_OUTCOMES = ("hold", "drop", "block")  # verdicts that kept a value from being written
AI_KINDS = ("ai/classify", "ai/enforce")  # the step kinds the engine journals


@dataclass(frozen=True)
class AIStep:
    """One classify or enforce step as evidence: what the AI said, whether it acted alone,
    and what a person decided beside it (None when nobody did)."""

    run_id: str
    case_id: str
    node_id: str
    role: str
    stage: str | None
    label: str | None  # the AI's own answer (classify), even when a person overrode it
    confidence: float | None
    confidence_kind: str | None
    model: str | None  # "provider:model" that answered
    probabilities: dict[str, float]
    acted_alone: bool  # the step's decision was the AI's, no person involved
    person_label: str | None  # a person's choice on a classify step
    person_agrees: bool | None  # a person's decision agreed with the AI's proposal
    proposal: dict[str, Any]  # enforce: what the AI proposed
    applied: dict[str, Any]  # what the step wrote
    hits: tuple[str, ...]  # guardrail rules that fired (dropped or blocked: policy's "hit")
    held_fields: tuple[str, ...]  # fields a guardrail kept from being written by the AI


@dataclass(frozen=True)
class RunFacts:
    run_id: str
    case_id: str
    status: str
    outcome: str | None
    stage: str
    person_involved: bool
    record: dict[str, Any]
    steps: list[AIStep] = field(default_factory=list)


def run_facts(store: RunStore, run: RunRow) -> RunFacts:
    steps = store.steps(run.id)
    ai = [ai_step(run, s) for s in steps if _is_ai(s)]
    stage = run.autonomy or next((s.autonomy for s in steps if s.autonomy), None) or "unknown"
    person = bool(store.tasks(status=None, run_id=run.id))
    return RunFacts(run.id, run.case_id, run.status.value, run.outcome, stage, person,
                    dict((run.context or {}).get("record") or {}), ai)


def flow_runs(store: RunStore, flow_path: Path) -> list[RunRow]:
    """Runs started from this flow file (any version of its text)."""
    where = str(flow_path.resolve())
    return [r for r in store.runs() if r.flow_path == where]


def is_eval_batch(batch_id: str | None) -> bool:
    return bool(batch_id) and str(batch_id).startswith(EVAL_BATCH_PREFIX)


def _is_ai(step: StepRow) -> bool:
    return step.kind in AI_KINDS


def ai_step(run: RunRow, step: StepRow) -> AIStep:
    output = step.output or {}
    decision = step.decision or {}
    by = decision.get("by")
    role = step.kind.partition("/")[2]
    call = step.model_call or {}
    kind = output.get("confidence_kind") or call.get("confidence_kind")
    verdicts = step.verdicts or []
    hits = tuple(v.get("rule", "?") for v in verdicts if v.get("hit"))
    held = tuple(sorted({v["field"] for v in verdicts
                         if v.get("outcome") in KEPT_OUTCOMES and v.get("field")}))
    confidence = output.get("confidence")
    return AIStep(
        run_id=run.id, case_id=run.case_id, node_id=step.node_id, role=role,
        stage=step.autonomy,
        label=output.get("ai_label") or output.get("label") if role == "classify" else None,
        confidence=None if confidence is None else float(confidence),
        confidence_kind=kind,
        model=f"{call.get('provider')}:{call.get('model')}" if call else None,
        probabilities={str(k): float(v) for k, v in (output.get("probabilities") or {}).items()},
        acted_alone=by == "ai",
        person_label=decision.get("label") if by == "human" else None,
        person_agrees=decision.get("agrees_with_ai") if by == "human" else None,
        proposal=dict(output.get("proposal") or {}),
        applied=dict(step.changes or {}),
        hits=hits, held_fields=held,
    )


def shadow_steps(store: RunStore, flow_path: Path) -> list[AIStep]:
    """Classify steps of this flow a person decided: labelled data (observe mode's shadow
    decisions, and low-confidence hand-offs in any stage). Runs of `junction eval`
    batches are left out: their cases already count, with the dataset's answer."""
    found = []
    for run in flow_runs(store, flow_path):
        if is_eval_batch(run.batch_id):
            continue
        for step in store.steps(run.id):
            if _is_ai(step):
                row = ai_step(run, step)
                if row.role == "classify" and row.person_label is not None:
                    found.append(row)
    return found


def shadow_cases(store: RunStore, flow_path: Path) -> list[dict[str, Any]]:
    """The cases behind people's classify decisions, each with `expected: {node: label}`
    (the dataset format `junction eval` and `junction calibrate` read). Evaluation runs
    are left out: their cases are already in a dataset."""
    cases: dict[str, dict[str, Any]] = {}
    for run in flow_runs(store, flow_path):
        if is_eval_batch(run.batch_id):
            continue
        for step in store.steps(run.id):
            if not _is_ai(step):
                continue
            row = ai_step(run, step)
            if row.role != "classify" or row.person_label is None:
                continue
            case = dict((run.context or {}).get("case") or {"id": run.case_id})
            entry = cases.setdefault(run.case_id, {**case, "expected": {}})
            entry["expected"][row.node_id] = row.person_label
    return list(cases.values())


# -- metrics: the store groups the counts (RunStore.metric_facts) -------------------

_AUTONOMY_LINE = re.compile(r"^autonomy:[ \t]*([a-z]+)", re.MULTILINE)
DEFAULT_STAGE = "copilot"  # a flow file without `autonomy:` (see runtime.flow.schema)


def flow_stages(store: RunStore) -> dict[str, str]:
    """Stage of each stored flow version, read from its top-level `autonomy:` line (a run
    without an override runs at its flow's stage). Versions whose stage cannot be read
    that way are left out; the store then takes the stage the run's first step ran at."""
    stages = {}
    for snapshot in store.flow_snapshots():
        found = _AUTONOMY_LINE.search(snapshot.text)
        if found:
            stages[snapshot.sha] = found.group(1)
        elif "autonomy" not in snapshot.text:
            stages[snapshot.sha] = DEFAULT_STAGE
    return stages


def metric_facts(store: RunStore, flow_path: Path | None, *, since: str | None = None,
                 stage: str | None = None, low_below: dict[str, float] | None = None,
                 default_low: float = 0.6, intent_node: str | None = None) -> MetricFacts:
    """Runs, AI steps and guardrail hits of a flow file, counted per stage by the store."""
    return store.metric_facts(MetricQuery(
        flow_path=None if flow_path is None else str(flow_path.resolve()), since=since,
        stage=stage, flow_stages=flow_stages(store), low_below=dict(low_below or {}),
        default_low=default_low, intent_node=intent_node))


def classify_steps(store: RunStore, node_id: str, *, batch_id: str | None = None,
                   flow_path: Path | None = None) -> list[AIStep]:
    """The first classify step at `node_id` of each run of a batch (or of a flow file)."""
    runs = store.runs(batch_id=batch_id) if batch_id else (
        flow_runs(store, flow_path) if flow_path is not None else [])
    found = []
    for run in runs:
        for step in store.steps(run.id):
            if step.node_id == node_id and step.kind == "ai/classify":
                found.append(ai_step(run, step))
                break
    return found


__all__ = ["EVAL_BATCH_PREFIX", "AIStep", "MetricFacts", "MetricRow", "RunFacts", "StepCount",
           "ai_step", "classify_steps", "flow_runs", "flow_stages", "is_eval_batch",
           "metric_facts", "run_facts", "shadow_cases", "shadow_steps"]
