"""The audit trail in SQLite: append rows inside the caller's transaction, walk the chain.

SQLite triggers refuse UPDATE and DELETE on the table; the hash chain is what catches
someone who drops the triggers first. The chain head is kept in `meta`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from runtime.store.audit import (
    COLUMNS,
    GENESIS,
    HEAD_KEY,
    Entry,
    Verification,
    chained_rows,
    walk_chain,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    run_id TEXT,
    node_id TEXT,
    subject TEXT,
    before TEXT,
    after TEXT,
    flow_sha TEXT,
    model TEXT,
    data TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_run ON audit_log(run_id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def append(conn: sqlite3.Connection, entries: list[Entry]) -> None:
    """Append rows; the caller holds an IMMEDIATE transaction, so the chain head read here
    cannot move under us (another writer waits for our commit)."""
    if entries:
        append_groups(conn, [(stamp(), entries)])


def stamp() -> str:
    """When audit rows happened (microseconds): taken when their verb ran, even if they
    are appended later with the rest of a unit of work."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def append_groups(conn: sqlite3.Connection, groups: list[tuple[str, list[Entry]]]) -> None:
    """Append the rows of several verbs, each group with its own time, in one go: one read
    of the chain head, one prepared insert for all, one head update (a unit of work's
    audit rows are written this way just before its commit)."""
    if not any(entries for _, entries in groups):
        return
    last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    rows, seq, prev = chained_rows(groups, seq, prev, lambda run: _flow_sha(conn, run))
    conn.executemany(_INSERT_SQL, rows)  # one prepared statement for the batch
    conn.execute(_HEAD_SQL, (HEAD_KEY, f"{seq}:{prev}"))


_INSERT_SQL = (f"INSERT INTO audit_log({', '.join(COLUMNS)}) VALUES "
               f"({', '.join('?' for _ in COLUMNS)})")
_HEAD_SQL = ("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
             " value=excluded.value")


_FLOW_SHA_CACHE: dict[str, str] = {}
_FLOW_SHA_CACHE_SIZE = 4096


def remember_flow_sha(run_id: str, flow_sha: str) -> None:
    """A run's flow hash, for audit rows without a lookup (also a run created in the open
    unit and not yet in the table)."""
    if len(_FLOW_SHA_CACHE) >= _FLOW_SHA_CACHE_SIZE:
        _FLOW_SHA_CACHE.clear()
    _FLOW_SHA_CACHE[run_id] = flow_sha


def _flow_sha(conn: sqlite3.Connection, run_id: str | None) -> str | None:
    """A run's flow hash never changes, so it is looked up once per process."""
    if run_id is None:
        return None
    sha = _FLOW_SHA_CACHE.get(run_id)
    if sha is None:
        row = conn.execute("SELECT flow_sha FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            return None
        sha = str(row["flow_sha"])
        remember_flow_sha(run_id, sha)
    return sha


def verify(conn: sqlite3.Connection) -> Verification:
    """Walk the chain from the first row; stop at the first row that does not fit."""
    walked = walk_chain(dict(raw) for raw in conn.execute("SELECT * FROM audit_log ORDER BY seq"))
    if not walked.ok:
        return walked
    count, prev = walked.rows, walked.head or GENESIS
    head = conn.execute("SELECT value FROM meta WHERE key=?", (HEAD_KEY,)).fetchone()
    if head is None and count:
        return Verification(False, count, prev, count,
                            f"the stored chain head is missing although {count:,} rows exist: "
                            "without it rows cut from the end cannot be noticed, so its "
                            "removal is itself a break", {"head_missing": True})
    if head is not None:
        head_seq, _, head_hash = str(head["value"]).partition(":")
        if not head_seq.isdigit():
            return Verification(False, count, prev, count,
                                f"the stored chain head is unreadable ({head['value']!r})")
        if int(head_seq) != count or head_hash != prev:
            first = count + 1
            return Verification(False, count, prev, first,
                                f"the log ends at row {count} but row {head_seq} was written: "
                                f"rows {first}–{head_seq} were removed from the end",
                                {"missing_from": first, "missing_to": int(head_seq)})
    return _beyond_the_chain(conn, count, None if count == 0 else prev)


def _beyond_the_chain(conn: sqlite3.Connection, count: int, head: str | None) -> Verification:
    """The chain is whole: now the append-only triggers and the journal's agreement."""
    from runtime.store.sqlite_journal_check import first_disagreement

    missing = missing_triggers(conn)
    if missing:
        return Verification(False, count, head, None,
                            f"the append-only trigger(s) {', '.join(missing)} are missing: "
                            "audit rows could be edited or deleted unnoticed by SQLite",
                            {"missing_triggers": missing})
    noted = conn.execute("SELECT value FROM meta WHERE key=?", (TAMPER_KEY,)).fetchone()
    if noted is not None:
        return Verification(False, count, head, None,
                            f"the append-only triggers were found removed when the store was "
                            f"opened ({noted['value']}; restored since): rows may have been "
                            "edited while they were gone", {"triggers_found_missing": True})
    disagreement = first_disagreement(conn)
    if disagreement is not None:
        return Verification(False, count, head, None,
                            f"the journal disagrees with the audit trail: {disagreement}",
                            {"journal": {"table": disagreement.where, "key": disagreement.key}})
    return Verification(True, count, head)


TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
TAMPER_KEY = "audit_triggers_found_missing"


def note_missing_triggers(conn: sqlite3.Connection, missing: list[str]) -> None:
    """Remember (first time only) that the triggers were gone when the store was opened."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                 (TAMPER_KEY, f"{', '.join(missing)} missing at {stamp}"))
    conn.execute("COMMIT")


def missing_triggers(conn: sqlite3.Connection) -> list[str]:
    """Append-only triggers absent from the database (empty when the table is absent too)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit_log'"
                    ).fetchone() is None:
        return []
    present = {str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'")}
    return [name for name in TRIGGERS if name not in present]


def rows(conn: sqlite3.Connection, *, run_id: str | None = None,
         limit: int | None = None) -> list[dict[str, Any]]:
    """Audit rows, oldest first, with JSON columns decoded (for `junction audit log`)."""
    sql, args = "SELECT * FROM audit_log", []
    if run_id:
        sql += " WHERE run_id=?"
        args.append(run_id)
    sql += " ORDER BY seq"
    if limit:
        sql = f"SELECT * FROM ({sql.replace(' ORDER BY seq', '')} ORDER BY seq DESC" \
              f" LIMIT {int(limit)}) ORDER BY seq"
    result = []
    for raw in conn.execute(sql, args):
        row = dict(raw)
        for column in ("before", "after", "data"):
            row[column] = None if row[column] is None else json.loads(row[column])
        result.append(row)
    return result
