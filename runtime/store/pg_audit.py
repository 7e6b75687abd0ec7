"""The audit trail on PostgreSQL: append inside the caller's transaction, walk the chain.

The caller holds the store's write lock (runtime/pg_db.py), so the head read here cannot
move under us: appends from any number of connections and machines form one chain. A
trigger refuses UPDATE and DELETE; the hash chain catches someone who drops it first.
Rows are hashed exactly as the SQLite store hashes them (runtime/store/audit.py), so a
chain copied between the two stores still verifies.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from runtime.pg_db import Connection
from runtime.store.audit import (
    COLUMNS,
    GENESIS,
    HEAD_KEY,
    Entry,
    Verification,
    chained_rows,
    walk_chain,
)

_INSERT = (f"INSERT INTO audit_log({', '.join(COLUMNS)}) VALUES "
           f"({', '.join('%s' for _ in COLUMNS)})")


def head(conn: Connection) -> tuple[int, str]:
    row = conn.execute("SELECT value FROM meta WHERE key=%s", (HEAD_KEY,)).fetchone()
    if row is None:
        return 0, GENESIS
    seq, _, value = str(row["value"]).partition(":")
    return int(seq), value


def append(conn: Connection, entries: list[Entry]) -> None:
    if not entries:
        return
    seq, prev = head(conn)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    rows, seq, prev = chained_rows([(at, entries)], seq, prev,
                                   lambda run: _flow_sha(conn, run))
    insert_rows(conn, rows, seq, prev)


def insert_rows(conn: Connection, rows: list[tuple[Any, ...]], seq: int, last: str) -> None:
    """Insert rows already hashed (in COLUMNS order) and move the head to (seq, last)."""
    with conn.cursor() as cur:
        cur.executemany(_INSERT, rows)
    conn.execute("INSERT INTO meta(key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE"
                 " SET value=excluded.value", (HEAD_KEY, f"{seq}:{last}"))


_FLOW_SHA_CACHE: dict[str, str] = {}


def _flow_sha(conn: Connection, run_id: str | None) -> str | None:
    if run_id is None:
        return None
    sha = _FLOW_SHA_CACHE.get(run_id)
    if sha is None:
        row = conn.execute("SELECT flow_sha FROM runs WHERE id=%s", (run_id,)).fetchone()
        if row is None:
            return None
        if len(_FLOW_SHA_CACHE) >= 4096:
            _FLOW_SHA_CACHE.clear()
        sha = _FLOW_SHA_CACHE[run_id] = str(row["flow_sha"])
    return sha


def verify(conn: Connection) -> Verification:
    """Walk the chain from the first row (streamed); stop at the first row that does not fit."""
    with conn.cursor(name="junction_audit_verify") as cur, conn.transaction():
        cur.execute("SELECT * FROM audit_log ORDER BY seq")
        result = walk_chain(cur)
    if not result.ok:
        return result
    stored_seq, stored_hash = head(conn)
    if stored_seq and (stored_seq != result.rows or stored_hash != result.head):
        first = result.rows + 1
        return Verification(False, result.rows, result.head, first,
                            f"the log ends at row {result.rows} but row {stored_seq} was "
                            f"written: rows {first}–{stored_seq} were removed from the end",
                            {"missing_from": first, "missing_to": stored_seq})
    return result



def rows(conn: Connection, *, run_id: str | None = None,
         limit: int | None = None) -> list[dict[str, Any]]:
    where, args = ("WHERE run_id=%s", [run_id]) if run_id else ("", [])
    sql = f"SELECT * FROM audit_log {where} ORDER BY seq"
    if limit:
        sql = (f"SELECT * FROM (SELECT * FROM audit_log {where} ORDER BY seq DESC"
               f" LIMIT {int(limit)}) AS newest ORDER BY seq")
    result = []
    for row in conn.execute(sql, args).fetchall():
        for column in ("before", "after", "data"):
            row[column] = None if row[column] is None else json.loads(row[column])
        result.append(row)
    return result
