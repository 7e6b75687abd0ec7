"""Upgrading a workspace database written by an older Junction, step by step.

The database records its `schema_version` in the `meta` table. On open, `upgrade` applies
each step from that version to the one this Junction writes, in one transaction, after
copying the file to `junction.db.v<N>.bak` — so an upgrade that fails (or a bug in one)
leaves the person's runs, tasks and audit trail exactly as they were. A database from a
*newer* Junction is refused rather than guessed at.

Add a step by appending `(from_version, function)` to `STEPS` and raising
`db.SCHEMA_VERSION`; keep a database made by the previous version under
`tests/runtime/data/` as a frozen fixture (see tests/runtime/test_store_migrations.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from runtime.errors import InputError
from runtime.store import sqlite_metrics

Step = Callable[[sqlite3.Connection], None]


def add_metric_columns(conn: sqlite3.Connection) -> None:
    """1 → 2: steps keep the facts the metrics group by as columns (label, confidence,
    who decided, agreement, rules that fired), filled from each stored step's JSON."""
    for column, kind in (("label", "TEXT"), ("confidence", "REAL"), ("decided_by", "TEXT"),
                         ("agrees", "INTEGER"), ("hit_rules", "TEXT")):
        conn.execute(f"ALTER TABLE steps ADD COLUMN {column} {kind}")
    sqlite_metrics.backfill(conn)


# (version the step upgrades from, the step). Version 1 is the first released schema.
STEPS: list[tuple[int, Step]] = [(1, add_metric_columns),
                                 (2, sqlite_metrics.add_person_column)]


class FutureSchemaError(InputError):
    """The database was written by a newer Junction."""


def stored_version(conn: sqlite3.Connection) -> int | None:
    """The schema version the database says it has; None for a new, empty database."""
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    if not has_meta:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 1


def upgrade(conn: sqlite3.Connection, target: int, path: Path | None = None) -> int:
    """Bring the database to `target`; returns the version it had (target if new)."""
    current = stored_version(conn)
    if current is None:
        return target
    if current > target:
        where = f"{path}: " if path else ""
        raise FutureSchemaError(
            f"{where}this workspace was written by a newer Junction (schema version "
            f"{current}; this one understands up to {target}). Upgrade Junction, or point "
            "--home at another workspace; nothing was changed")
    if current == target:
        return current
    pending = [(version, step) for version, step in sorted(STEPS, key=lambda s: s[0])
               if current <= version < target]
    missing = sorted(set(range(current, target)) - {version for version, _ in pending})
    if missing:
        raise InputError(f"no migration from schema version {missing[0]}; "
                         "this Junction cannot upgrade the workspace")
    if path is not None:
        backup(conn, path.with_name(f"{path.name}.v{current}.bak"))
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version, step in pending:
            step(conn)
            conn.execute("UPDATE meta SET value=? WHERE key='schema_version'",
                         (str(version + 1),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return current


def backup(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the database (SQLite's online backup, WAL included)."""
    if target.exists():
        return
    copy = sqlite3.connect(target)
    try:
        conn.backup(copy)
    finally:
        copy.close()
