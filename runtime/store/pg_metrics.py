"""The team store's metric reads: metric_sql's shared queries, spelled for PostgreSQL.

SQLite copies a step's metric facts into columns when it writes the step; the team store
reads the same facts from the step's JSON inside the query (`::jsonb`), with the same
rules as `metric_rows.step_metric_columns` (a confidence only when it is a number, the
rules of the verdicts that hit, "?" for a rule without a name). So its write path — and
`junction store copy` — stay as they are, and no schema version is needed; a person's
involvement is whether the run has a task (tasks are indexed by run).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.rows import tuple_row

from runtime.pg_db import Connection
from runtime.store import metric_sql
from runtime.store.metric_rows import DecidedStep, MetricFacts, MetricQuery

_OUT = "(s.output::jsonb)"
_DEC = "(s.decision::jsonb)"
_VERDICTS = ("CASE jsonb_typeof(s.verdicts::jsonb) WHEN 'array' THEN s.verdicts::jsonb"
             " ELSE '[]'::jsonb END")


def _truthy(value: str) -> str:
    """A JSON value tested as SQLite's json_extract would: true, or a non-zero number."""
    return (f"CASE jsonb_typeof({value}) WHEN 'boolean' THEN ({value})::text::boolean"
            f" WHEN 'number' THEN ({value})::text::float8 <> 0 ELSE false END")


_AGREES = f"{_DEC} -> 'agrees_with_ai'"
_HIT = "v -> 'hit'"

SQL = metric_sql.Dialect(
    param="%s",
    json_list="json_agg({})::text",
    person="(EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id))::int",
    seconds="EXTRACT(EPOCH FROM (r.finished_at::timestamptz - r.started_at::timestamptz))",
    label=f"({_OUT} ->> 'label')",
    confidence=(f"CASE WHEN jsonb_typeof({_OUT} -> 'confidence') = 'number'"
                f" THEN ({_OUT} ->> 'confidence')::float8 END"),
    decided_by=f"({_DEC} ->> 'by')",
    # missing or null: NULL; text, a list or an object: 1 (as SQLite's `value != 0`)
    agrees=(f"CASE jsonb_typeof({_AGREES}) WHEN 'boolean' THEN ({_truthy(_AGREES)})::int"
            f" WHEN 'number' THEN ({_truthy(_AGREES)})::int"
            " WHEN 'string' THEN 1 WHEN 'array' THEN 1 WHEN 'object' THEN 1 END"),
    hit_rules=("(SELECT json_agg(COALESCE(v ->> 'rule', '?'))::text"
               f" FROM jsonb_array_elements({_VERDICTS}) v"
               f" WHERE jsonb_typeof(v) = 'object' AND {_truthy(_HIT)})"),
)


def _tuples(conn: Connection) -> metric_sql.Execute:
    def run(sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        # plain tuples: the connection's dict rows would merge same-named columns
        with conn.cursor(row_factory=tuple_row) as cur:
            return cur.execute(sql, list(args)).fetchall()

    return run


def metric_facts(conn: Connection, query: MetricQuery) -> MetricFacts:
    return metric_sql.metric_facts(_tuples(conn), SQL, query)


def decided_steps(conn: Connection, flow_path: str, node_id: str) -> list[DecidedStep]:
    return metric_sql.decided_steps(_tuples(conn), SQL, flow_path, node_id)
