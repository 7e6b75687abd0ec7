"""The SQLite store's metric reads: grouped in SQL over plain columns, no JSON parsed.

Steps carry the facts the metrics group by as columns (`label`, `confidence`,
`decided_by`, `agrees`, `hit_rules`; written with each step, see
`metric_rows.step_metric_columns`, and backfilled by schema migration 2), so counting
100,000 runs reads indexes and integers instead of parsing 200,000 JSON documents.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from typing import Any

from runtime.sqlite_db import dumps
from runtime.store.metric_rows import (
    EVAL_BATCH_PREFIX,
    FlowSnapshot,
    MetricFacts,
    MetricQuery,
    MetricRow,
    StepCount,
    step_metric_columns,
)

METRIC_COLUMNS = ("label", "confidence", "decided_by", "agrees", "hit_rules")

# The same facts as step_metric_columns, computed by SQLite from a step's JSON: for the
# migration's backfill and for a person's decision written onto a blocked step.
FILL_FROM_JSON = """
    label = json_extract(output, '$.label'),
    confidence = CASE WHEN json_type(output, '$.confidence') IN ('real', 'integer')
                 THEN json_extract(output, '$.confidence') END,
    decided_by = json_extract(decision, '$.by'),
    agrees = CASE json_type(decision, '$.agrees_with_ai') WHEN 'true' THEN 1
             WHEN 'false' THEN 0 WHEN 'null' THEN NULL
             ELSE (json_extract(decision, '$.agrees_with_ai') != 0) END,
    hit_rules = (SELECT NULLIF(json_group_array(
                     COALESCE(json_extract(v.value, '$.rule'), '?')), '[]')
                 FROM json_each(CASE json_type(verdicts) WHEN 'array' THEN verdicts
                                ELSE '[]' END) v
                 WHERE json_type(v.value) = 'object' AND json_extract(v.value, '$.hit'))
"""


def insert_values(output: Any, decision: Any, verdicts: Any) -> tuple[Any, ...]:
    """The metric columns of a new step, in METRIC_COLUMNS order."""
    facts = step_metric_columns(output, decision, verdicts)
    rules = facts["hit_rules"]
    return (facts["label"], facts["confidence"], facts["decided_by"], facts["agrees"],
            None if rules is None else dumps(rules))


def refresh_step(c: sqlite3.Connection, step_id: int) -> None:
    """Recompute a step's metric columns from its JSON (after a decision changed it)."""
    c.execute(f"UPDATE steps SET {FILL_FROM_JSON} WHERE id = ?", (step_id,))


def backfill(c: sqlite3.Connection) -> None:
    """Fill the metric columns of every stored step (schema migration 2)."""
    c.execute(f"UPDATE steps SET {FILL_FROM_JSON}")


def flow_snapshots(conn: sqlite3.Connection) -> list[FlowSnapshot]:
    return [FlowSnapshot(str(sha), str(text))
            for sha, text in conn.execute("SELECT sha, text FROM flow_snapshots ORDER BY sha")]


# A run's stage when its flow version's stage is unknown: the stage its first AI step ran
# at (an index lookup on steps(run_id, seq)).
_FIRST_STEP_STAGE = ("(SELECT s.autonomy FROM steps s WHERE s.run_id = r.id"
                     " AND s.autonomy IS NOT NULL ORDER BY s.seq LIMIT 1)")
_STEP_STAGE = "COALESCE(s.autonomy, 'unknown')"


def _run_stage(stages: dict[str, str]) -> tuple[str, list[Any]]:
    """A run's stage as SQL: its override, else its flow version's, else its first step's."""
    cases = "".join(" WHEN ? THEN ?" for _ in stages)
    by_version = f"CASE r.flow_sha{cases} END, " if stages else ""
    sql = f"COALESCE(r.autonomy, {by_version}{_FIRST_STEP_STAGE}, 'unknown')"
    return sql, [x for pair in stages.items() for x in pair]


def _filter(query: MetricQuery, stage_sql: str,
            stage_args: list[Any]) -> tuple[str, list[Any]]:
    sql = f" AND (r.batch_id IS NULL OR r.batch_id NOT LIKE '{EVAL_BATCH_PREFIX}%')"
    args: list[Any] = []
    if query.flow_path is not None:
        sql += " AND r.flow_path = ?"
        args.append(query.flow_path)
    if query.since:
        sql += " AND r.created_at >= ?"
        args.append(query.since)
    if query.stage:
        sql += f" AND {stage_sql} = ?"
        args += [*stage_args, query.stage]
    return sql, args


def metric_facts(conn: sqlite3.Connection, query: MetricQuery) -> MetricFacts:
    facts = MetricFacts()
    _count_runs(conn, query, facts)
    _count_steps(conn, query, facts)
    _count_hits(conn, query, facts)
    return facts


def _count_runs(conn: sqlite3.Connection, query: MetricQuery, facts: MetricFacts) -> None:
    stage_sql, stage_args = _run_stage(query.flow_stages)
    where, args = _filter(query, stage_sql, stage_args)
    intent = ("(SELECT c.label FROM steps c WHERE c.run_id = r.id AND c.node_id = ?"
              " AND c.visit = 1)")
    sql = (f"SELECT {stage_sql}, r.status, r.outcome,"
           " EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id),"
           f" {intent}, COUNT(*) FROM runs r WHERE 1=1{where} GROUP BY 1, 2, 3, 4, 5")
    counts: Counter[tuple[str, str, str | None, bool]] = Counter()
    for stage, status, outcome, person, label, n in conn.execute(
            sql, [*stage_args, query.intent_node or "", *args]):
        counts[(str(stage), str(status), outcome, bool(person))] += n
        per_intent = facts.intents.setdefault(str(stage), {})
        key = (str(label or "(none)"), str(outcome or status))
        per_intent[key] = per_intent.get(key, 0) + n
    facts.runs = [MetricRow(*key, runs=n) for key, n in sorted(
        counts.items(), key=lambda kv: tuple(str(x) for x in kv[0]))]
    sql = (f"SELECT {stage_sql},"
           " (julianday(r.finished_at) - julianday(r.started_at)) * 86400.0"
           " FROM runs r WHERE r.status = 'completed' AND r.started_at IS NOT NULL"
           f" AND r.finished_at IS NOT NULL{where}")
    for stage, seconds in conn.execute(sql, [*stage_args, *args]):
        facts.seconds.setdefault(str(stage), []).append(max(0.0, float(seconds)))


def _count_steps(conn: sqlite3.Connection, query: MetricQuery, facts: MetricFacts) -> None:
    where, args = _filter(query, _STEP_STAGE, [])
    bands = query.low_below
    cases = "".join(" WHEN ? THEN ?" for _ in bands)
    band_sql = f"(CASE s.node_id{cases} ELSE ? END)" if bands else "?"
    band_args: list[Any] = [x for pair in bands.items() for x in pair] + [query.default_low]
    sql = (f"SELECT {_STEP_STAGE}, s.node_id, s.decided_by, s.agrees,"
           f" COALESCE(s.confidence < {band_sql}, 0), COUNT(*)"
           " FROM steps s JOIN runs r ON r.id = s.run_id"
           f" WHERE s.kind IN ('ai/classify', 'ai/enforce'){where} GROUP BY 1, 2, 3, 4, 5")
    facts.steps = [StepCount(str(stage), str(node), by, None if agrees is None else bool(agrees),
                             bool(low), int(n))
                   for stage, node, by, agrees, low, n in conn.execute(sql, band_args + args)]


def _count_hits(conn: sqlite3.Connection, query: MetricQuery, facts: MetricFacts) -> None:
    where, args = _filter(query, _STEP_STAGE, [])
    sql = (f"SELECT {_STEP_STAGE}, v.value, COUNT(*) FROM steps s"
           " JOIN runs r ON r.id = s.run_id, json_each(s.hit_rules) v"
           f" WHERE s.hit_rules IS NOT NULL{where} GROUP BY 1, 2")
    for stage, rule, n in conn.execute(sql, args):
        facts.hits.setdefault(str(stage), {})[str(rule)] = int(n)
