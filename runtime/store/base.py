"""The run store interface: what the engine, the CLI and the views may ask of a store.

Every store (SQLite for one person today, PostgreSQL for teams next) implements this class
and passes the same conformance suite (tests/runtime/store/conformance.py). The promises
below are the contract; an implementation may be faster, never weaker.

Words used in the promises:

- **atomic**: the verb's writes, and the audit rows that describe them, commit together
  or not at all. A reader never sees half of it.
- **durable**: once the verb returns, its commit survives the process being killed and
  a power cut. Verbs marked *crash-safe* survive the process being killed; a power cut
  may lose their last commits, which is harmless because the work they recorded had no
  effect outside the store yet and is redone on resume.
- **serialised**: a verb that reads and then writes (a status change, a decision) holds
  the store's write lock for both, so two processes never interleave; of two racing
  calls exactly one wins and the other sees its result.

Writes append what they did to the hash-chained audit trail in the same transaction. The
engine writes a step before it does anything with effects (see runtime/engine/runner.py): a
step is committed as `decided` (durable) before its record changes are applied, and
marked `done` together with the run's next position afterwards.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime.store.audit import Entry, Verification
from runtime.store.metric_rows import DecidedStep, FlowSnapshot, MetricFacts, MetricQuery
from runtime.store.rows import (
    NewStep,
    RunCounts,
    RunPage,
    RunQuery,
    RunRow,
    StepRow,
    TaskQuery,
    TaskRow,
)
from runtime.store.states import RunStatus

#: Work done inside a store's open transaction by tables sharing its database: gets the
#: transaction handle (a DB-API connection), returns the audit rows describing the work.
Within = Callable[[Any], list[Entry]]
#: How a run ends in the same commit as its last steps: (status, run fields).
Finish = tuple[RunStatus, dict[str, Any]]


class RunStore(ABC):
    """Runs, steps, human tasks and the audit trail of one workspace."""

    #: The workspace folder (providers keep caches there), or None for a store that is
    #: not a folder on this machine.
    workspace_dir: Path | None = None

    #: Who the audit trail names for the engine's own writes.
    actor: str

    #: The database file this store writes (resolved), or None. Tables that another part
    #: of the runtime keeps in the same file may take part in this store's transactions
    #: (`record_steps(within=…)`); the store never declares or names them.
    database_path: Path | None = None

    @abstractmethod
    def close(self) -> None:
        """Release connections. The store is not used afterwards."""

    # -- units of work ---------------------------------------------------------

    def begin_unit(self) -> None:
        """Start a unit of work: the writes that follow (each verb still atomic on its
        own) commit together at `end_unit`, so a batch or a stretch of a run pays for one
        commit instead of one per verb (group commit). Every verb then is crash-safe only
        once the unit ends: a crash before that loses the unit's work, none of which had
        any effect outside the store (a durable verb ends the unit before it commits, and
        the engine ends it before a slow model call, so the write lock is held briefly).
        A no-op for a store that cannot group its commits."""
        return None

    def end_unit(self) -> None:
        """Commit the unit of work begun by `begin_unit` (nothing when none is open)."""
        return None

    def rollback_unit(self) -> None:
        """Undo the open unit of work (the engine could not journal what it did)."""
        return None

    def work_in_unit(self, within: Within, *, run_id: str | None = None
                     ) -> list[Entry] | None:
        """Run `within(handle)` in the open unit of work and return its audit rows for
        the caller to journal later in the same unit (`record_steps(extras=…)`); None,
        doing nothing, when no unit is open or the store cannot share its transactions.
        `run_id`: the run the work is for; a store keeping that run back until the unit
        commits may hand `within` a handle whose writes wait with it (SQLite's
        `KeptWork`: `later(sql, params)` besides `execute`)."""
        return None

    # -- runs: writes --------------------------------------------------------

    @abstractmethod
    def create_run(
        self, *, flow_text: str, flow_sha: str, flow_name: str, flow_path: str | None,
        case_id: str, context: dict[str, Any], batch_id: str | None = None,
        autonomy: str | None = None, model_override: str | None = None,
        claim_at: str | None = None,
    ) -> tuple[RunRow, bool]:
        """Insert a `queued` run and keep the flow text it is pinned to (snapshots are
        keyed by sha and written once). Atomic, crash-safe, serialised.

        With `claim_at` (the flow's start node) the run is inserted already claimed, as
        `claim` would leave it: `running`, owned by this process, started now, at that
        node; its audit row says so. For a run the caller drives at once: one write of
        the row instead of two.

        With a batch id, an existing run of the same case in that batch is returned
        instead (second value False) and nothing is written: a re-run batch never runs a
        case twice, even when two processes start it at once."""

    @abstractmethod
    def claim(self, run_id: str, *, start_node: str | None = None) -> RunRow:
        """Take a queued, interrupted or retryable blocked run for this process: it becomes
        `running`, owned by this process (a queued run also gets `start_node` and its start
        time). Atomic, crash-safe, serialised. Raises ConflictError when a live process owns
        it, NotFoundError for an unknown id, IllegalTransition for a finished run."""

    @abstractmethod
    def move(self, run_id: str, target: RunStatus, **fields: Any) -> RunRow:
        """Change a run's status, checked against the state machine (IllegalTransition),
        and set `fields` (run columns) with it. Atomic, crash-safe, serialised."""

    def finish_run(self, run_id: str, status: RunStatus, **fields: Any) -> RunRow:
        """End a run (`completed`, `failed`): `move` that also releases the owner."""
        return self.move(run_id, status, owner=None, **fields)

    def block_run(self, run_id: str, reason: str) -> RunRow:
        """Block a run with no task (a model or connector was unavailable; `resume`
        retries it): `move` to `blocked` that releases the owner."""
        return self.move(run_id, RunStatus.blocked, blocked_reason=reason, owner=None)

    @abstractmethod
    def cancel_run(self, run_id: str, reason: str = "cancelled") -> RunRow:
        """Cancel a run and every open task of it. Atomic, crash-safe, serialised."""

    # -- runs: reads -----------------------------------------------------------

    @abstractmethod
    def run(self, run_id: str) -> RunRow:
        """A run by exact id (NotFoundError)."""

    @abstractmethod
    def find_run(self, prefix: str) -> RunRow:
        """A run by id or unambiguous id prefix (NotFoundError names the problem)."""

    @abstractmethod
    def runs(self, *, status: str | None = None, batch_id: str | None = None,
             limit: int | None = None) -> list[RunRow]:
        """Runs oldest first; with `limit`, the newest `limit` runs, newest first."""

    @abstractmethod
    def query_runs(self, query: RunQuery) -> RunPage:
        """One page of runs matching `query`, with the total count of matches."""

    @abstractmethod
    def runs_marker(self) -> tuple[int, str | None]:
        """(number of runs, latest `updated_at`): it changes whenever a run is created or
        moves (status, step, decision), so a view that polls can tell "nothing new"
        without reading runs. Must stay cheap with 100,000 runs."""

    @abstractmethod
    def run_facets(self) -> dict[str, list[str]]:
        """The distinct values a runs list offers as filters, sorted: `flows` (flow
        names) and `outcomes`."""

    @abstractmethod
    def run_counts(self, *, flow: str | None = None) -> RunCounts:
        """Counts by status and outcome, runs that needed a person, open tasks."""

    @abstractmethod
    def flow_text(self, sha: str) -> str:
        """The flow text a run was pinned to (NotFoundError if the snapshot is gone)."""

    @abstractmethod
    def interrupted_runs(self) -> list[RunRow]:
        """Runs `resume` continues, oldest first: queued runs, running runs whose owner
        process is gone, and runs blocked for a reason in `rows.RETRYABLE_BLOCKS`."""

    # -- steps -----------------------------------------------------------------

    @abstractmethod
    def record_step(self, step: NewStep, *, advance: dict[str, Any] | None = None) -> int:
        """Journal a step (its sequence number is the run's next); with `advance`, also
        set those run columns (`current_node`, `context`) in the same commit. Returns the
        step id. Atomic; durable when the step is `decided` (its effects follow), else
        crash-safe. A second step for the same (run, node, visit) raises."""

    def record_steps(self, steps: list[NewStep], *, advance: dict[str, Any] | None = None,
                     within: Within | None = None, finish: Finish | None = None,
                     durable: bool = False,
                     extras: list[list[Entry]] | None = None) -> list[int]:
        """Journal several steps of one run in one commit (the engine fuses steps that
        touched nothing outside the database). In the same transaction and in this order:
        the steps (each followed by its `extras`, audit rows of work done for it earlier
        in the unit), then `within(handle)` (work of tables sharing this store's database,
        returning its audit rows), then `advance`, then `finish` (status, run fields: the
        run ends and is released). Atomic; durable when `durable`, else crash-safe.

        This default is for stores that cannot share a transaction: it refuses `within`
        and commits piece by piece (each piece safe to redo)."""
        if within is not None or any(extras or []):
            raise NotImplementedError(f"{type(self).__name__} cannot share its transactions")
        ids = [self.record_step(step) for step in steps[:-1]]
        if steps:
            ids.append(self.record_step(steps[-1], advance=advance))
        if finish is not None:
            self.finish_run(steps[-1].run_id if steps else "", finish[0], **finish[1])
        return ids

    def record_end(self, steps: list[NewStep], *, advance: dict[str, Any], finish: Finish,
                   within: Within | None = None,
                   extras: list[list[Entry]] | None = None) -> RunRow:
        """A run's last steps and its end (`record_steps` with `finish`); returns the run as
        it now stands. A store may keep a run created and ended in the open unit of work
        back until the unit commits (it writes it in bulk then; anything that reads or
        writes the run before that sees it written)."""
        self.record_steps(steps, advance=advance, finish=finish, within=within,
                          extras=extras)
        return self.run(steps[0].run_id if steps else "")

    @abstractmethod
    def finish_step(self, step_id: int, run_id: str, *, advance: dict[str, Any],
                    entries: list[Entry] | None = None, within: Within | None = None,
                    before: list[NewStep] | None = None) -> None:
        """Mark a decided step `done` and move the run on (`advance`), with the audit rows
        of the record change the step made (`entries`), the steps journaled `before` it
        in the same commit, and `within(handle)`'s work (see `record_steps`). Atomic,
        crash-safe."""

    @abstractmethod
    def steps(self, run_id: str) -> list[StepRow]:
        """A run's steps in order."""

    @abstractmethod
    def step(self, step_id: int) -> StepRow:
        """One step (NotFoundError)."""

    @abstractmethod
    def open_step(self, run_id: str) -> StepRow | None:
        """The run's latest step that is `decided` or `blocked` but not `done`."""

    @abstractmethod
    def model_calls(self, run_id: str, node_id: str) -> int:
        """Model calls (attempts included) a node has made in this run (call limits)."""

    # -- tasks -------------------------------------------------------------------

    @abstractmethod
    def block_with_task(self, step: NewStep, *, reason: str, allowed: list[str],
                        packet: dict[str, Any], due_at: str | None = None,
                        context: dict[str, Any] | None = None) -> tuple[int, str]:
        """Journal a blocked step, open its human task and block the run (with `context`
        when given). Atomic, durable (a person will act on it). Returns (step id, task
        id)."""

    @abstractmethod
    def open_task_on_step(self, step_id: int, *, reason: str, allowed: list[str],
                          packet: dict[str, Any]) -> str:
        """Block a run at a step already journaled (a record change whose outcome is
        unknown): the step becomes `blocked`, a task opens. Atomic, durable."""

    @abstractmethod
    def settle_task(self, task_id: str, *, decision: dict[str, Any], decided_by: str,
                    step_update: dict[str, Any], status: str = "decided",
                    entries: list[Entry] | None = None) -> tuple[TaskRow, bool]:
        """Record a decision (`status` "decided") or a timeout ("timed_out"): update the
        blocked step with `step_update` and make it `decided`, and wake the run
        (`running`, no owner). Atomic, durable, serialised.

        Returns (task, True) when this call decided it. The same decision again returns
        (task, False) and changes nothing; a different one raises ConflictError naming
        what was decided, by whom and when. Of two racing deciders exactly one wins."""

    @abstractmethod
    def tasks(self, *, status: str | None = "open", run_id: str | None = None) -> list[TaskRow]:
        """Tasks oldest first (open ones by default)."""

    @abstractmethod
    def query_tasks(self, query: TaskQuery) -> list[TaskRow]:
        """Tasks for the inbox, oldest first, filtered by `query`."""

    @abstractmethod
    def task(self, task_id: str) -> TaskRow:
        """A task by id or unambiguous id prefix (NotFoundError)."""

    @abstractmethod
    def due_tasks(self, at: str) -> list[TaskRow]:
        """Open tasks whose due time is at or before `at`, earliest first."""

    # -- audit trail -------------------------------------------------------------

    @abstractmethod
    def append_audit(self, entries: list[Entry]) -> None:
        """Audit rows that go with no journal write (a refused edit). Atomic,
        crash-safe, serialised with every other writer (the chain never forks)."""

    @abstractmethod
    def audit_rows(self, *, run_id: str | None = None,
                   limit: int | None = None) -> list[dict[str, Any]]:
        """Audit rows oldest first (JSON columns decoded); with `limit`, the newest
        `limit` of them, still oldest first."""

    @abstractmethod
    def verify_audit(self) -> Verification:
        """Walk the hash chain; name the first row that was edited or removed."""

    # -- evidence and metrics (reads only) ------------------------------------------

    @abstractmethod
    def flow_snapshots(self) -> list[FlowSnapshot]:
        """Every stored flow version (sha and text), ordered by sha: the evidence reads a
        version's stage from its text."""

    @abstractmethod
    def metric_facts(self, query: MetricQuery) -> MetricFacts:
        """The counts `junction metrics` and the dashboard show, grouped by the store:
        runs per stage, status, outcome, person involved and intent; durations of completed
        runs; AI steps per stage, node, who decided, agreement and low confidence; guardrail
        hits per stage and rule (see metric_rows.MetricQuery for what is counted). Runs of
        evaluation batches are left out. Must stay fast over 100,000 runs: no per-step
        decoding of JSON (bench/metrics_100k.py)."""

    @abstractmethod
    def decided_steps(self, flow_path: str, node_id: str) -> list[DecidedStep]:
        """Steps of `node_id` a person decided (`decision.by == "human"`), in runs of the
        flow file `flow_path` (resolved), oldest run first, with what the step saw and
        what the person chose: a classify node's training material, read without
        walking every run."""

    # -- health (for `junction doctor`) -----------------------------------------

    @abstractmethod
    def integrity_problems(self, *, full: bool = False) -> list[str]:
        """What the database engine finds damaged (empty when healthy); `full` runs the
        slow, thorough check. Reads only."""

    @abstractmethod
    def schema_version(self) -> int | None:
        """The schema version recorded in the store (None when it records none)."""
