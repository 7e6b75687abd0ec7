"""The one place evaluation, what-if, readiness and metrics read stored runs.

Everything above this module works on the plain rows defined here (`AIStep`, `RunFacts`,
`MetricRow`), never on store rows or SQL. When the store gets its documented read
interface, only this module changes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.store.runs import RunRow, RunStore, StepRow

EVAL_BATCH_PREFIX = "e-"  # batch ids of `junction eval` (see dataset_run.eval_batch_id)
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


# -- metrics: aggregated in SQL so 100,000 runs take well under a second ------------

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
    stage: str
    node_id: str
    by: str | None  # "ai", "human", "timeout", …
    agrees: bool | None
    low_confidence: bool
    steps: int


def _metric_filter(flow_path: Path | None, since: str | None, stage: str | None,
                   stage_sql: str) -> tuple[str, list[Any]]:
    # evaluation batches are tests of the flow, not its operation: left out of metrics
    sql, args = f" AND (r.batch_id IS NULL OR r.batch_id NOT LIKE '{EVAL_BATCH_PREFIX}%')", []
    if flow_path is not None:
        sql += " AND r.flow_path = ?"
        args.append(str(flow_path.resolve()))
    if since:
        sql += " AND r.created_at >= ?"
        args.append(since)
    if stage:
        sql += f" AND {stage_sql} = ?"
        args.append(stage)
    return sql, args


# A run's stage: its override, else the stage its first AI step ran at (the flow's). A
# step's stage is the one it ran at (steps.autonomy), so step queries need no subquery.
_STAGE_SQL = ("COALESCE(r.autonomy, (SELECT s.autonomy FROM steps s WHERE s.run_id = r.id"
              " AND s.autonomy IS NOT NULL ORDER BY s.seq LIMIT 1), 'unknown')")
_STEP_STAGE_SQL = "COALESCE(s.autonomy, 'unknown')"
# The intent: the label of the flow's first classify node (first visit), one index lookup.
_INTENT_SQL = ("(SELECT json_extract(c.output, '$.label') FROM steps c WHERE c.run_id = r.id"
               " AND c.node_id = ? AND c.visit = 1)")


@dataclass
class RunMetrics:
    rows: list[MetricRow]
    seconds: dict[str, list[float]]  # per stage: start → finish of completed runs
    intents: dict[str, dict[tuple[str, str], int]]  # per stage: (intent, result) → runs


_AUTONOMY_LINE = re.compile(r"^autonomy:[ \t]*([a-z]+)", re.MULTILINE)
DEFAULT_STAGE = "copilot"  # a flow file without `autonomy:` (see runtime.flow.schema)


def _flow_stages(store: RunStore) -> dict[str, str]:
    """Stage of each stored flow version, read from its top-level `autonomy:` line (a run
    without an override runs at its flow's stage). Versions whose stage cannot be read
    that way are left out; their runs fall back to the subquery."""
    stages = {}
    for sha, text in store.conn.execute("SELECT sha, text FROM flow_snapshots"):
        found = _AUTONOMY_LINE.search(text)
        if found:
            stages[str(sha)] = found.group(1)
        elif "autonomy" not in text:
            stages[str(sha)] = DEFAULT_STAGE
    return stages


def _run_stage_sql(stages: dict[str, str]) -> tuple[str, list[Any]]:
    """A run's stage as SQL (with its arguments): the override, else its flow version's
    stage, else the stage its first step ran at — no per-run subquery in the common case."""
    if not stages:
        return _STAGE_SQL, []
    cases = "".join(" WHEN ? THEN ?" for _ in stages)
    sql = f"COALESCE(r.autonomy, CASE r.flow_sha{cases} END, {_STAGE_SQL})"
    return sql, [x for pair in stages.items() for x in pair]


def run_metrics(store: RunStore, flow_path: Path | None, *, since: str | None = None,
                stage: str | None = None, intent_node: str | None = None) -> RunMetrics:
    """Runs counted per stage, status, outcome, person involved and the first classify
    node's label (grouped in SQL), and the durations of completed runs."""
    stage_sql, stage_args = _run_stage_sql(_flow_stages(store))
    where, args = _metric_filter(flow_path, since, stage, stage_sql)
    if stage:  # the stage filter repeats the stage expression, with its arguments
        args = args[:-1] + stage_args + args[-1:]
    sql = (f"SELECT {stage_sql} AS stage, r.status, r.outcome,"
           " EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id) AS person,"
           f" {_INTENT_SQL} AS intent, COUNT(*) FROM runs r WHERE 1=1" + where +
           " GROUP BY 1, 2, 3, 4, 5")
    counts: Counter[tuple[str, str, str | None, bool]] = Counter()
    result = RunMetrics([], {}, {})
    for stage_, status, outcome, person, intent, n in store.conn.execute(
            sql, [*stage_args, intent_node or "", *args]):
        counts[(str(stage_), str(status), outcome, bool(person))] += n
        per_intent = result.intents.setdefault(str(stage_), {})
        key = (str(intent or "(none)"), str(outcome or status))
        per_intent[key] = per_intent.get(key, 0) + n
    result.rows = [MetricRow(*key, runs=n) for key, n in sorted(
        counts.items(), key=lambda kv: tuple(str(x) for x in kv[0]))]
    sql = (f"SELECT {stage_sql} AS stage,"
           " (julianday(r.finished_at) - julianday(r.started_at)) * 86400.0"
           " FROM runs r WHERE r.status = 'completed' AND r.started_at IS NOT NULL"
           " AND r.finished_at IS NOT NULL" + where)
    for stage_, seconds in store.conn.execute(sql, [*stage_args, *args]):
        result.seconds.setdefault(str(stage_), []).append(max(0.0, float(seconds)))
    return result


def step_counts(store: RunStore, flow_path: Path | None, *, since: str | None = None,
                stage: str | None = None, low_below: dict[str, float] | None = None,
                default_low: float = 0.6) -> list[StepCount]:
    """AI steps per stage, node, who decided and whether a person agreed; `low_confidence`
    is a confidence below the node's suggest band (`low_below`, else `default_low`)."""
    where, args = _metric_filter(flow_path, since, stage, _STEP_STAGE_SQL)
    bands = low_below or {}
    case = "".join(" WHEN ? THEN ?" for _ in bands)
    band_sql = f"(CASE s.node_id{case} ELSE ? END)" if bands else "?"
    band_args: list[Any] = [x for pair in bands.items() for x in pair] + [default_low]
    # both decision fields in one parse: json_extract with two paths gives a JSON array
    sql = (f"SELECT {_STEP_STAGE_SQL} AS stage, s.node_id AS node,"
           " json_extract(s.decision, '$.by', '$.agrees_with_ai') AS decided,"
           f" COALESCE(json_extract(s.output, '$.confidence') < {band_sql}, 0) AS low,"
           " COUNT(*) AS n FROM steps s JOIN runs r ON r.id = s.run_id"
           " WHERE s.kind IN ('ai/classify', 'ai/enforce')" + where +
           " GROUP BY 1, 2, 3, 4")
    found = []
    for row in store.conn.execute(sql, band_args + args):
        by, agrees = json.loads(row["decided"]) if row["decided"] else (None, None)
        found.append(StepCount(str(row["stage"]), str(row["node"]), by,
                               None if agrees is None else bool(agrees),
                               bool(row["low"]), int(row["n"])))
    return found


def guardrail_hits(store: RunStore, flow_path: Path | None, *, since: str | None = None,
                   stage: str | None = None) -> dict[str, dict[str, int]]:
    """Per stage, how many verdicts of each rule held, dropped or blocked something."""
    where, args = _metric_filter(flow_path, since, stage, _STEP_STAGE_SQL)
    # the LIKE skips parsing the verdicts of steps where nothing fired (most of them)
    sql = (f"SELECT {_STEP_STAGE_SQL} AS stage, json_extract(v.value, '$.rule') AS rule,"
           " COUNT(*) AS n FROM steps s JOIN runs r ON r.id = s.run_id,"
           " json_each(s.verdicts) v WHERE s.verdicts LIKE '%\"hit\": true%'"
           " AND json_extract(v.value, '$.hit') = 1" + where + " GROUP BY 1, 2")
    found: dict[str, dict[str, int]] = {}
    for row in store.conn.execute(sql, args):
        found.setdefault(str(row["stage"]), {})[str(row["rule"])] = int(row["n"])
    return found


def ensure_metric_indexes(store: RunStore) -> None:
    """Indexes the metric queries lean on (idempotent; the tables are unchanged)."""
    with store.conn:
        store.conn.execute("CREATE INDEX IF NOT EXISTS runs_flow_created"
                           " ON runs(flow_path, created_at)")
        store.conn.execute("CREATE INDEX IF NOT EXISTS tasks_run ON tasks(run_id)")


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
