"""The run store on a PostgreSQL server, shared by a team (promises: runtime/store/base.py).

How the promises are kept here: every write verb is one transaction that first takes the
store's write lock (a cluster-wide advisory lock, runtime/pg_db.py), so read-modify-write
verbs are serialised across connections and machines exactly as SQLite's `BEGIN
IMMEDIATE` serialises them across processes, and the audit chain never forks. Verbs
promised *durable* wait for the server's WAL flush; the others commit with
`synchronous_commit = off` (they survive this process being killed, which is the promise).

Ownership of a running run is a `host:pid` like on SQLite; on a server, a process on
another machine cannot be checked, so a running run owned elsewhere counts as alive unless
it was released (`release`): the team's workers (runtime/team/) learn from their job
queue's heartbeats that a worker died and release their runs before another worker claims
them.
"""

from __future__ import annotations

import socket
from typing import Any

from runtime.errors import ConflictError, NotFoundError
from runtime.pg_db import Connection, Handle
from runtime.sqlite_db import dumps, loads, now
from runtime.store import pg_audit as audit
from runtime.store import pg_metrics, pg_schema
from runtime.store.audit import (
    Entry,
    Verification,
    created_entry,
    status_entry,
    step_entries,
    task_entry,
)
from runtime.store.base import RunStore, Within
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
from runtime.store.states import RunStatus, check_move
from runtime.urls import redact

_RUN_ORDER = {
    "newest": "created_at DESC, id DESC",
    "oldest": "created_at, id",
    "updated": "updated_at DESC, id DESC",
    "case": "case_id, created_at, id",
}
_STEP_COLUMNS = ("run_id", "seq", "node_id", "kind", "visit", "attempt", "status", "autonomy",
                 "inputs", "model_call", "output", "decision", "changes", "verdicts",
                 "next_node", "error", "started_at", "finished_at", "duration_ms")


# RunQuery.filters: a case-insensitive "contains"
_CONTAINS = "strpos(lower({col}), lower({mark})) > 0"


_INSERT_RUN_SQL = (f"INSERT INTO runs({', '.join(RUN_INSERT_COLUMNS)})"
                   f" VALUES ({', '.join('%s' for _ in RUN_INSERT_COLUMNS)})")


class PostgresRunStore(RunStore):
    """Runs, steps, tasks and the audit trail in a PostgreSQL database (`url`)."""

    def __init__(self, url: str, *, owner: str | None = None) -> None:
        self.url = url
        self.workspace_dir = None
        self._db = Handle(url)
        pg_schema.ensure(self._db)
        self.owner = owner or this_process()
        self.actor = f"engine@{self.owner}"

    def __repr__(self) -> str:
        return f"PostgresRunStore({redact(self.url)!r})"

    def close(self) -> None:
        self._db.close()

    # -- units of work (see RunStore.begin_unit; the transaction is runtime/pg_db.py's) --

    def begin_unit(self) -> None:
        self._db.begin_unit()

    def end_unit(self) -> None:
        self._db.end_unit()

    def rollback_unit(self) -> None:
        self._db.rollback_unit()

    def work_in_unit(self, within: Within, *, run_id: str | None = None
                     ) -> list[Entry] | None:
        if not self._db.in_unit:
            return None
        with self._db.write(durable=False) as c:  # a savepoint: undone alone if it fails
            return list(within(c))

    # -- helpers -------------------------------------------------------------

    def _one(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> dict[str, Any] | None:
        with self._db.read() as c:
            return c.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        with self._db.read() as c:
            return c.execute(sql, args).fetchall()

    # -- runs ----------------------------------------------------------------

    def create_run(
        self, *, flow_text: str, flow_sha: str, flow_name: str, flow_path: str | None,
        case_id: str, context: dict[str, Any], batch_id: str | None = None,
        autonomy: str | None = None, model_override: str | None = None,
        claim_at: str | None = None,
    ) -> tuple[RunRow, bool]:
        stamp = now()
        with self._db.write(durable=False) as c:
            if batch_id is not None:
                row = c.execute("SELECT * FROM runs WHERE batch_id=%s AND case_id=%s",
                                (batch_id, case_id)).fetchone()
                if row is not None:
                    return RunRow.from_row(row), False
            c.execute("INSERT INTO flow_snapshots(sha, name, path, text, created_at)"
                      " VALUES (%s,%s,%s,%s,%s) ON CONFLICT (sha) DO NOTHING",
                      (flow_sha, flow_name, flow_path, flow_text, stamp))
            run = new_run_row(flow_sha=flow_sha, flow_name=flow_name, flow_path=flow_path,
                              case_id=case_id, batch_id=batch_id, autonomy=autonomy,
                              model_override=model_override, stamp=stamp, claim_at=claim_at)
            c.execute(_INSERT_RUN_SQL, (*run.insert_values(), dumps(context)))
            audit.append(c, [created_entry(run, self.actor, context)])
        return self.run(run.id), True

    def run(self, run_id: str) -> RunRow:
        row = self._one("SELECT * FROM runs WHERE id=%s", (run_id,))
        if row is None:
            raise NotFoundError(f"no run with id '{run_id}'")
        return RunRow.from_row(row)

    def find_run(self, prefix: str) -> RunRow:
        rows = self._all("SELECT * FROM runs WHERE starts_with(id, %s) LIMIT 2", (prefix,))
        if not rows:
            raise NotFoundError(f"no run with id '{prefix}' (see `junction runs`)")
        if len(rows) > 1:
            raise NotFoundError(f"'{prefix}' matches more than one run; give more characters")
        return RunRow.from_row(rows[0])

    def runs(self, *, status: str | None = None, batch_id: str | None = None,
             limit: int | None = None) -> list[RunRow]:
        sql, args = "SELECT * FROM runs WHERE true", []
        if status:
            sql += " AND status=%s"
            args.append(status)
        if batch_id:
            sql += " AND batch_id=%s"
            args.append(batch_id)
        if limit:
            sql += f" ORDER BY created_at DESC, id DESC LIMIT {int(limit)}"
        else:
            sql += " ORDER BY created_at, id"
        return [RunRow.from_row(r) for r in self._all(sql, args)]

    def query_runs(self, query: RunQuery) -> RunPage:
        where, args = query.filters("%s", _CONTAINS)
        with self._db.read() as c:
            total = c.execute(f"SELECT COUNT(*) AS n FROM runs WHERE {where}", args).fetchone()
            rows = c.execute(f"SELECT * FROM runs WHERE {where} ORDER BY "
                             f"{_RUN_ORDER[query.sort]} LIMIT %s OFFSET %s",
                             (*args, query.limit, query.offset)).fetchall()
        return RunPage([RunRow.from_row(r) for r in rows], int(total["n"] if total else 0),
                       query.offset, query.limit)

    def runs_marker(self) -> tuple[int, str | None]:
        row = self._one("SELECT COUNT(*) AS n, MAX(updated_at) AS latest FROM runs")
        return (int(row["n"]), row["latest"]) if row else (0, None)

    def run_facets(self) -> dict[str, list[str]]:
        with self._db.read() as c:
            flows = [r["flow_name"] for r in c.execute(
                "SELECT DISTINCT flow_name FROM runs ORDER BY flow_name")]
            outcomes = [r["outcome"] for r in c.execute(
                "SELECT DISTINCT outcome FROM runs WHERE outcome IS NOT NULL ORDER BY outcome")]
        return {"flows": flows, "outcomes": outcomes}

    def flow_snapshots(self) -> list[FlowSnapshot]:
        return [FlowSnapshot(str(r["sha"]), str(r["text"])) for r in
                self._all("SELECT sha, text FROM flow_snapshots ORDER BY sha")]

    def metric_facts(self, query: MetricQuery) -> MetricFacts:
        with self._db.read() as c:
            return pg_metrics.metric_facts(c, query)

    def decided_steps(self, flow_path: str, node_id: str) -> list[DecidedStep]:
        with self._db.read() as c:
            return pg_metrics.decided_steps(c, flow_path, node_id)

    def run_counts(self, *, flow: str | None = None) -> RunCounts:
        where, args = ("flow_name=%s", [flow]) if flow else ("true", [])
        with self._db.read() as c:
            by_status = {r["status"]: int(r["n"]) for r in c.execute(
                f"SELECT status, COUNT(*) AS n FROM runs WHERE {where} GROUP BY status", args)}
            by_outcome = {r["outcome"]: int(r["n"]) for r in c.execute(
                f"SELECT outcome, COUNT(*) AS n FROM runs WHERE {where} AND outcome IS NOT NULL"
                " GROUP BY outcome", args)}
            tasks = c.execute(
                "SELECT COUNT(DISTINCT t.run_id) AS runs,"
                " COUNT(*) FILTER (WHERE t.status='open') AS open"
                f" FROM tasks t JOIN runs ON runs.id=t.run_id WHERE {where}", args).fetchone()
        return RunCounts(sum(by_status.values()), by_status, by_outcome,
                         int(tasks["runs"]) if tasks else 0, int(tasks["open"]) if tasks else 0)

    def flow_text(self, sha: str) -> str:
        row = self._one("SELECT text FROM flow_snapshots WHERE sha=%s", (sha,))
        if row is None:
            raise NotFoundError(f"flow snapshot {sha[:12]} is missing from the store")
        return str(row["text"])

    def move(self, run_id: str, target: RunStatus, **fields: Any) -> RunRow:
        with self._db.write(durable=False) as c:
            self._move(c, run_id, target, **fields)
        return self.run(run_id)

    def _move(self, c: Connection, run_id: str, target: RunStatus, **fields: Any) -> None:
        row = c.execute("SELECT status FROM runs WHERE id=%s", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no run with id '{run_id}'")
        check_move(row["status"], target)
        fields = {"status": target.value, "updated_at": now(), **fields}
        if target.terminal:
            fields.setdefault("finished_at", fields["updated_at"])
        _update_run(c, run_id, fields)
        audit.append(c, [status_entry(self.actor, run_id, row["status"], target, fields)])

    def claim(self, run_id: str, *, start_node: str | None = None) -> RunRow:
        with self._db.write(durable=False) as c:
            row = c.execute("SELECT * FROM runs WHERE id=%s", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no run with id '{run_id}'")
            run = RunRow.from_row(row)
            fields: dict[str, Any] = {"owner": self.owner, "blocked_reason": None,
                                      "updated_at": now()}
            if run.status is RunStatus.running:
                if run.owner and run.owner != self.owner and _may_be_alive(run.owner):
                    raise ConflictError(f"run {run_id} is being run by process {run.owner}")
                _update_run(c, run_id, fields)
                if run.owner != self.owner:
                    audit.append(c, [Entry("run.claimed", self.actor, run_id=run_id,
                                           before={"owner": run.owner},
                                           after={"owner": fields["owner"]})])
            else:
                if run.status is RunStatus.queued:
                    fields["started_at"] = fields["updated_at"]
                    fields["current_node"] = start_node
                self._move(c, run_id, RunStatus.running, **fields)
        return self.run(run_id)

    def release(self, run_id: str, reason: str) -> bool:
        """Release a running run whose process is known to be gone (its worker stopped
        sending the job queue's heartbeats): another process may claim it. Returns whether
        the run was running and owned."""
        with self._db.write(durable=False) as c:
            row = c.execute("SELECT owner FROM runs WHERE id=%s AND status='running'"
                            " AND owner IS NOT NULL", (run_id,)).fetchone()
            if row is None:
                return False
            c.execute("UPDATE runs SET owner=NULL, updated_at=%s WHERE id=%s", (now(), run_id))
            audit.append(c, [Entry("run.released", self.actor, run_id=run_id,
                                   before={"owner": row["owner"]}, after={"owner": None},
                                   data={"reason": reason})])
        return True

    def interrupted_runs(self) -> list[RunRow]:
        rows = self.runs(status=RunStatus.running.value) + self.runs(
            status=RunStatus.queued.value)
        stuck = [r for r in rows
                 if r.status is RunStatus.queued or not _may_be_alive(r.owner)]
        waiting = [r for r in self.runs(status=RunStatus.blocked.value)
                   if r.blocked_reason and r.blocked_reason.startswith(RETRYABLE_BLOCKS)]
        return sorted(stuck + waiting, key=lambda r: (r.created_at, r.id))

    def cancel_run(self, run_id: str, reason: str = "cancelled") -> RunRow:
        with self._db.write(durable=False) as c:
            self._move(c, run_id, RunStatus.cancelled, error=reason, owner=None)
            open_ids = [r["id"] for r in c.execute(
                "SELECT id FROM tasks WHERE run_id=%s AND status='open' ORDER BY id", (run_id,))]
            c.execute("UPDATE tasks SET status='cancelled' WHERE run_id=%s AND status='open'",
                      (run_id,))
            audit.append(c, [Entry("task.cancelled", self.actor, run_id=run_id, subject=t,
                                   before={"task": "open"}, after={"task": "cancelled"})
                             for t in open_ids])
        return self.run(run_id)

    # -- steps ---------------------------------------------------------------

    def steps(self, run_id: str) -> list[StepRow]:
        return [StepRow.from_row(r) for r in
                self._all("SELECT * FROM steps WHERE run_id=%s ORDER BY seq", (run_id,))]

    def step(self, step_id: int) -> StepRow:
        row = self._one("SELECT * FROM steps WHERE id=%s", (step_id,))
        if row is None:
            raise NotFoundError(f"no step {step_id}")
        return StepRow.from_row(row)

    def open_step(self, run_id: str) -> StepRow | None:
        row = self._one("SELECT * FROM steps WHERE run_id=%s AND status IN ('decided','blocked')"
                        " ORDER BY seq DESC LIMIT 1", (run_id,))
        return None if row is None else StepRow.from_row(row)

    def model_calls(self, run_id: str, node_id: str) -> int:
        total = 0
        for row in self._all("SELECT model_call FROM steps WHERE run_id=%s AND node_id=%s"
                             " AND model_call IS NOT NULL AND model_call != 'null'",
                             (run_id, node_id)):
            call = loads(row["model_call"]) or {}
            total += int(call.get("attempts", 1) or 1)
        return total

    def _insert_step(self, c: Connection, step: NewStep) -> int:
        seq_row = c.execute("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM steps"
                            " WHERE run_id=%s", (step.run_id,)).fetchone()
        stamp = now()
        values = (step.run_id, int(seq_row["seq"]) if seq_row else 1, step.node_id, step.kind,
                  step.visit, step.attempt, step.status, step.autonomy, dumps(step.inputs),
                  dumps(step.model_call), dumps(step.output), dumps(step.decision),
                  dumps(step.changes), dumps(step.verdicts), step.next_node, step.error,
                  step.started_at or stamp, stamp if step.status == "done" else None,
                  step.duration_ms)
        row = c.execute(f"INSERT INTO steps({', '.join(_STEP_COLUMNS)}) VALUES "
                        f"({', '.join('%s' for _ in _STEP_COLUMNS)}) RETURNING id",
                        values).fetchone()
        audit.append(c, step_entries(step, self.actor))
        return int(row["id"]) if row else 0

    def record_step(self, step: NewStep, *, advance: dict[str, Any] | None = None) -> int:
        with self._db.write(durable=step.status == "decided") as c:
            step_id = self._insert_step(c, step)
            if advance is not None:
                _update_run(c, step.run_id, {**advance, "updated_at": now()})
        return step_id

    def record_steps(self, steps: list[NewStep], *, advance: dict[str, Any] | None = None,
                     within: Any = None, finish: Any = None, durable: bool = False,
                     extras: list[list[Entry]] | None = None) -> list[int]:
        """Journal fused steps, the work sharing this database, the run's new position
        and its end in one transaction (see RunStore.record_steps): a run's end step and
        its completion are never committed apart."""
        if not steps:
            raise ValueError("record_steps needs at least one step")
        run_id = steps[0].run_id
        with self._db.write(durable=durable) as c:
            ids = []
            for index, step in enumerate(steps):
                ids.append(self._insert_step(c, step))
                if extras and index < len(extras) and extras[index]:
                    audit.append(c, extras[index])
            if within is not None:
                audit.append(c, list(within(c)))
            if advance is not None:
                _update_run(c, run_id, {**advance, "updated_at": now()})
            if finish is not None:
                self._move(c, run_id, finish[0], owner=None, **finish[1])
        return ids

    def finish_step(self, step_id: int, run_id: str, *, advance: dict[str, Any],
                    entries: list[Entry] | None = None, within: Any = None,
                    before: list[NewStep] | None = None) -> None:
        with self._db.write(durable=False) as c:
            for step in before or []:
                self._insert_step(c, step)
            done = list(within(c)) if within is not None else []
            row = c.execute("SELECT node_id, visit FROM steps WHERE id=%s",
                            (step_id,)).fetchone()
            c.execute("UPDATE steps SET status='done', finished_at=%s WHERE id=%s",
                      (now(), step_id))
            _update_run(c, run_id, {**advance, "updated_at": now()})
            node = None if row is None else str(row["node_id"])
            audit.append(c, [*done, *(entries or []), Entry(
                "step", self.actor, run_id=run_id, node_id=node,
                subject=None if row is None else f"{node}#{row['visit']}",
                before={"status": "decided"},
                after={"status": "done", "next_node": advance.get("current_node")})])

    # -- audit ---------------------------------------------------------------

    def append_audit(self, entries: list[Entry]) -> None:
        with self._db.write(durable=False) as c:
            audit.append(c, entries)

    def audit_rows(self, *, run_id: str | None = None,
                   limit: int | None = None) -> list[dict[str, Any]]:
        with self._db.read() as c:
            return audit.rows(c, run_id=run_id, limit=limit)

    def verify_audit(self) -> Verification:
        with self._db.read() as c:
            return audit.verify(c)

    # -- health (for `junction doctor`) ---------------------------------------

    def integrity_problems(self, *, full: bool = False) -> list[str]:
        """Tables the schema promises that are missing; with `full`, every index checked
        by the server's `amcheck` (see pg_schema.problems)."""
        with self._db.read() as c:
            return pg_schema.problems(c, full=full)

    def schema_version(self) -> int | None:
        with self._db.read() as c:
            return pg_schema.version(c) or None

    # -- tasks ---------------------------------------------------------------

    def block_with_task(self, step: NewStep, *, reason: str, allowed: list[str],
                        packet: dict[str, Any], due_at: str | None = None,
                        context: dict[str, Any] | None = None) -> tuple[int, str]:
        task_id = new_id("t")
        with self._db.write() as c:
            step_id = self._insert_step(c, step)
            _insert_task(c, task_id, step.run_id, step_id, step.node_id, reason, allowed,
                         packet, due_at)
            audit.append(c, [task_entry(task_id, step.run_id, step.node_id, reason, allowed,
                                        packet, due_at, self.actor)])
            extra = {} if context is None else {"context": context}
            self._move(c, step.run_id, RunStatus.blocked, blocked_reason=reason, owner=None,
                       **extra)
        return step_id, task_id

    def open_task_on_step(self, step_id: int, *, reason: str, allowed: list[str],
                          packet: dict[str, Any]) -> str:
        task_id = new_id("t")
        with self._db.write() as c:
            row = c.execute("SELECT run_id, node_id FROM steps WHERE id=%s",
                            (step_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no step {step_id}")
            c.execute("UPDATE steps SET status='blocked' WHERE id=%s", (step_id,))
            _insert_task(c, task_id, row["run_id"], step_id, row["node_id"], reason, allowed,
                         packet, None)
            audit.append(c, [task_entry(task_id, row["run_id"], row["node_id"], reason,
                                        allowed, packet, None, self.actor)])
            self._move(c, row["run_id"], RunStatus.blocked, blocked_reason=reason, owner=None)
        return task_id

    def tasks(self, *, status: str | None = "open", run_id: str | None = None) -> list[TaskRow]:
        sql, args = "SELECT * FROM tasks WHERE true", []
        if status:
            sql += " AND status=%s"
            args.append(status)
        if run_id:
            sql += " AND run_id=%s"
            args.append(run_id)
        return [TaskRow.from_row(r) for r in self._all(sql + " ORDER BY created_at, id", args)]

    def query_tasks(self, query: TaskQuery) -> list[TaskRow]:
        sql, args = ("SELECT t.* FROM tasks t JOIN runs r ON r.id=t.run_id"
                     " JOIN steps s ON s.id=t.step_id WHERE true", [])
        for column, value in (("t.status", query.status), ("t.run_id", query.run_id),
                              ("r.flow_name", query.flow), ("t.node_id", query.node_id)):
            if value:
                sql += f" AND {column}=%s"
                args.append(value)
        if query.assignee:
            sql += " AND (s.inputs::jsonb ->> 'assignee')=%s"
            args.append(query.assignee)
        if query.due_before:
            sql += " AND t.due_at IS NOT NULL AND t.due_at <= %s"
            args.append(query.due_before)
        rows = self._all(sql + " ORDER BY t.created_at, t.id", args)
        return [TaskRow.from_row(r) for r in rows]

    def task(self, task_id: str) -> TaskRow:
        rows = self._all("SELECT * FROM tasks WHERE starts_with(id, %s) LIMIT 2", (task_id,))
        if not rows:
            raise NotFoundError(f"no task with id '{task_id}' (see `junction tasks`)")
        if len(rows) > 1:
            raise NotFoundError(f"'{task_id}' matches more than one task; give more characters")
        return TaskRow.from_row(rows[0])

    def due_tasks(self, at: str) -> list[TaskRow]:
        rows = self._all("SELECT * FROM tasks WHERE status='open' AND due_at IS NOT NULL"
                         " AND due_at <= %s ORDER BY due_at, id", (at,))
        return [TaskRow.from_row(r) for r in rows]

    def settle_task(self, task_id: str, *, decision: dict[str, Any], decided_by: str,
                    step_update: dict[str, Any], status: str = "decided",
                    entries: list[Entry] | None = None) -> tuple[TaskRow, bool]:
        with self._db.write() as c:
            row = c.execute("SELECT * FROM tasks WHERE id=%s", (task_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no task with id '{task_id}'")
            task = TaskRow.from_row(row)
            if task.status != "open":
                if task.decision == decision and task.status == status:
                    return task, False
                raise ConflictError(task.settled_message())
            c.execute("UPDATE tasks SET status=%s, decision=%s, decided_by=%s, decided_at=%s"
                      " WHERE id=%s", (status, dumps(decision), decided_by, now(), task_id))
            updates = {k: dumps(v) if k in JSON_STEP_COLUMNS else v
                       for k, v in step_update.items()}
            updates["status"] = "decided"
            columns = ", ".join(f"{k}=%s" for k in updates)
            c.execute(f"UPDATE steps SET {columns} WHERE id=%s",
                      (*updates.values(), task.step_id))
            audit.append(c, [*(entries or []), Entry(
                "task.timed_out" if status == "timed_out" else "decision",
                decided_by if status == "timed_out" else f"person:{decided_by}",
                run_id=task.run_id, node_id=task.node_id, subject=task.id,
                before={"task": "open", "proposal": task.packet.get("proposal"),
                        "ai": task.packet.get("ai")},
                after={"task": status, "decision": decision,
                       "record": step_update.get("decision")})])
            self._move(c, task.run_id, RunStatus.running, blocked_reason=None, owner=None)
        return self.task(task_id), True


def _may_be_alive(owner: str | None) -> bool:
    """A process on this host is checked; one on another machine is presumed alive until
    released (see `release`)."""
    if not owner:
        return False
    host, _, _ = owner.rpartition(":")
    if host == socket.gethostname():
        return owner_alive(owner)
    return True


def _update_run(c: Connection, run_id: str, fields: dict[str, Any]) -> None:
    if "context" in fields:
        fields["context"] = dumps(fields["context"])
    columns = ", ".join(f"{k}=%s" for k in fields)
    c.execute(f"UPDATE runs SET {columns} WHERE id=%s", (*fields.values(), run_id))


def _insert_task(c: Connection, task_id: str, run_id: str, step_id: int, node_id: str,
                 reason: str, allowed: list[str], packet: dict[str, Any],
                 due_at: str | None) -> None:
    c.execute("INSERT INTO tasks(id, run_id, step_id, node_id, status, reason, allowed, packet,"
              " created_at, due_at) VALUES (%s,%s,%s,%s,'open',%s,%s,%s,%s,%s)",
              (task_id, run_id, step_id, node_id, reason, dumps(allowed), dumps(packet), now(),
               due_at))
