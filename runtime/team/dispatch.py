"""Putting work on the team queue: a batch's cases, and runs a person just decided."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.engine.human_decision import HumanDecision
from runtime.engine.runner import Engine
from runtime.errors import InputError
from runtime.flow.loader import LoadedFlow
from runtime.store.base import RunStore
from runtime.store.rows import RunRow, TaskRow
from runtime.urls import is_postgres_url, redact


@dataclass(frozen=True)
class TeamQueue:
    """Where a team store's decided runs go on: the queue on `url`, and how many workers
    are taking its jobs right now (0 also when no worker ever installed the queue)."""

    url: str
    workers: int

    @property
    def shown(self) -> str:
        """The server as a person may see it (never the password)."""
        return redact(self.url)


def require_team_store(url: str | None, what: str) -> str:
    if not url or not is_postgres_url(url):
        raise InputError(f"{what} needs a team store: --store postgresql://user@host/db "
                         "(or JUNCTION_STORE, or workspace.store in the settings); workers take "
                         "the queued cases from there")
    return url


def enqueue_batch(engine: Engine, url: str, loaded: LoadedFlow, cases: list[dict[str, Any]],
                  *, batch_id: str, autonomy: str | None = None,
                  model: str | None = None) -> tuple[list[RunRow], int]:
    """Create a queued run per case (a case already in the batch is not created again)
    and enqueue the ones that still have work; returns (runs, how many were enqueued)."""
    from runtime.team import queue

    queue.ensure_schema(url)
    runs, todo = [], []
    for case in cases:
        run, created = engine.create(loaded, case, batch_id=batch_id, autonomy=autonomy,
                                     model=model)
        runs.append(run)
        waiting = run.status.value == "blocked" and engine.store.tasks(run_id=run.id)
        if created or not (run.status.terminal or waiting):
            todo.append(run.id)
    return runs, queue.enqueue_runs(url, todo)


def decide_and_enqueue(engine: Engine, url: str, task_id: str, decision: HumanDecision,
                       decided_by: str) -> tuple[TaskRow, bool, RunRow]:
    """Record a person's decision in the team store and wake the run on whichever worker
    takes the job next (this machine may not have the flow's models)."""
    from runtime.team import queue

    settled = engine.desk.decide(task_id, decision, decided_by)
    if settled.fresh:
        queue.ensure_schema(url)
        queue.enqueue_runs(url, [settled.task.run_id])
    return settled.task, settled.fresh, engine.store.run(settled.task.run_id)


def team_queue(store: RunStore) -> TeamQueue | None:
    """The team queue beside `store`, or None for a store of one machine (SQLite), where
    a decided run simply continues in the process that decided it."""
    url = getattr(store, "url", None)
    if not isinstance(url, str) or not is_postgres_url(url):
        return None
    from runtime.team import queue

    return TeamQueue(url, queue.live_workers(url) or 0)
