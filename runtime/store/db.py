"""The store's tables in the workspace database: flow snapshots, runs, steps, tasks, audit.

The connectors keep their own tables in the same file (see runtime/connectors/
sqlite_tables.py); they are not declared here. Connection settings and transactions are
the house's (runtime/sqlite_db.py): WAL, `BEGIN IMMEDIATE`, an fsync where an effect or a
person's decision waits on the commit.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runtime.sqlite_db import connect as connect_db
from runtime.sqlite_db import transaction
from runtime.store import migrations, sqlite_audit, sqlite_metrics

# 2: steps carry their metric facts as columns; 3: a run knows whether a person was
# involved, and the metric queries have their indexes (migrations.py, sqlite_metrics.py)
SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS flow_snapshots (
    sha TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    flow_sha TEXT NOT NULL REFERENCES flow_snapshots(sha),
    flow_name TEXT NOT NULL,
    flow_path TEXT,
    case_id TEXT NOT NULL,
    batch_id TEXT,
    status TEXT NOT NULL,
    outcome TEXT,
    autonomy TEXT,
    model_override TEXT,
    current_node TEXT,
    context TEXT NOT NULL,
    blocked_reason TEXT,
    error TEXT,
    owner TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    updated_at TEXT NOT NULL,
    person INTEGER NOT NULL DEFAULT 0  -- a human task was opened (sqlite_metrics.SCHEMA)
);
CREATE UNIQUE INDEX IF NOT EXISTS runs_batch_case ON runs(batch_id, case_id)
    WHERE batch_id IS NOT NULL;
-- runs_status_created serves every status lookup; a separate runs(status) index cost
-- each run's insert and status change a write and served no read (issue 13).
DROP INDEX IF EXISTS runs_status;
-- The runs list pages through 100,000 runs newest first and polls for changes
-- (MAX(updated_at)), filtered by flow, status or outcome; without these each page
-- sorts the whole table.
CREATE INDEX IF NOT EXISTS runs_created ON runs(created_at, id);
CREATE INDEX IF NOT EXISTS runs_updated ON runs(updated_at, id);
CREATE INDEX IF NOT EXISTS runs_flow ON runs(flow_name, created_at, id);
CREATE INDEX IF NOT EXISTS runs_status_created ON runs(status, created_at, id);
CREATE INDEX IF NOT EXISTS runs_outcome ON runs(outcome, created_at, id);
CREATE INDEX IF NOT EXISTS runs_flow_created ON runs(flow_path, created_at);
CREATE TABLE IF NOT EXISTS steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    node_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    visit INTEGER NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL,
    autonomy TEXT,
    inputs TEXT,
    model_call TEXT,
    output TEXT,
    decision TEXT,
    changes TEXT,
    verdicts TEXT,
    next_node TEXT,
    error TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms REAL,
    label TEXT,  -- metric facts (sqlite_metrics.py): copies of the JSON's values
    confidence REAL,
    decided_by TEXT,
    agrees INTEGER,
    hit_rules TEXT,  -- JSON list of the guardrail rules that fired; NULL when none
    UNIQUE (run_id, node_id, visit),
    UNIQUE (run_id, seq)
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    step_id INTEGER NOT NULL REFERENCES steps(id),
    node_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    allowed TEXT NOT NULL,
    packet TEXT NOT NULL,
    decision TEXT,
    decided_by TEXT,
    created_at TEXT NOT NULL,
    due_at TEXT,
    decided_at TEXT
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status);
CREATE INDEX IF NOT EXISTS tasks_run ON tasks(run_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the workspace database with the store's tables, after
    bringing an older workspace's schema up to date (backed up first)."""
    conn = connect_db(path, "")
    missing = sqlite_audit.missing_triggers(conn)  # before the schema re-creates them
    migrations.upgrade(conn, SCHEMA_VERSION, path)
    conn.executescript(SCHEMA + sqlite_audit.SCHEMA + sqlite_metrics.SCHEMA)
    if missing:  # the schema just restored them: remember it for `audit verify` (in meta,
        # not as an audit row: appending would move the chain head over a cut-off end)
        sqlite_audit.note_missing_triggers(conn, missing)
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )
    return conn


__all__ = ["SCHEMA", "SCHEMA_VERSION", "connect", "transaction"]
