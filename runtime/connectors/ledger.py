"""The send ledger for systems of record that cannot keep our idempotency keys themselves.

A file or a webhook cannot store "change set K was applied" atomically with the change.
So before sending, the change set is written here as `pending` (committed); after the
system confirms, it becomes `applied`. A `pending` entry found on a resend means the
previous attempt may or may not have landed: the connector reconciles (looks at the
record, or asks the server) before sending anything again, and when it cannot tell, the
run blocks and a person decides (`applied` / `absent`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from runtime.store.db import transaction
from runtime.store.runs import dumps, now

PENDING, APPLIED, ABSENT = "pending", "applied", "absent"


@dataclass(frozen=True)
class LedgerEntry:
    connector: str
    key: str
    case_id: str
    changes: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    status: str
    sends: int
    detail: str | None


def get(conn: sqlite3.Connection, connector: str, key: str) -> LedgerEntry | None:
    row = conn.execute("SELECT * FROM connector_ledger WHERE connector=? AND idempotency_key=?",
                       (connector, key)).fetchone()
    if row is None:
        return None
    return LedgerEntry(row["connector"], row["idempotency_key"], row["case_id"],
                       json.loads(row["changes"]), json.loads(row["before"]),
                       json.loads(row["after"]), row["status"], int(row["sends"]),
                       row["detail"])


def begin(conn: sqlite3.Connection, connector: str, key: str, case_id: str,
          changes: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
    """Commit the intent to send (and count the send) before anything leaves the process."""
    stamp = now()
    with transaction(conn, durable=True) as c:
        c.execute(
            "INSERT INTO connector_ledger(connector, idempotency_key, case_id, changes, before,"
            " after, status, sends, created_at, updated_at) VALUES (?,?,?,?,?,?,?,1,?,?)"
            " ON CONFLICT(connector, idempotency_key) DO UPDATE SET status=excluded.status,"
            " before=excluded.before, after=excluded.after, sends=sends+1,"
            " updated_at=excluded.updated_at",
            (connector, key, case_id, dumps(changes), dumps(before), dumps(after), PENDING,
             stamp, stamp))


def finish(conn: sqlite3.Connection, connector: str, key: str, status: str,
           detail: str = "") -> None:
    with transaction(conn) as c:
        resolve(c, connector, key, status, detail)


def resolve(conn: sqlite3.Connection, connector: str, key: str, status: str,
            detail: str = "") -> None:
    """Set an entry's status inside the caller's transaction (a person's answer is
    recorded together with their decision)."""
    conn.execute("UPDATE connector_ledger SET status=?, detail=?, updated_at=?"
                 " WHERE connector=? AND idempotency_key=?",
                 (status, detail or None, now(), connector, key))


def mirror(conn: sqlite3.Connection, connector: str, case_id: str) -> dict[str, Any]:
    """The record as this connector last wrote it (for systems Junction cannot read)."""
    row = conn.execute("SELECT after FROM connector_ledger WHERE connector=? AND case_id=?"
                       " AND status=? ORDER BY updated_at DESC, rowid DESC LIMIT 1",
                       (connector, case_id, APPLIED)).fetchone()
    return {} if row is None else dict(json.loads(row["after"]))


def entries(conn: sqlite3.Connection, connector: str | None = None) -> list[LedgerEntry]:
    sql, args = "SELECT connector, idempotency_key FROM connector_ledger", []
    if connector:
        sql += " WHERE connector=?"
        args.append(connector)
    found = []
    for row in conn.execute(sql + " ORDER BY created_at, rowid", args).fetchall():
        entry = get(conn, row["connector"], row["idempotency_key"])
        if entry is not None:
            found.append(entry)
    return found
