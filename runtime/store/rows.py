"""What a run store hands out and takes in: runs, steps, tasks and queries over them.

Plain frozen dataclasses with JSON-able fields, the same for every store implementation.
`from_row` takes a mapping of column name to stored value (JSON columns as text), which
is what SQLite and PostgreSQL drivers both give.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from runtime.processes import pid_alive
from runtime.store.states import RunStatus


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    """Whether the process named by `owner` is still running on this host."""
    if not owner:
        return False
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    return pid_alive(int(pid_text))


@dataclass(frozen=True)
class RunRow:
    id: str
    flow_sha: str
    flow_name: str
    flow_path: str | None
    case_id: str
    batch_id: str | None
    status: RunStatus
    outcome: str | None
    autonomy: str | None
    model_override: str | None
    current_node: str | None
    context: dict[str, Any]
    blocked_reason: str | None
    error: str | None
    owner: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRow:
        # columns the store keeps for its own queries (`person`, for the metrics) are not
        # the run's; a sqlite3.Row iterates its values, hence keys()
        data = {k: row[k] for k in row.keys() if k in _RUN_FIELDS}  # noqa: SIM118
        data["status"] = RunStatus(data["status"])
        data["context"] = loads(data["context"])
        return cls(**data)

    def insert_values(self) -> tuple[Any, ...]:
        """The values a store inserts for a new run, in `RUN_INSERT_COLUMNS` order (the
        context, stored as JSON text, is the caller's to add last)."""
        return (self.id, self.flow_sha, self.flow_name, self.flow_path, self.case_id,
                self.batch_id, self.status.value, self.autonomy, self.model_override,
                self.current_node, self.owner, self.created_at, self.started_at,
                self.updated_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "case_id": self.case_id, "status": self.status.value,
            "outcome": self.outcome, "flow": self.flow_name, "flow_sha": self.flow_sha,
            "flow_path": self.flow_path, "batch_id": self.batch_id,
            "autonomy": self.autonomy, "current_node": self.current_node,
            "blocked_reason": self.blocked_reason, "error": self.error,
            "created_at": self.created_at, "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


# The columns of a new run as the stores insert them (`RunRow.insert_values`, then context).
RUN_INSERT_COLUMNS = ("id", "flow_sha", "flow_name", "flow_path", "case_id", "batch_id",
                      "status", "autonomy", "model_override", "current_node", "owner",
                      "created_at", "started_at", "updated_at", "context")


def new_run_row(*, flow_sha: str, flow_name: str, flow_path: str | None, case_id: str,
                batch_id: str | None, autonomy: str | None, model_override: str | None,
                stamp: str, claim_at: str | None,
                context: dict[str, Any] | None = None) -> RunRow:
    """A run about to be inserted: queued, or, with `claim_at`, already claimed by this
    process at that node (the engine drives it at once, so claiming it afterwards would
    write the same row twice: its status, owner and start time would each change in a
    second UPDATE of a table with many indexes)."""
    claimed = claim_at is not None
    return RunRow(new_id("r"), flow_sha, flow_name, flow_path, case_id, batch_id,
                  RunStatus.running if claimed else RunStatus.queued, None, autonomy,
                  model_override, claim_at, {} if context is None else context, None, None,
                  this_process() if claimed else None, stamp, stamp if claimed else None,
                  None, stamp)


# Blocked runs that `junction resume` retries: nothing happened yet, trying again is safe.
RETRYABLE_BLOCKS = ("model unavailable", "connector unavailable")

JSON_STEP_COLUMNS = ("inputs", "model_call", "output", "decision", "changes", "verdicts")


@dataclass(frozen=True)
class StepRow:
    id: int
    run_id: str
    seq: int
    node_id: str
    kind: str
    visit: int
    attempt: int
    status: str
    autonomy: str | None
    inputs: Any
    model_call: Any
    output: Any
    decision: Any
    changes: Any
    verdicts: Any
    next_node: str | None
    error: str | None
    started_at: str
    finished_at: str | None
    duration_ms: float | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StepRow:
        # columns the store keeps for its own queries (the metric facts) are not the step's;
        # a sqlite3.Row iterates its values, hence keys()
        data = {k: row[k] for k in row.keys() if k in _STEP_FIELDS}  # noqa: SIM118
        for column in JSON_STEP_COLUMNS:
            data[column] = loads(data[column])
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "node": self.node_id, "kind": self.kind, "visit": self.visit,
            "attempt": self.attempt, "status": self.status, "autonomy": self.autonomy,
            "inputs": self.inputs, "model_call": self.model_call, "output": self.output,
            "decision": self.decision, "changes": self.changes, "verdicts": self.verdicts,
            "next_node": self.next_node, "error": self.error,
            "started_at": self.started_at, "finished_at": self.finished_at,
            "duration_ms": self.duration_ms,
        }


_RUN_FIELDS = frozenset(f.name for f in fields(RunRow))
_STEP_FIELDS = frozenset(f.name for f in fields(StepRow))


@dataclass(frozen=True)
class TaskRow:
    id: str
    run_id: str
    step_id: int
    node_id: str
    status: str
    reason: str
    allowed: list[str]
    packet: dict[str, Any]
    decision: dict[str, Any] | None
    decided_by: str | None
    created_at: str
    due_at: str | None
    decided_at: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TaskRow:
        data = dict(row)
        for column in ("allowed", "packet", "decision"):
            data[column] = loads(data[column])
        return cls(**data)

    def settled_message(self) -> str:
        """Why this task cannot be decided again (every store refuses a second decision
        with these words)."""
        if self.status == "cancelled":
            return f"task {self.id} was cancelled together with its run"
        if self.status == "timed_out":
            return (f"task {self.id} timed out at {self.decided_at} and the run followed its "
                    "timeout branch; nothing was approved")
        decided = ", ".join(f"{k}={v}" for k, v in (self.decision or {}).items()
                            if v not in (None, {}, [])) or "no decision"
        return (f"task {self.id} was already decided ({decided}) "
                f"by {self.decided_by or 'someone'} at {self.decided_at}")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "run_id": self.run_id, "node": self.node_id,
            "status": self.status, "reason": self.reason, "allowed": self.allowed,
            "packet": self.packet, "decision": self.decision, "decided_by": self.decided_by,
            "created_at": self.created_at, "due_at": self.due_at,
            "decided_at": self.decided_at,
        }


@dataclass(slots=True)
class NewStep:
    """A step about to be journaled. Not frozen: a run's walk builds a dozen of these and a
    frozen dataclass costs four times as much to build (issue 13); nothing changes one
    after it is built (`done`, `blocked` copies are `replace`d)."""

    run_id: str
    node_id: str
    kind: str
    visit: int
    status: str
    autonomy: str | None = None
    attempt: int = 1
    inputs: Any = None
    model_call: Any = None
    output: Any = None
    decision: Any = None
    changes: Any = None
    verdicts: Any = None
    next_node: str | None = None
    error: str | None = None
    started_at: str = ""
    duration_ms: float | None = None




RunSort = Literal["newest", "oldest", "updated", "case"]
RUN_SORTS: tuple[str, ...] = ("newest", "oldest", "updated", "case")


@dataclass(frozen=True)
class RunQuery:
    """A page of runs for the run inspector. Every filter is optional and they combine
    with AND; `case_search` matches case ids containing the text (case-insensitive);
    `stage` is the run's autonomy override as started (`observe`, `copilot`, `operate`)."""

    flow: str | None = None
    status: str | None = None
    stage: str | None = None
    outcome: str | None = None
    batch_id: str | None = None
    case_search: str | None = None
    sort: RunSort = "newest"
    offset: int = 0
    limit: int = 50

    def __post_init__(self) -> None:
        if self.sort not in RUN_SORTS:
            raise ValueError(f"sort must be one of {', '.join(RUN_SORTS)}, got {self.sort!r}")
        if self.offset < 0 or self.limit < 1:
            raise ValueError("offset must be 0 or more and limit 1 or more")

    def filters(self, mark: str, contains: str) -> tuple[str, list[Any]]:
        """The WHERE clause and its arguments for a store's SQL dialect: `mark` is its
        parameter marker, `contains` its "column contains text" test with `{col}` and
        `{mark}` slots (case-insensitive)."""
        where, args = ["1=1"], []
        for column, value in (("flow_name", self.flow), ("status", self.status),
                              ("autonomy", self.stage), ("outcome", self.outcome),
                              ("batch_id", self.batch_id)):
            if value:
                where.append(f"{column}={mark}")
                args.append(value)
        if self.case_search:
            where.append(contains.format(col="case_id", mark=mark))
            args.append(self.case_search)
        return " AND ".join(where), args


@dataclass(frozen=True)
class RunPage:
    """One page of runs and how many runs match the filters in all (for a pager)."""

    runs: list[RunRow]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class TaskQuery:
    """Tasks for the inbox; filters combine with AND. `due_before` (an ISO timestamp)
    keeps tasks with a due time at or before it; `assignee` matches the assignee of the
    human node the task waits at (as recorded on its blocked step); `flow` is the name
    of the run's flow."""

    status: str | None = "open"
    run_id: str | None = None
    flow: str | None = None
    node_id: str | None = None
    assignee: str | None = None
    due_before: str | None = None


@dataclass(frozen=True)
class RunCounts:
    """Counts for the metrics view, over the runs that match a flow (or all runs)."""

    total: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    with_tasks: int = 0
    open_tasks: int = 0
