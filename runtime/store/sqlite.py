"""The run store in one SQLite file per workspace (see runtime/store/base.py for the promises).

How the promises are kept here: every verb is one `BEGIN IMMEDIATE` transaction (the
database's write lock is taken before the first read, so read-modify-write verbs are
serialised across processes); WAL mode makes every commit survive the process being
killed; verbs promised *durable* commit with `synchronous=FULL` (an fsync of the WAL).
The audit rows of a write are appended inside the same transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

from runtime.errors import ConflictError, NotFoundError
from runtime.sqlite_db import dumps, loads, now
from runtime.store import sqlite_audit as audit
from runtime.store import sqlite_metrics
from runtime.store.audit import (
    Entry,
    Verification,
    created_entry,
    status_entry,
    step_entries,
    task_entry,
)
from runtime.store.base import Finish, RunStore, Within
from runtime.store.db import connect
from runtime.store.metric_rows import DecidedStep, FlowSnapshot, MetricFacts, MetricQuery
from runtime.store.rows import (
    JSON_STEP_COLUMNS,
    RETRYABLE_BLOCKS,
    RUN_INSERT_COLUMNS,
    NewStep,
    RunCounts,
    RunPage,
    RunQuery,
    RunRow,
    StepRow,
    TaskQuery,
    TaskRow,
    new_id,
    new_run_row,
    owner_alive,
    this_process,
)
from runtime.store.sqlite_group import UnitRuns
from runtime.store.sqlite_units import SqliteWrites
from runtime.store.states import RunStatus, check_move

_NEXT_SEQ_SQL = "SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE run_id=?"
_INSERT_STEP_SQL = (
    "INSERT INTO steps(run_id, seq, node_id, kind, visit, attempt, status, autonomy,"
    " inputs, model_call, output, decision, changes, verdicts, next_node, error,"
    " started_at, finished_at, duration_ms, label, confidence, decided_by, agrees,"
    " hit_rules) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")

_INSERT_RUN_SQL = (f"INSERT INTO runs({', '.join(RUN_INSERT_COLUMNS)})"
                   f" VALUES ({', '.join('?' for _ in RUN_INSERT_COLUMNS)})")

_RUN_ORDER = {
    "newest": "created_at DESC, id DESC",
    "oldest": "created_at, id",
    "updated": "updated_at DESC, id DESC",
    "case": "case_id, created_at, id",
}


# RunQuery.filters: a case-insensitive "contains"
_CONTAINS = "instr(lower({col}), lower({mark})) > 0"


class SqliteRunStore(RunStore):
    """Runs, steps, tasks and the audit trail in the workspace's SQLite file.

    Every write also appends to the audit trail (store/audit.py) inside the same
    transaction: status changes, steps with their model calls and guardrail verdicts,
    tasks, decisions and record changes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.workspace_dir = path.parent
        self.database_path = path.resolve()
        self._raw = connect(path)
        # Flow snapshots this store has written (committed or in the open unit): each is
        # inserted once, not with every run; forgotten when a unit is undone.
        self._snapshots: set[str] = set()
        # Runs created claimed in the open unit, kept back until its commit (sqlite_group)
        self._unit_runs = UnitRuns(_INSERT_STEP_SQL)
        self._writes = SqliteWrites(self._raw, on_rollback=self._forget_unit,
                                    before_write=self._write_kept)
        self._tx = self._writes.verb
        self._audit = self._writes.note
        self.actor = f"engine@{this_process()}"

    @property
    def _conn(self) -> sqlite3.Connection:
        """The connection, for reads: whatever the open unit kept back is written first,
        so every statement sees the tables as they stand in the unit."""
        self._write_kept()
        return self._raw

    def _write_kept(self) -> None:
        if self._unit_runs:
            self._unit_runs.write(self._raw)

    def _forget_unit(self) -> None:
        self._snapshots.clear()
        self._unit_runs.clear()

    def close(self) -> None:
        self.end_unit()
        self._raw.close()

    # -- units of work (see RunStore.begin_unit; sqlite_units.py) ------------

    def begin_unit(self) -> None:
        self._writes.begin_unit()

    def rollback_unit(self) -> None:
        self._writes.rollback_unit()

    def work_in_unit(self, within: Within, *, run_id: str | None = None
                     ) -> list[Entry] | None:
        if run_id in self._unit_runs.created and self._writes.unit_open:
            return self._unit_runs.work(self._raw, within)  # kept back with the run
        return self._writes.work_in_unit(within)

    def end_unit(self) -> None:
        self._writes.end_unit()

    # -- runs --------------------------------------------------------------

    def create_run(
        self, *, flow_text: str, flow_sha: str, flow_name: str, flow_path: str | None,
        case_id: str, context: dict[str, Any], batch_id: str | None = None,
        autonomy: str | None = None, model_override: str | None = None,
        claim_at: str | None = None,
    ) -> tuple[RunRow, bool]:
        """Insert a queued run (or one claimed at `claim_at`, see RunStore.create_run); with
        a batch id, an existing run for the case is returned instead (second value False)
        so a re-run batch never runs a case twice."""
        stamp = now()
        if claim_at is not None and self._writes.unit_open:
            return self._create_in_unit(
                flow_text=flow_text, flow_sha=flow_sha, flow_name=flow_name,
                flow_path=flow_path, case_id=case_id, context=context, batch_id=batch_id,
                autonomy=autonomy, model_override=model_override, claim_at=claim_at,
                stamp=stamp)
        with self._tx() as c:
            if batch_id is not None:
                row = c.execute("SELECT * FROM runs WHERE batch_id=? AND case_id=?",
                                (batch_id, case_id)).fetchone()
                if row is not None:
                    return RunRow.from_row(row), False
            self._keep_snapshot(c, flow_sha, flow_name, flow_path, flow_text, stamp)
            run = new_run_row(flow_sha=flow_sha, flow_name=flow_name, flow_path=flow_path,
                              case_id=case_id, batch_id=batch_id, autonomy=autonomy,
                              model_override=model_override, stamp=stamp, claim_at=claim_at)
            text = dumps(context)
            c.execute(_INSERT_RUN_SQL, (*run.insert_values(), text))
            self._audit([created_entry(run, self.actor, context)])
        self._snapshots.add(flow_sha)
        # the row as inserted (not read back: the context as its stored text decodes)
        return replace(run, context=loads(text)), True

    def _create_in_unit(self, *, flow_text: str, flow_sha: str, flow_name: str,
                        flow_path: str | None, case_id: str, context: dict[str, Any],
                        batch_id: str | None, autonomy: str | None,
                        model_override: str | None, claim_at: str,
                        stamp: str) -> tuple[RunRow, bool]:
        """A claimed run created in the open unit: kept back (sqlite_group.py) until the
        unit commits, or until anything else reads or writes this connection."""
        c = self._raw
        if batch_id is not None:
            kept = self._unit_runs.batch_run(batch_id, case_id)
            if kept is not None:
                return kept, False
            row = c.execute("SELECT * FROM runs WHERE batch_id=? AND case_id=?",
                            (batch_id, case_id)).fetchone()
            if row is not None:
                return RunRow.from_row(row), False
        self._keep_snapshot(c, flow_sha, flow_name, flow_path, flow_text, stamp)
        self._snapshots.add(flow_sha)  # no savepoint here: only the unit undone undoes it
        text = dumps(context)  # the context as its stored text decodes (the caller's own)
        run = new_run_row(flow_sha=flow_sha, flow_name=flow_name, flow_path=flow_path,
                          case_id=case_id, batch_id=batch_id, autonomy=autonomy,
                          model_override=model_override, stamp=stamp, claim_at=claim_at,
                          context=loads(text))
        self._unit_runs.add_created(run, text)
        audit.remember_flow_sha(run.id, flow_sha)
        self._writes.note_in_unit([created_entry(run, self.actor, context)])
        return run, True

    def _keep_snapshot(self, c: sqlite3.Connection, flow_sha: str, flow_name: str,
                       flow_path: str | None, flow_text: str, stamp: str) -> None:
        """The flow text a run is pinned to, inserted once per store (snapshots are never
        deleted; the caller remembers it once its write stands, and a unit undone forgets
        it: see `_forget_unit`)."""
        if flow_sha not in self._snapshots:
            c.execute("INSERT OR IGNORE INTO flow_snapshots(sha, name, path, text,"
                      " created_at) VALUES (?,?,?,?,?)",
                      (flow_sha, flow_name, flow_path, flow_text, stamp))

    def run(self, run_id: str) -> RunRow:
        row = self._conn.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no run with id '{run_id}'")
        return RunRow.from_row(row)

    def find_run(self, prefix: str) -> RunRow:
        """A run by id or unambiguous id prefix."""
        rows = self._conn.execute("SELECT * FROM runs WHERE id LIKE ? || '%' LIMIT 2",
                                 (prefix,)).fetchall()
        if not rows:
            raise NotFoundError(f"no run with id '{prefix}' (see `junction runs`)")
        if len(rows) > 1:
            raise NotFoundError(f"'{prefix}' matches more than one run; give more characters")
        return RunRow.from_row(rows[0])

    def runs(self, *, status: str | None = None, batch_id: str | None = None,
             limit: int | None = None) -> list[RunRow]:
        sql, args = "SELECT * FROM runs WHERE 1=1", []
        if status:
            sql += " AND status=?"
            args.append(status)
        if batch_id:
            sql += " AND batch_id=?"
            args.append(batch_id)
        sql += " ORDER BY created_at, id"
        if limit:
            sql = f"SELECT * FROM ({sql} ) ORDER BY created_at DESC, id DESC LIMIT {int(limit)}"
        return [RunRow.from_row(r) for r in self._conn.execute(sql, args)]

    def query_runs(self, query: RunQuery) -> RunPage:
        where, args = query.filters("?", _CONTAINS)
        total = int(self._conn.execute(f"SELECT COUNT(*) FROM runs WHERE {where}",
                                       args).fetchone()[0])
        rows = self._conn.execute(
            f"SELECT * FROM runs WHERE {where} ORDER BY {_RUN_ORDER[query.sort]}"
            " LIMIT ? OFFSET ?", (*args, query.limit, query.offset))
        return RunPage([RunRow.from_row(r) for r in rows], total, query.offset, query.limit)

    def runs_marker(self) -> tuple[int, str | None]:
        # Two statements: together SQLite scans the table; apart each uses an index.
        count = self._conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        latest = self._conn.execute("SELECT MAX(updated_at) FROM runs").fetchone()[0]
        return int(count), latest

    def run_facets(self) -> dict[str, list[str]]:
        return {
            "flows": [r[0] for r in self._conn.execute(
                "SELECT DISTINCT flow_name FROM runs ORDER BY flow_name")],
            "outcomes": [r[0] for r in self._conn.execute(
                "SELECT DISTINCT outcome FROM runs WHERE outcome IS NOT NULL ORDER BY outcome")],
        }

    def run_counts(self, *, flow: str | None = None) -> RunCounts:
        where, args = ("flow_name=?", [flow]) if flow else ("1=1", [])
        by_status = {r[0]: int(r[1]) for r in self._conn.execute(
            f"SELECT status, COUNT(*) FROM runs WHERE {where} GROUP BY status", args)}
        by_outcome = {r[0]: int(r[1]) for r in self._conn.execute(
            f"SELECT outcome, COUNT(*) FROM runs WHERE {where} AND outcome IS NOT NULL"
            " GROUP BY outcome", args)}
        with_tasks, open_tasks = self._conn.execute(
            "SELECT COUNT(DISTINCT t.run_id), COALESCE(SUM(t.status='open'), 0)"
            f" FROM tasks t JOIN runs ON runs.id=t.run_id WHERE {where}", args).fetchone()
        return RunCounts(sum(by_status.values()), by_status, by_outcome,
                         int(with_tasks), int(open_tasks))

    def flow_text(self, sha: str) -> str:
        row = self._conn.execute("SELECT text FROM flow_snapshots WHERE sha=?", (sha,)).fetchone()
        if row is None:
            raise NotFoundError(f"flow snapshot {sha[:12]} is missing from the store")
        return str(row["text"])

    def move(self, run_id: str, target: RunStatus, **fields: Any) -> RunRow:
        """Change a run's status (checked against the state machine) and fields atomically."""
        with self._tx() as c:
            self._move(c, run_id, target, **fields)
        return self.run(run_id)

    def _move(self, c: sqlite3.Connection, run_id: str, target: RunStatus, *,
              current: str | None = None, **fields: Any) -> None:
        """Change a run's status and `fields` in one UPDATE, checked against the state
        machine; `current` is its status when the caller has just read it (same transaction)."""
        if current is None:
            row = c.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no run with id '{run_id}'")
            current = str(row["status"])
        check_move(current, target)
        fields = {"status": target.value, "updated_at": now(), **fields}
        if target.terminal:
            fields.setdefault("finished_at", fields["updated_at"])
        self._update_run(c, run_id, fields)
        self._audit([status_entry(self.actor, run_id, current, target, fields)])

    def _update_run(self, c: sqlite3.Connection, run_id: str, fields: dict[str, Any]) -> None:
        if "context" in fields:
            fields["context"] = dumps(fields["context"])
        columns = ", ".join(f"{k}=?" for k in fields)
        c.execute(f"UPDATE runs SET {columns} WHERE id=?", (*fields.values(), run_id))

    def claim(self, run_id: str, *, start_node: str | None = None) -> RunRow:
        """Take a queued, interrupted or resumable blocked run for this process."""
        with self._tx() as c:
            row = c.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no run with id '{run_id}'")
            run = RunRow.from_row(row)
            fields: dict[str, Any] = {"owner": this_process(), "blocked_reason": None,
                                      "updated_at": now()}
            if run.status is RunStatus.running:
                if owner_alive(run.owner) and run.owner != this_process():
                    raise ConflictError(f"run {run_id} is being run by process {run.owner}")
                self._update_run(c, run_id, fields)
                if run.owner != this_process():
                    self._audit([Entry("run.claimed", self.actor, run_id=run_id,
                                           before={"owner": run.owner},
                                           after={"owner": fields["owner"]})])
            else:
                if run.status is RunStatus.queued:
                    fields["started_at"] = fields["updated_at"]
                    fields["current_node"] = start_node
                self._move(c, run_id, RunStatus.running, current=run.status.value, **fields)
                fields["status"] = RunStatus.running
        return replace(run, **fields)  # the row as now stored, without reading it again

    def interrupted_runs(self) -> list[RunRow]:
        """Runs whose process died mid-way, queued runs and runs blocked on a model."""
        rows = self.runs(status=RunStatus.running.value) + self.runs(
            status=RunStatus.queued.value)
        stuck = [r for r in rows if r.status is RunStatus.queued or not owner_alive(r.owner)]
        waiting = [r for r in self.runs(status=RunStatus.blocked.value)
                   if r.blocked_reason and r.blocked_reason.startswith(RETRYABLE_BLOCKS)]
        return sorted(stuck + waiting, key=lambda r: (r.created_at, r.id))

    # -- steps -------------------------------------------------------------

    def steps(self, run_id: str) -> list[StepRow]:
        rows = self._conn.execute("SELECT * FROM steps WHERE run_id=? ORDER BY seq", (run_id,))
        return [StepRow.from_row(r) for r in rows]

    def step(self, step_id: int) -> StepRow:
        row = self._conn.execute("SELECT * FROM steps WHERE id=?", (step_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no step {step_id}")
        return StepRow.from_row(row)

    def open_step(self, run_id: str) -> StepRow | None:
        """The step of this run that is decided or blocked but not yet done, if any."""
        row = self._conn.execute(
            "SELECT * FROM steps WHERE run_id=? AND status IN ('decided','blocked')"
            " ORDER BY seq DESC LIMIT 1", (run_id,)).fetchone()
        return None if row is None else StepRow.from_row(row)

    def _insert_step(self, c: sqlite3.Connection, step: NewStep) -> int:
        return self._insert_steps(c, [step])[0]

    def _insert_steps(self, c: sqlite3.Connection, steps: list[NewStep],
                      extras: list[list[Entry]] | None = None) -> list[int]:
        """Insert steps of one run in order (sequence numbers follow the run's last), with
        their audit rows appended in one go. One prepared INSERT for all of them: inside
        the write transaction AUTOINCREMENT hands out consecutive ids, so the last one
        tells them all."""
        seq = c.execute(_NEXT_SEQ_SQL, (steps[0].run_id,)).fetchone()[0]
        rows, entries = self._step_rows(steps, seq, now(), extras)
        if len(rows) == 1:
            last = int(c.execute(_INSERT_STEP_SQL, rows[0]).lastrowid or 0)
        else:
            c.executemany(_INSERT_STEP_SQL, rows)
            last = int(c.execute("SELECT last_insert_rowid()").fetchone()[0])
        ids = list(range(last - len(rows) + 1, last + 1))
        self._audit(entries)
        return ids

    def _step_rows(self, steps: list[NewStep], seq: int, stamp: str,
                   extras: list[list[Entry]] | None) -> tuple[list[tuple[Any, ...]],
                                                              list[Entry]]:
        """The steps' rows from sequence number `seq` on, and their audit rows (each step's
        followed by its `extras`)."""
        rows, entries = [], []
        for index, step in enumerate(steps):
            finished = stamp if step.status == "done" else None
            rows.append((
                step.run_id, seq + index, step.node_id, step.kind, step.visit, step.attempt,
                step.status, step.autonomy, dumps(step.inputs), dumps(step.model_call),
                dumps(step.output), dumps(step.decision), dumps(step.changes),
                dumps(step.verdicts), step.next_node, step.error, step.started_at or stamp,
                finished, step.duration_ms, *_metric_columns(step)))
            entries.extend(step_entries(step, self.actor))
            if extras:
                entries.extend(extras[index])
        return rows, entries

    def record_end(self, steps: list[NewStep], *, advance: dict[str, Any], finish: Finish,
                   within: Within | None = None,
                   extras: list[list[Entry]] | None = None) -> RunRow:
        """The run's last steps and its end (see RunStore.record_end). A run created in the
        open unit and ending in it is written with the unit's commit, in one statement per
        table for the whole unit (sqlite_group.py)."""
        run_id = steps[0].run_id if steps else ""
        kept = self._unit_runs.created.get(run_id)
        if kept is None or not self._writes.unit_open:
            return super().record_end(steps, advance=advance, finish=finish, within=within,
                                      extras=extras)
        run, _ = kept
        target, fields = finish
        check_move(run.status.value, target)
        stamp = now()
        text = dumps(advance.get("context", run.context))
        ended = replace(run, status=target, owner=None, updated_at=stamp, finished_at=stamp,
                        current_node=advance.get("current_node", run.current_node),
                        context=loads(text), **fields)
        rows, entries = self._step_rows(steps, 1, stamp, extras)  # its first steps
        if within is not None:
            entries.extend(within(self._raw))  # in the unit's transaction
        self._unit_runs.end(ended, text, rows)
        self._writes.note_in_unit([*entries, status_entry(self.actor, run_id,
                                                          run.status.value, target, fields)])
        return ended

    def record_step(self, step: NewStep, *, advance: dict[str, Any] | None = None) -> int:
        """Journal a step; with `advance`, also move the run forward in the same commit."""
        return self.record_steps([step], advance=advance, durable=step.status == "decided")[0]

    def record_steps(self, steps: list[NewStep], *, advance: dict[str, Any] | None = None,
                     within: Within | None = None, finish: Finish | None = None,
                     durable: bool = False,
                     extras: list[list[Entry]] | None = None) -> list[int]:
        """Journal fused steps, the work sharing this database, the run's new position
        and its end, in one transaction (see RunStore.record_steps)."""
        if not steps:
            raise ValueError("record_steps needs at least one step")
        run_id = steps[0].run_id
        with self._tx(durable=durable) as c:
            ids = self._insert_steps(c, steps, extras)
            if within is not None:
                self._audit(within(c))
            if finish is not None:  # the run's end and its last position: one UPDATE
                self._move(c, run_id, finish[0], owner=None, **(advance or {}), **finish[1])
            elif advance is not None:
                self._update_run(c, run_id, {**advance, "updated_at": now()})
        return ids

    def finish_step(self, step_id: int, run_id: str, *, advance: dict[str, Any],
                    entries: list[Entry] | None = None, within: Within | None = None,
                    before: list[NewStep] | None = None) -> None:
        """Mark a decided step done and move the run to its next node, atomically (with the
        audit rows of the record change the step made, when given)."""
        with self._tx() as c:
            if before:
                self._insert_steps(c, before)
            row = c.execute("SELECT node_id, visit FROM steps WHERE id=?",
                            (step_id,)).fetchone()
            made = within(c) if within is not None else []
            c.execute("UPDATE steps SET status='done', finished_at=? WHERE id=?",
                      (now(), step_id))
            self._update_run(c, run_id, {**advance, "updated_at": now()})
            node = None if row is None else str(row["node_id"])
            self._audit([*(entries or []), *made, Entry(
                "step", self.actor, run_id=run_id, node_id=node,
                subject=None if row is None else f"{node}#{row['visit']}",
                before={"status": "decided"},
                after={"status": "done", "next_node": advance.get("current_node")})])

    def append_audit(self, entries: list[Entry]) -> None:
        with self._tx():
            self._audit(entries)

    def audit_rows(self, *, run_id: str | None = None,
                   limit: int | None = None) -> list[dict[str, Any]]:
        return audit.rows(self._conn, run_id=run_id, limit=limit)

    def verify_audit(self) -> Verification:
        return audit.verify(self._conn)

    def integrity_problems(self, *, full: bool = False) -> list[str]:
        pragma = "integrity_check" if full else "quick_check"
        found = [str(row[0]) for row in self._conn.execute(f"PRAGMA {pragma}").fetchall()]
        return [] if found == ["ok"] else found

    def flow_snapshots(self) -> list[FlowSnapshot]:
        return sqlite_metrics.flow_snapshots(self._conn)

    def metric_facts(self, query: MetricQuery) -> MetricFacts:
        return sqlite_metrics.metric_facts(self._conn, query)

    def decided_steps(self, flow_path: str, node_id: str) -> list[DecidedStep]:
        return sqlite_metrics.decided_steps(self._conn, flow_path, node_id)

    def schema_version(self) -> int | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else None

    # -- tasks -------------------------------------------------------------

    def block_with_task(self, step: NewStep, *, reason: str, allowed: list[str],
                        packet: dict[str, Any], due_at: str | None = None,
                        context: dict[str, Any] | None = None) -> tuple[int, str]:
        """Journal a blocked step, open its human task and block the run: one commit."""
        task_id = new_id("t")
        with self._tx(durable=True) as c:
            step_id = self._insert_step(c, step)
            c.execute(
                "INSERT INTO tasks(id, run_id, step_id, node_id, status, reason, allowed, packet,"
                " created_at, due_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (task_id, step.run_id, step_id, step.node_id, "open", reason, dumps(allowed),
                 dumps(packet), now(), due_at))
            self._audit([task_entry(task_id, step.run_id, step.node_id, reason, allowed,
                                        packet, due_at, self.actor)])
            extra: dict[str, Any] = {} if context is None else {"context": context}
            self._move(c, step.run_id, RunStatus.blocked, blocked_reason=reason, owner=None,
                       **extra)
        return step_id, task_id

    def tasks(self, *, status: str | None = "open", run_id: str | None = None) -> list[TaskRow]:
        sql, args = "SELECT * FROM tasks WHERE 1=1", []
        if status:
            sql += " AND status=?"
            args.append(status)
        if run_id:
            sql += " AND run_id=?"
            args.append(run_id)
        rows = self._conn.execute(sql + " ORDER BY created_at, id", args)
        return [TaskRow.from_row(r) for r in rows]

    def query_tasks(self, query: TaskQuery) -> list[TaskRow]:
        sql, args = ("SELECT t.* FROM tasks t JOIN runs r ON r.id=t.run_id"
                     " JOIN steps s ON s.id=t.step_id WHERE 1=1", [])
        for column, value in (("t.status", query.status), ("t.run_id", query.run_id),
                              ("r.flow_name", query.flow), ("t.node_id", query.node_id)):
            if value:
                sql += f" AND {column}=?"
                args.append(value)
        if query.assignee:
            sql += " AND json_extract(s.inputs, '$.assignee')=?"
            args.append(query.assignee)
        if query.due_before:
            sql += " AND t.due_at IS NOT NULL AND t.due_at <= ?"
            args.append(query.due_before)
        rows = self._conn.execute(sql + " ORDER BY t.created_at, t.id", args)
        return [TaskRow.from_row(r) for r in rows]

    def task(self, task_id: str) -> TaskRow:
        rows = self._conn.execute("SELECT * FROM tasks WHERE id LIKE ? || '%' LIMIT 2",
                                 (task_id,)).fetchall()
        if not rows:
            raise NotFoundError(f"no task with id '{task_id}' (see `junction tasks`)")
        if len(rows) > 1:
            raise NotFoundError(f"'{task_id}' matches more than one task; give more characters")
        return TaskRow.from_row(rows[0])

    def settle_task(self, task_id: str, *, decision: dict[str, Any], decided_by: str,
                    step_update: dict[str, Any], status: str = "decided",
                    entries: list[Entry] | None = None) -> tuple[TaskRow, bool]:
        """Record a decision, turn the blocked step into a decided one and wake the run.

        Returns (task, True) when this call decided it. If the task was already decided
        with the same decision, returns (task, False) and changes nothing; a different
        decision raises ConflictError. All inside one IMMEDIATE transaction, so of two
        racing deciders exactly one wins. `status` is "decided" for a person and
        "timed_out" for an expiry.
        """
        with self._tx(durable=True) as c:
            row = c.execute("SELECT * FROM tasks WHERE id=?", (task_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no task with id '{task_id}'")
            task = TaskRow.from_row(row)
            if task.status != "open":
                if task.decision == decision and task.status == status:
                    return task, False
                raise ConflictError(task.settled_message())
            stamp = now()
            c.execute("UPDATE tasks SET status=?, decision=?, decided_by=?,"
                      " decided_at=? WHERE id=?",
                      (status, dumps(decision), decided_by, stamp, task_id))
            updates = {k: dumps(v) if k in JSON_STEP_COLUMNS else v
                       for k, v in step_update.items()}
            updates["status"] = "decided"
            columns = ", ".join(f"{k}=?" for k in updates)
            c.execute(f"UPDATE steps SET {columns} WHERE id=?", (*updates.values(), task.step_id))
            if set(updates) & {"output", "decision", "verdicts"}:
                sqlite_metrics.refresh_step(c, task.step_id)
            self._audit([*(entries or []), Entry(
                "task.timed_out" if status == "timed_out" else "decision",
                decided_by if status == "timed_out" else f"person:{decided_by}",
                run_id=task.run_id, node_id=task.node_id, subject=task.id,
                before={"task": "open", "proposal": task.packet.get("proposal"),
                        "ai": task.packet.get("ai")},
                after={"task": status, "decision": decision,
                       "record": step_update.get("decision")})])
            self._move(c, task.run_id, RunStatus.running, blocked_reason=None, owner=None)
        return self.task(task_id), True

    def open_task_on_step(self, step_id: int, *, reason: str, allowed: list[str],
                          packet: dict[str, Any]) -> str:
        """Block a run at a step that is already journaled (a record change whose outcome
        is unknown): the step stays as it is, a person decides what happened."""
        task_id = new_id("t")
        with self._tx(durable=True) as c:
            row = c.execute("SELECT run_id, node_id FROM steps WHERE id=?",
                            (step_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no step {step_id}")
            c.execute("UPDATE steps SET status='blocked' WHERE id=?", (step_id,))
            c.execute(
                "INSERT INTO tasks(id, run_id, step_id, node_id, status, reason, allowed, packet,"
                " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (task_id, row["run_id"], step_id, row["node_id"], "open", reason,
                 dumps(allowed), dumps(packet), now()))
            self._audit([task_entry(task_id, row["run_id"], row["node_id"], reason,
                                        allowed, packet, None, self.actor)])
            self._move(c, row["run_id"], RunStatus.blocked, blocked_reason=reason, owner=None)
        return task_id

    def due_tasks(self, at: str) -> list[TaskRow]:
        """Open tasks whose due time has passed."""
        rows = self._conn.execute("SELECT * FROM tasks WHERE status='open' AND due_at IS NOT NULL"
                                 " AND due_at <= ? ORDER BY due_at, id", (at,))
        return [TaskRow.from_row(r) for r in rows]

    def model_calls(self, run_id: str, node_id: str) -> int:
        """How many model calls (attempts included) a node has made in this run."""
        total = 0
        for row in self._conn.execute("SELECT model_call FROM steps WHERE run_id=? AND node_id=?"
                                     " AND model_call IS NOT NULL AND model_call != 'null'",
                                     (run_id, node_id)):
            call = loads(row["model_call"]) or {}
            total += int(call.get("attempts", 1) or 1)
        return total

    def cancel_run(self, run_id: str, reason: str = "cancelled") -> RunRow:
        with self._tx() as c:
            self._move(c, run_id, RunStatus.cancelled, error=reason, owner=None)
            open_ids = [r["id"] for r in c.execute(
                "SELECT id FROM tasks WHERE run_id=? AND status='open'", (run_id,))]
            c.execute("UPDATE tasks SET status='cancelled' WHERE run_id=? AND status='open'",
                      (run_id,))
            self._audit([Entry("task.cancelled", self.actor, run_id=run_id, subject=t,
                                   before={"task": "open"}, after={"task": "cancelled"})
                             for t in open_ids])
        return self.run(run_id)


def _metric_columns(step: NewStep) -> tuple[Any, ...]:
    """The step's metric facts as column values (label, confidence, who decided, agreement,
    rules that fired): the metrics group by them without parsing the step's JSON."""
    return sqlite_metrics.insert_values(step.output, step.decision, step.verdicts)

