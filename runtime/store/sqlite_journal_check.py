"""Does the journal agree with what the audit trail says happened? (SQLite store.)

The hash chain proves the audit rows were not edited; it says nothing about the journal
tables next to it. Someone who edits a run's outcome, a task's decision or a record in
place leaves the chain intact, so `audit verify` also replays the trail and compares:

- each run's status (and outcome) with the last status the trail gave it;
- each decided, timed-out or cancelled task with the trail's row for that decision;
- each record change the sqlite connector applied with its `record.change` row;
- each record with the state the trail's last change of that case left it in.

The first disagreement found is named (table, key, what each side says).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from runtime.store.states import RunStatus

TASK_KINDS = {"decided": "decision", "timed_out": "task.timed_out", "cancelled": "task.cancelled"}
SQLITE_CONNECTOR = "connector:sqlite:"


@dataclass(frozen=True)
class Disagreement:
    where: str  # "runs", "tasks", "record_changes", "records"
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where} {self.key}: {self.problem}"


def first_disagreement(conn: sqlite3.Connection) -> Disagreement | None:
    trail = _Trail(conn)
    for check in (_runs, _tasks, _record_changes, _records):
        found = check(conn, trail)
        if found is not None:
            return found
    return None


class _Trail:
    """What the audit rows say, indexed once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.run_status: dict[str, tuple[int, dict[str, Any]]] = {}
        self.task_rows: dict[str, list[tuple[str, Any]]] = {}
        self.changes: dict[str, dict[str, Any]] = {}
        self.record_after: dict[str, tuple[str, Any]] = {}
        for row in conn.execute("SELECT seq, kind, actor, run_id, subject, after, data"
                                " FROM audit_log ORDER BY seq"):
            kind, after = row["kind"], _json(row["after"])
            if kind == "run.created":  # queued, or running when created claimed
                status = after.get("status") if isinstance(after, dict) else None
                self.run_status[row["run_id"]] = (row["seq"], {"status": status or "queued"})
            elif kind == "run.status" and isinstance(after, dict):
                self.run_status[row["run_id"]] = (row["seq"], after)
            elif kind in TASK_KINDS.values():
                self.task_rows.setdefault(row["subject"] or "", []).append((kind, after))
            elif kind == "record.change":
                data = _json(row["data"]) or {}
                key = data.get("idempotency_key")
                if key:  # a replay (after a crash) audits a change applied before it
                    self.changes.setdefault(key, {"changes": data.get("changes"),
                                                  "after": after, "seq": row["seq"]})
                if str(row["actor"]).startswith(SQLITE_CONNECTOR) and row["subject"]:
                    table = str(row["actor"])[len(SQLITE_CONNECTOR):]
                    self.record_after[f"{table}/{row['subject']}"] = (str(row["seq"]), after)


def _runs(conn: sqlite3.Connection, trail: _Trail) -> Disagreement | None:
    for row in conn.execute("SELECT id, status, outcome FROM runs ORDER BY created_at, id"):
        said = trail.run_status.get(row["id"])
        if said is None:
            return Disagreement("runs", row["id"], "the audit trail has no row creating "
                                                   "this run")
        seq, after = said
        if after.get("status") != row["status"]:
            return Disagreement("runs", row["id"], f"the journal says '{row['status']}', the "
                                f"audit trail's last word (row {seq}) is "
                                f"'{after.get('status')}'")
        if row["status"] == RunStatus.completed.value and after.get("outcome") != row["outcome"]:
            return Disagreement("runs", row["id"], f"the journal's outcome is "
                                f"'{row['outcome']}', the audit trail (row {seq}) says "
                                f"'{after.get('outcome')}'")
    return None


def _tasks(conn: sqlite3.Connection, trail: _Trail) -> Disagreement | None:
    for row in conn.execute("SELECT id, status, decision FROM tasks ORDER BY created_at, id"):
        kind = TASK_KINDS.get(row["status"])
        if kind is None:
            continue
        rows = [after for k, after in trail.task_rows.get(row["id"], []) if k == kind]
        if not rows:
            return Disagreement("tasks", row["id"], f"the journal says '{row['status']}' but "
                                                    "the audit trail never recorded it")
        decision = _json(row["decision"])
        if kind != "task.cancelled" and not any(
                isinstance(a, dict) and a.get("decision") == decision for a in rows):
            return Disagreement("tasks", row["id"], f"the journal's decision {decision} is not "
                                                    "the one the audit trail recorded")
    return None


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                        (name,)).fetchone() is not None


def _record_changes(conn: sqlite3.Connection, trail: _Trail) -> Disagreement | None:
    if not _has_table(conn, "record_changes"):
        return None
    for row in conn.execute("SELECT idempotency_key, changes FROM record_changes"
                            " ORDER BY applied_at, idempotency_key"):
        said = trail.changes.get(row["idempotency_key"])
        if said is None:
            return Disagreement("record_changes", row["idempotency_key"],
                                "applied, but the audit trail has no record.change row for it"
                                " (if a run was interrupted here, `junction resume` audits it)")
        if said["changes"] != _json(row["changes"]):
            return Disagreement("record_changes", row["idempotency_key"],
                                f"the journal says {_json(row['changes'])}, the audit trail "
                                f"(row {said['seq']}) says {said['changes']}")
    return None


def _records(conn: sqlite3.Connection, trail: _Trail) -> Disagreement | None:
    if not _has_table(conn, "records"):
        return None
    for row in conn.execute("SELECT tbl, case_id, data FROM records ORDER BY tbl, case_id"):
        key = f"{row['tbl']}/{row['case_id']}"
        said = trail.record_after.get(key)
        data = _json(row["data"])
        if said is None:
            continue  # seeded before Junction changed it: nothing to compare with
        if said[1] != data:
            return Disagreement("records", key, f"the record holds {data}, the audit trail's "
                                                f"last change (row {said[0]}) left {said[1]}")
    return None


def _json(text: Any) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text
