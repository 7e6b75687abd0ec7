"""SQLite the house way, for every part of the runtime that keeps tables in the workspace file.

WAL mode, explicit `BEGIN IMMEDIATE` transactions (two processes never interleave a
read-modify-write) and `synchronous=FULL` only for commits that gate an effect outside the
database. The store and the connectors each open their own connection with these
settings and create their own tables; neither reaches into the other's connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime.json_text import column_text


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """Open (creating if needed) a database file with the house settings and `schema`
    (idempotent `CREATE … IF NOT EXISTS` statements)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.executescript(schema)
    return conn


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


def now() -> str:
    """A UTC timestamp as stored in every table (ISO 8601, milliseconds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def dumps(value: Any) -> str:
    """A JSON column's text: sorted keys, so equal values are equal text (runtime/json_text.py:
    compiled encoding, the journal writes some ninety of these per run)."""
    return column_text(value)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
