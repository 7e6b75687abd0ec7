"""Opening the workspace database: WAL mode, explicit transactions.

Every write that gates an external effect is committed with `synchronous=FULL` before the
effect happens; every commit survives `kill -9`, so a crash at any moment leaves a database
that says exactly what was done. Transactions are `BEGIN IMMEDIATE` so two processes never
interleave a read-modify-write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runtime.store import audit, migrations

SCHEMA_VERSION = 1

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
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS runs_batch_case ON runs(batch_id, case_id)
    WHERE batch_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
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
CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL,
    case_id TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tbl, case_id)
);
CREATE TABLE IF NOT EXISTS record_changes (
    idempotency_key TEXT PRIMARY KEY,
    tbl TEXT NOT NULL,
    case_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS connector_ledger (
    connector TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    case_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    status TEXT NOT NULL,
    sends INTEGER NOT NULL DEFAULT 0,
    detail TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (connector, idempotency_key)
);
CREATE INDEX IF NOT EXISTS connector_ledger_case ON connector_ledger(connector, case_id);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the workspace database with the house settings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    migrations.upgrade(conn, SCHEMA_VERSION, path)
    _create_schema(conn)
    return conn


def _create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA + audit.SCHEMA)
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )


@contextmanager
def transaction(conn: sqlite3.Connection, *,
                durable: bool = False) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolling back on any exception.

    In WAL mode every commit survives the process being killed. `durable=True` also makes
    it survive a power cut (`synchronous=FULL`, an fsync of the WAL, which covers every
    earlier commit too): used for commits that gate an effect outside the database or that
    carry a person's decision. Other commits skip the fsync; if a power cut loses them, the
    work they recorded is simply redone on resume — it had no outside effect yet.
    """
    if durable:
        conn.execute("PRAGMA synchronous=FULL")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        if durable:
            conn.execute("PRAGMA synchronous=NORMAL")
