"""The audit trail: an append-only, hash-chained log kept by every run store.

Every row carries the hash of the row before it, so editing or deleting a row breaks the
chain at that point and `junction audit verify` names it. Rows are written inside the same
transaction as the journal write they describe, so the log never says something happened
that the journal does not (and vice versa). The chain head is also kept apart from the
rows, so removing the newest rows is noticed too. (Someone who rewrites every hash from
the edit onwards and the head can forge a consistent log; compare the head hash `verify`
prints with one noted elsewhere to catch that.)

This module is what every store shares: the rows (`Entry`), how a row is hashed, and the
result of a check. How rows are stored and walked is the store's (SQLite:
`sqlite_audit.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime.json_text import hash_payload, value_text

GENESIS = "0" * 64
HEAD_KEY = "audit_head"

# The columns covered by each row's hash, in order.
HASHED = ("seq", "at", "actor", "kind", "run_id", "node_id", "subject", "before", "after",
          "flow_sha", "model", "data", "prev_hash")
# The stored columns, in the order `chained_rows` gives them.
COLUMNS = (*HASHED, "hash")


@dataclass(slots=True)
class Entry:
    """One thing that happened: who or what did it, to what, and how it looked before and
    after. `before`/`after`/`data` are JSON-able values. (Not frozen: a run writes a dozen
    and a frozen dataclass costs four times as much to build; nothing changes one.)"""

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


def dump(value: Any) -> str | None:
    """An audit value's stored text (canonical JSON; see runtime/json_text.py)."""
    if value is None:
        return None
    return value_text(value)


def chained_rows(groups: Iterable[tuple[str, list[Entry]]], seq: int, prev: str,
                 flow_sha_of: Callable[[str | None], str | None],
                 ) -> tuple[list[tuple[Any, ...]], int, str]:
    """The rows to insert (in `COLUMNS` order) for `groups` of entries, each group stamped
    with its own time, chained after the head (`seq`, `prev`); and the new head. Every
    store builds its rows here, so a chain copied from one store to another verifies."""
    rows = []
    sha256, payload = hashlib.sha256, hash_payload
    for at, entries in groups:
        for entry in entries:
            seq += 1
            values = [seq, at, entry.actor, entry.kind, entry.run_id, entry.node_id,
                      entry.subject, dump(entry.before), dump(entry.after),
                      entry.flow_sha or flow_sha_of(entry.run_id), entry.model,
                      dump(entry.data), prev]  # in HASHED order
            prev = sha256(payload(values)).hexdigest()
            values.append(prev)
            rows.append(tuple(values))
    return rows, seq, prev


def row_hash(row: Mapping[str, Any]) -> str:
    """sha256 over the hashed columns exactly as stored (text), chained by `prev_hash`:
    the compact canonical encoding is a JSON array of those texts in `HASHED` order."""
    return hashlib.sha256(hash_payload([row.get(name) for name in HASHED])).hexdigest()


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


def created_entry(run: Any, actor: str, context: dict[str, Any]) -> Entry:
    """The audit row of a new run: queued, or running when it was created claimed."""
    return Entry("run.created", actor, run_id=run.id, subject=run.case_id,
                 flow_sha=run.flow_sha, model=run.model_override,
                 after={"status": run.status.value, "autonomy": run.autonomy,
                        "batch_id": run.batch_id, "case": context.get("case")})


def status_entry(actor: str, run_id: str, current: str, target: Any,
                 fields: Mapping[str, Any]) -> Entry:
    """The audit row of a run's status change, with why (a block, an error, an outcome)."""
    why = {k: fields.get(k) for k in ("blocked_reason", "error", "outcome") if fields.get(k)}
    return Entry("run.status", actor, run_id=run_id, before={"status": current},
                 after={"status": target.value, **why})


def task_entry(task_id: str, run_id: str, node_id: str, reason: str, allowed: list[str],
               packet: dict[str, Any], due_at: str | None, actor: str) -> Entry:
    return Entry("task.opened", actor, run_id=run_id, node_id=node_id, subject=task_id,
                 after={"reason": reason, "allowed": allowed, "due_at": due_at,
                        "proposal": packet.get("proposal"),
                        "guardrails": packet.get("guardrails")})


def _sha(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    return hashlib.sha256((dump(value) or "").encode("utf-8")).hexdigest()


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


def walk_chain(rows: Iterable[Mapping[str, Any]]) -> Verification:
    """Walk the chain from the first row (in seq order, streamed); stop at the first row
    that does not fit. The store then checks its head and what only it can."""
    expected_seq, prev, count = 1, GENESIS, 0
    for row in rows:
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
    return Verification(True, count, None if count == 0 else prev)
