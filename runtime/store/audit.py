"""The audit trail: an append-only, hash-chained log in the workspace database.

Every row carries the hash of the row before it, so editing or deleting a row breaks the
chain at that point and `junction audit verify` names it. Rows are written inside the same
transaction as the journal write they describe, so the log never says something happened
that the journal does not (and vice versa). SQLite triggers refuse UPDATE and DELETE on
the table; the chain is what catches someone who drops the triggers first. The chain head
is also kept in `meta`, so removing the newest rows is noticed too. (Someone who rewrites
every hash from the edit onwards and the head can forge a consistent log; compare the head
hash `verify` prints with one noted elsewhere to catch that.)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HEAD_KEY = "audit_head"

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

# The columns covered by each row's hash, in order.
HASHED = ("seq", "at", "actor", "kind", "run_id", "node_id", "subject", "before", "after",
          "flow_sha", "model", "data", "prev_hash")


@dataclass(frozen=True)
class Entry:
    """One thing that happened: who or what did it, to what, and how it looked before and
    after. `before`/`after`/`data` are JSON-able values."""

    kind: str
    actor: str
    run_id: str | None = None
    node_id: str | None = None
    subject: str | None = None
    before: Any = None
    after: Any = None
    flow_sha: str | None = None
    model: str | None = None
    data: Any = None


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=True, default=str)


def row_hash(row: dict[str, Any]) -> str:
    """sha256 over the hashed columns exactly as stored (text), chained by `prev_hash`."""
    payload = json.dumps([row.get(name) for name in HASHED], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(conn: sqlite3.Connection, entries: list[Entry]) -> None:
    """Append rows; the caller holds an IMMEDIATE transaction, so the chain head read here
    cannot move under us (another writer waits for our commit)."""
    if not entries:
        return
    last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(last["seq"]), str(last["hash"])) if last else (0, GENESIS)
    for entry in entries:
        seq += 1
        row = {
            "seq": seq,
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "actor": entry.actor, "kind": entry.kind, "run_id": entry.run_id,
            "node_id": entry.node_id, "subject": entry.subject,
            "before": _dump(entry.before), "after": _dump(entry.after),
            "flow_sha": entry.flow_sha or _flow_sha(conn, entry.run_id),
            "model": entry.model, "data": _dump(entry.data), "prev_hash": prev,
        }
        row["hash"] = prev = row_hash(row)
        conn.execute(f"INSERT INTO audit_log({', '.join(row)}) VALUES "
                     f"({', '.join('?' for _ in row)})", tuple(row.values()))
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
                 " value=excluded.value", (HEAD_KEY, f"{seq}:{prev}"))


_FLOW_SHA_CACHE: dict[str, str] = {}
_FLOW_SHA_CACHE_SIZE = 4096


def _flow_sha(conn: sqlite3.Connection, run_id: str | None) -> str | None:
    """A run's flow hash never changes, so it is looked up once per process."""
    if run_id is None:
        return None
    sha = _FLOW_SHA_CACHE.get(run_id)
    if sha is None:
        row = conn.execute("SELECT flow_sha FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            return None
        if len(_FLOW_SHA_CACHE) >= _FLOW_SHA_CACHE_SIZE:
            _FLOW_SHA_CACHE.clear()
        sha = _FLOW_SHA_CACHE[run_id] = str(row["flow_sha"])
    return sha


def step_entries(step: Any, actor: str) -> list[Entry]:
    """The audit rows of a journaled step: the step, its model call, each verdict."""
    call = step.model_call or {}
    model = call.get("model") if call else None
    entries = [Entry(
        "step", actor, run_id=step.run_id, node_id=step.node_id,
        subject=f"{step.node_id}#{step.visit}", model=model,
        after={"status": step.status, "kind": step.kind, "autonomy": step.autonomy,
               "decision": step.decision, "changes": step.changes or None,
               "next_node": step.next_node})]
    if call:
        entries.append(Entry(
            "model.call", f"ai:{call.get('provider')}", run_id=step.run_id,
            node_id=step.node_id, subject=f"{step.node_id}#{step.visit}", model=model,
            after=step.output,
            data={k: call.get(k) for k in ("provider", "attempts", "latency_ms", "tokens_in",
                                           "tokens_out", "confidence_kind")}
            | {"raw_sha256": _sha(call.get("raw")), "prompt_sha256": _sha(call.get("prompt"))}))
    for verdict in step.verdicts or []:
        entries.append(Entry(
            "guardrail", "guardrails", run_id=step.run_id, node_id=step.node_id,
            subject=verdict.get("field"), model=model, after=verdict,
            data={"autonomy": step.autonomy}))
    return entries


def task_entry(task_id: str, run_id: str, node_id: str, reason: str, allowed: list[str],
               packet: dict[str, Any], due_at: str | None, actor: str) -> Entry:
    return Entry("task.opened", actor, run_id=run_id, node_id=node_id, subject=task_id,
                 after={"reason": reason, "allowed": allowed, "due_at": due_at,
                        "proposal": packet.get("proposal"),
                        "guardrails": packet.get("guardrails")})


def _sha(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    return hashlib.sha256((_dump(value) or "").encode("utf-8")).hexdigest()


@dataclass
class Verification:
    ok: bool
    rows: int
    head: str | None
    broken_at: int | None = None
    problem: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "head": self.head,
                "broken_at": self.broken_at, "problem": self.problem, **self.details}


def verify(conn: sqlite3.Connection) -> Verification:
    """Walk the chain from the first row; stop at the first row that does not fit."""
    expected_seq, prev, count = 1, GENESIS, 0
    for raw in conn.execute("SELECT * FROM audit_log ORDER BY seq"):
        row = dict(raw)
        seq = int(row["seq"])
        if seq != expected_seq:
            one = seq == expected_seq + 1
            missing = f"row {expected_seq} is" if one else f"rows {expected_seq}–{seq - 1} are"
            return Verification(False, count, prev, expected_seq,
                                f"{missing} missing from the audit log (deleted); the chain "
                                f"breaks before row {seq}",
                                {"missing_from": expected_seq, "missing_to": seq - 1})
        if row["prev_hash"] != prev:
            return Verification(False, count, prev, seq,
                                f"row {seq} does not follow row {seq - 1}: the chain was "
                                "rewritten or a row was removed here")
        if row_hash(row) != row["hash"]:
            return Verification(False, count, prev, seq,
                                f"row {seq} ({row['kind']}, {row['at']}) was changed after it "
                                "was written: its contents no longer match its hash",
                                {"kind": row["kind"], "run_id": row["run_id"]})
        prev, expected_seq, count = str(row["hash"]), seq + 1, count + 1
    head = conn.execute("SELECT value FROM meta WHERE key=?", (HEAD_KEY,)).fetchone()
    if head is not None:
        head_seq, _, head_hash = str(head["value"]).partition(":")
        if int(head_seq) != count or head_hash != prev:
            first = count + 1
            return Verification(False, count, prev, first,
                                f"the log ends at row {count} but row {head_seq} was written: "
                                f"rows {first}–{head_seq} were removed from the end",
                                {"missing_from": first, "missing_to": int(head_seq)})
    return Verification(True, count, None if count == 0 else prev)


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
