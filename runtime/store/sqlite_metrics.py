"""The SQLite store's metric reads: grouped in SQL over plain columns, no JSON parsed.

Steps carry the facts the metrics group by as columns (`label`, `confidence`,
`decided_by`, `agrees`, `hit_rules`; written with each step, see
`metric_rows.step_metric_columns`, and backfilled by schema migration 2), so counting
100,000 runs reads indexes and integers instead of parsing 200,000 JSON documents.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from runtime.sqlite_db import dumps
from runtime.store import metric_sql
from runtime.store.metric_rows import (
    DecidedStep,
    FlowSnapshot,
    MetricFacts,
    MetricQuery,
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


SQL = metric_sql.Dialect(
    param="?", json_list="json_group_array({})", person="r.person",
    seconds="(julianday(r.finished_at) - julianday(r.started_at)) * 86400.0",
    label="s.label", confidence="s.confidence", decided_by="s.decided_by",
    agrees="s.agrees", hit_rules="s.hit_rules",
    # the step's unique (run, node, visit) index looks cheaper to SQLite's planner, but
    # it reads the step row for the label; this one holds the label
    intent_steps="steps s INDEXED BY steps_intent")

# Schema 3 (the column comes with migration 2 → 3, see add_person_column; the rest is IF
# NOT EXISTS and runs on every open, so a new workspace gets it too): a run knows whether
# a person was involved (set when its first task opens, so no query looks at tasks), and
# covering indexes in the order metric_sql's queries group and look up — runs grouped by
# version, override, status, outcome and person without a sort; AI steps grouped in index
# order; a run's intent label found without reading the step row (a step row carries its
# JSON: kilobytes). The step indexes are partial — AI steps, first classify visits — so
# the write path maintains them only for the steps the metrics read (the queries spell
# those conditions as literals, which is how SQLite knows the index applies).
SCHEMA = """
CREATE TRIGGER IF NOT EXISTS tasks_mark_person AFTER INSERT ON tasks
BEGIN UPDATE runs SET person = 1 WHERE id = NEW.run_id AND person = 0; END;
CREATE INDEX IF NOT EXISTS runs_metric ON runs(flow_path, flow_sha, autonomy, status,
    outcome, person, created_at, batch_id, started_at, finished_at, id);
CREATE INDEX IF NOT EXISTS steps_metric ON steps(kind, autonomy, node_id, decided_by,
    agrees, hit_rules, confidence, run_id) WHERE kind IN ('ai/classify', 'ai/enforce');
CREATE INDEX IF NOT EXISTS steps_intent ON steps(run_id, node_id, label, kind, visit)
    WHERE kind = 'ai/classify' AND visit = 1;
"""


def add_person_column(c: sqlite3.Connection) -> None:
    """Schema 2 → 3: `runs.person`, filled from the tasks already stored (the trigger and
    indexes of SCHEMA follow when the store opens)."""
    c.execute("ALTER TABLE runs ADD COLUMN person INTEGER NOT NULL DEFAULT 0")
    c.execute("UPDATE runs SET person = 1 WHERE id IN (SELECT run_id FROM tasks)")


def metric_facts(conn: sqlite3.Connection, query: MetricQuery) -> MetricFacts:
    return metric_sql.metric_facts(conn.execute, SQL, query)


def decided_steps(conn: sqlite3.Connection, flow_path: str, node_id: str) -> list[DecidedStep]:
    return metric_sql.decided_steps(conn.execute, SQL, flow_path, node_id)
