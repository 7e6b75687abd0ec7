"""Move a workspace's history between stores: a laptop's SQLite file to the team's
PostgreSQL server, and back (`junction store copy SRC DST`).

Everything moves verbatim — flow snapshots, runs, steps, tasks, the audit rows with their
hashes, and the connectors' records, change log and send ledger — so the audit chain is
the same chain afterwards: the destination is verified and its head must equal the
source's. The destination must hold no history yet (merging two chains would fork them);
the copy is one transaction there, so a failed copy leaves it empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.errors import ConflictError, InputError, JunctionError
from runtime.store.audit import HEAD_KEY
from runtime.store.open import sqlite_path
from runtime.urls import is_postgres_url, redact

# In the order rows must be inserted (references point backwards), with the order to read.
TABLES: tuple[tuple[str, str], ...] = (
    ("flow_snapshots", "sha"),
    ("runs", "created_at, id"),
    ("steps", "id"),
    ("tasks", "created_at, id"),
    ("audit_log", "seq"),
    ("records", "tbl, case_id"),
    ("record_changes", "applied_at, idempotency_key"),
    ("connector_ledger", "created_at, {ord}"),
)
# Columns one store adds for its own bookkeeping (insertion order on PostgreSQL).
_LOCAL_COLUMNS = {"ord"}


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)
    audit_rows: int = 0
    audit_head: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"copied": self.counts, "audit_rows": self.audit_rows,
                "audit_head": self.audit_head, "verified": True}


def copy_history(source: str, target: str) -> CopyReport:
    """Copy every table from `source` to the empty `target`, verifying the audit chain
    before (a tampered source is refused, the target left untouched) and after (on the
    target: the same rows, the same head)."""
    if _same(source, target):
        raise InputError("the source and the destination are the same store")
    with _side(source, create=False) as src:
        src_head = src.head()
        before = src.verify()  # a broken chain is not spread to a second store
        if not before.ok:
            raise JunctionError(f"{_name(source)}: the audit chain does not verify "
                                f"({before.problem}); nothing was copied — `junction audit "
                                "verify` names the row")
        with _side(target, create=True) as dst:
            if dst.has_history():
                raise ConflictError(f"{_name(target)} already holds runs or audit rows; copy "
                                    "into an empty store (merging two histories would fork "
                                    "the audit chain)")
            tables = {name: src.rows(name, order) for name, order in TABLES}
            dst.write(tables, src_head)
            check = dst.verify()
            if not check.ok:
                raise JunctionError(f"the audit chain did not verify after the copy: "
                                    f"{check.problem}")
            if src_head and check.head != src_head.partition(":")[2]:
                raise JunctionError("the copied audit chain ends at a different row than "
                                    "the source's; the copy is incomplete")
    return CopyReport({name: len(rows) for name, rows in tables.items()}, check.rows,
                      check.head)


def _same(a: str, b: str) -> bool:
    if is_postgres_url(a) or is_postgres_url(b):
        return a == b
    return sqlite_path(a).resolve() == sqlite_path(b).resolve()


def _name(url: str) -> str:
    return redact(url) if is_postgres_url(url) else str(sqlite_path(url))


class _Sqlite:
    def __init__(self, path: Path, create: bool) -> None:
        from runtime.connectors.sqlite_tables import SCHEMA as CONNECTOR_SCHEMA
        from runtime.store import db

        if not create and not path.exists():
            raise InputError(f"{path}: no such store file")
        self.conn = db.connect(path)
        self.conn.executescript(CONNECTOR_SCHEMA)

    def head(self) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (HEAD_KEY,)).fetchone()
        return None if row is None else str(row[0])

    def has_history(self) -> bool:
        return any(self.conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
                   for t in ("runs", "audit_log", "records"))

    def rows(self, table: str, order: str) -> list[dict[str, Any]]:
        sql = f"SELECT * FROM {table} ORDER BY {order.format(ord='rowid')}"
        return [dict(r) for r in self.conn.execute(sql)]

    def write(self, tables: dict[str, list[dict[str, Any]]], head: str | None) -> None:
        from runtime.sqlite_db import transaction
        from runtime.store import sqlite_metrics

        with transaction(self.conn, durable=True) as c:
            for name, rows in tables.items():
                if rows:
                    cols = [k for k in rows[0] if k not in _LOCAL_COLUMNS]
                    c.executemany(f"INSERT INTO {name}({', '.join(cols)}) VALUES "
                                  f"({', '.join('?' for _ in cols)})",
                                  [tuple(r[k] for k in cols) for r in rows])
            if head:
                c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO "
                          "UPDATE SET value=excluded.value", (HEAD_KEY, head))
            sqlite_metrics.backfill(c)  # the laptop store's metric columns, from the JSON

    def verify(self) -> Any:
        from runtime.store import sqlite_audit

        return sqlite_audit.verify(self.conn)

    def close(self) -> None:
        self.conn.close()


class _Postgres:
    def __init__(self, url: str) -> None:
        from runtime.pg_db import Handle
        from runtime.store import pg_schema

        self.db = Handle(url)
        pg_schema.ensure(self.db)

    def head(self) -> str | None:
        with self.db.read() as c:
            row = c.execute("SELECT value FROM meta WHERE key=%s", (HEAD_KEY,)).fetchone()
        return None if row is None else str(row["value"])

    def has_history(self) -> bool:
        with self.db.read() as c:
            return any(c.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
                       for t in ("runs", "audit_log", "records"))

    def rows(self, table: str, order: str) -> list[dict[str, Any]]:
        with self.db.read() as c:
            rows = c.execute(f"SELECT * FROM {table} ORDER BY {order.format(ord='ord')}")
            return [{k: v for k, v in r.items() if k not in _LOCAL_COLUMNS} for r in rows]

    def write(self, tables: dict[str, list[dict[str, Any]]], head: str | None) -> None:
        with self.db.write() as c:
            for name, rows in tables.items():
                if not rows:
                    continue
                known = {r["column_name"] for r in c.execute(
                    "SELECT column_name FROM information_schema.columns WHERE"
                    " table_name=%s AND table_schema=current_schema()", (name,))}
                cols = [k for k in rows[0] if k not in _LOCAL_COLUMNS and k in known]
                with c.cursor() as cur:
                    cur.executemany(f"INSERT INTO {name}({', '.join(cols)}) VALUES "
                                    f"({', '.join('%s' for _ in cols)})",
                                    [tuple(r[k] for k in cols) for r in rows])
            c.execute("SELECT setval(pg_get_serial_sequence('steps', 'id'),"
                      " GREATEST((SELECT COALESCE(MAX(id), 0) FROM steps), 1))")
            if head:
                c.execute("INSERT INTO meta(key, value) VALUES (%s, %s) ON CONFLICT (key) DO"
                          " UPDATE SET value=excluded.value", (HEAD_KEY, head))

    def verify(self) -> Any:
        from runtime.store import pg_audit

        with self.db.read() as c:
            return pg_audit.verify(c)

    def close(self) -> None:
        self.db.close()


@contextmanager
def _side(url: str, *, create: bool) -> Iterator[Any]:
    side: _Sqlite | _Postgres = (_Postgres(url) if is_postgres_url(url)
                                 else _Sqlite(sqlite_path(url), create))
    try:
        yield side
    finally:
        side.close()
