"""The connectors' own tables in the SQLite workspace file, on their own connection.

They sit beside the run store's tables in the same file (one file per workspace is what a
user backs up) but the store neither declares nor touches them, and the connectors never
use the store's connection of their own accord. The two connections never nest
transactions. The one meeting point is `SqliteRecordTable.apply_within`: the store, writing
the same file, hands over its open transaction so that a record change commits together
with its step and audit rows (see ports.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from runtime.connectors.base import ApplyResult
from runtime.connectors.ports import APPLIED, PENDING, ConnectorTables, LedgerEntry
from runtime.sqlite_db import connect, dumps, now, transaction

SCHEMA = """
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


class _Tables:
    """One lazily opened connection shared by the ledger and the record table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def conn(self) -> sqlite3.Connection:
        with self._lock:
            if self._conn is None:
                self._conn = connect(self.path, SCHEMA)
            return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class SqliteSendLedger:
    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    def get(self, connector: str, key: str) -> LedgerEntry | None:
        row = self._tables.conn.execute(
            "SELECT * FROM connector_ledger WHERE connector=? AND idempotency_key=?",
            (connector, key)).fetchone()
        return None if row is None else _entry(row)

    def begin(self, connector: str, key: str, case_id: str, changes: dict[str, Any],
              before: dict[str, Any], after: dict[str, Any]) -> None:
        stamp = now()
        with transaction(self._tables.conn, durable=True) as c:
            c.execute(
                "INSERT INTO connector_ledger(connector, idempotency_key, case_id, changes,"
                " before, after, status, sends, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,1,?,?)"
                " ON CONFLICT(connector, idempotency_key) DO UPDATE SET status=excluded.status,"
                " before=excluded.before, after=excluded.after, sends=sends+1,"
                " updated_at=excluded.updated_at",
                (connector, key, case_id, dumps(changes), dumps(before), dumps(after), PENDING,
                 stamp, stamp))

    def finish(self, connector: str, key: str, status: str, detail: str = "") -> None:
        with transaction(self._tables.conn) as c:
            c.execute("UPDATE connector_ledger SET status=?, detail=?, updated_at=?"
                      " WHERE connector=? AND idempotency_key=?",
                      (status, detail or None, now(), connector, key))

    def answer(self, connector: str, key: str, status: str, detail: str, *,
               sends: int | None) -> bool:
        with transaction(self._tables.conn, durable=True) as c:
            cur = c.execute(
                "UPDATE connector_ledger SET status=?, detail=?, updated_at=?"
                " WHERE connector=? AND idempotency_key=? AND status=?"
                " AND (? IS NULL OR sends=?)",
                (status, detail or None, now(), connector, key, PENDING, sends, sends))
            return cur.rowcount == 1

    def mirror(self, connector: str, case_id: str) -> dict[str, Any]:
        row = self._tables.conn.execute(
            "SELECT after FROM connector_ledger WHERE connector=? AND case_id=?"
            " AND status=? ORDER BY updated_at DESC, rowid DESC LIMIT 1",
            (connector, case_id, APPLIED)).fetchone()
        return {} if row is None else dict(json.loads(row["after"]))

    def entries(self, connector: str | None = None) -> list[LedgerEntry]:
        sql, args = "SELECT * FROM connector_ledger", []
        if connector:
            sql += " WHERE connector=?"
            args.append(connector)
        rows = self._tables.conn.execute(sql + " ORDER BY created_at, rowid", args).fetchall()
        return [_entry(row) for row in rows]

    def close(self) -> None:
        self._tables.close()


class SqliteRecordTable:
    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    def read(self, table: str, case_id: str) -> dict[str, Any]:
        row = self._tables.conn.execute("SELECT data FROM records WHERE tbl=? AND case_id=?",
                                        (table, case_id)).fetchone()
        return {} if row is None else dict(json.loads(row["data"]))

    def apply(self, table: str, case_id: str, changes: dict[str, Any],
              key: str) -> ApplyResult:
        with transaction(self._tables.conn) as c:
            return _apply_on(c, table, case_id, changes, key)

    def apply_within(self, handle: Any, table: str, case_id: str, changes: dict[str, Any],
                     key: str) -> ApplyResult:
        return _apply_on(handle, table, case_id, changes, key)

    def prepare(self) -> None:
        self._tables.conn  # opening the connection creates the tables  # noqa: B018

    def all_records(self, table: str) -> dict[str, dict[str, Any]]:
        rows = self._tables.conn.execute("SELECT case_id, data FROM records WHERE tbl=?"
                                         " ORDER BY case_id", (table,))
        return {r["case_id"]: json.loads(r["data"]) for r in rows}

    def close(self) -> None:
        self._tables.close()


def open_sqlite_tables(path: Path) -> ConnectorTables:
    """The connectors' tables in the workspace database at `path` (opened on first use)."""
    tables = _Tables(path)
    return ConnectorTables(ledger=SqliteSendLedger(tables), records=SqliteRecordTable(tables),
                           location=path.resolve())


_REPLAY_SQL = "SELECT before, after FROM record_changes WHERE idempotency_key=?"
_READ_SQL = "SELECT data FROM records WHERE tbl=? AND case_id=?"
_UPSERT_SQL = ("INSERT INTO records(tbl, case_id, data, updated_at) VALUES (?,?,?,?)"
               " ON CONFLICT(tbl, case_id) DO UPDATE SET data=excluded.data,"
               " updated_at=excluded.updated_at")
_CHANGE_SQL = ("INSERT OR IGNORE INTO record_changes(idempotency_key, tbl, case_id, changes,"
               " before, after, applied_at) VALUES (?,?,?,?,?,?,?)")

# A change whose key cannot have been applied before (see `_apply_later`).
_NEW_CHANGE_SQL = _CHANGE_SQL.replace("INSERT OR IGNORE", "INSERT", 1)


def _merged(before: dict[str, Any], table: str, case_id: str, changes: dict[str, Any],
            key: str) -> tuple[dict[str, Any], str, tuple[Any, ...]]:
    """The record after `changes`, its text, and the change's row (in `_CHANGE_SQL` order)."""
    after = {**before, **changes}
    after_text = dumps(after)
    return after, after_text, (key, table, case_id, dumps(changes), dumps(before),
                               after_text, now())


def _read(c: Any, table: str, case_id: str) -> dict[str, Any]:
    row = c.execute(_READ_SQL, (table, case_id)).fetchone()
    return {} if row is None else dict(json.loads(row[0]))


def _apply_later(c: Any, table: str, case_id: str, changes: dict[str, Any],
                 key: str) -> ApplyResult:
    """A change for a run the store keeps back until its unit commits (the store's
    `KeptWork` handle): the record as this unit left it (remembered), or as the table
    holds it; both writes wait with the run's rows. Its key is new (the store offers this
    handle only then), so there is no earlier result to replay: a plain INSERT, which
    would fail the unit loudly rather than apply a change twice."""
    remembered = c.memo.get(("record", table, case_id))
    before = _read(c, table, case_id) if remembered is None else dict(remembered)
    after, after_text, change = _merged(before, table, case_id, changes, key)
    c.later(_NEW_CHANGE_SQL, change)
    c.later(_UPSERT_SQL, (table, case_id, after_text, change[-1]))
    c.memo["record", table, case_id] = dict(after)
    return ApplyResult(before, after)


def _apply_on(c: Any, table: str, case_id: str, changes: dict[str, Any],
              key: str) -> ApplyResult:
    """Merge `changes` and remember `key` on a connection already in a write transaction;
    a key seen before returns its first result (`replayed`) and writes nothing.

    The change is remembered first (`INSERT OR IGNORE` on the key): a first application
    then costs three statements instead of four; only a replay reads its first result.
    A handle that can write later (see `_apply_later`) takes the change that way."""
    if hasattr(c, "later"):
        return _apply_later(c, table, case_id, changes, key)
    before = _read(c, table, case_id)
    after, after_text, change = _merged(before, table, case_id, changes, key)
    cur = c.execute(_CHANGE_SQL, change)
    if cur.rowcount == 0:  # this key was applied before: its first result, nothing written
        done = c.execute(_REPLAY_SQL, (key,)).fetchone()
        return ApplyResult(json.loads(done[0]), json.loads(done[1]), replayed=True)
    c.execute(_UPSERT_SQL, (table, case_id, after_text, change[-1]))
    return ApplyResult(before, after)


def _entry(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(row["connector"], row["idempotency_key"], row["case_id"],
                       json.loads(row["changes"]), json.loads(row["before"]),
                       json.loads(row["after"]), row["status"], int(row["sends"]),
                       row["detail"])
