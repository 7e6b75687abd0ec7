"""The runtime work the inbox and the replay hand to a worker thread.

Each opens its own `Workspace` in the worker's thread (never the GUI's connection) and
closes it when done, exactly as a second process would.

On a team store (PostgreSQL) a decided run is not continued in the designer: it goes on
the team's queue and whichever worker takes it continues it with that machine's models.
With no worker taking jobs, nothing is decided until the person chooses (`NoWorker`):
continue the run here, or leave it queued for when a worker starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from runtime.api import Workspace

if TYPE_CHECKING:  # the engine is imported by the work that runs it, not with the window
    from runtime.api import HumanDecision, ReplayProgress, RunRow, TaskRow

#: Where a decided run continues: "auto" (the team's workers when the store is a team
#: store with a worker running, else here), "here" (this process), "queue" (the team
#: queue even with no worker running yet).
Where = Literal["auto", "here", "queue"]


@dataclass(frozen=True)
class Decided:
    """What became of a decision: the task as it stands, whether this call decided it
    (False: someone had already decided, nothing changed) and the run afterwards."""

    task: TaskRow
    fresh: bool
    run: RunRow
    asked: HumanDecision
    #: Handed to the team queue: the workers taking jobs at that moment (0: none yet);
    #: None when the run continued here.
    queued_for: int | None = None


@dataclass(frozen=True)
class NoWorker:
    """A team store with no worker taking jobs: nothing was decided; ask the person."""

    task_id: str
    asked: HumanDecision
    store: str  # the team store, as shown to the person (no password)


def decide_task(home: Path, task_id: str, decision: HumanDecision, by: str,
                where: Where = "auto") -> Decided | NoWorker:
    from runtime.api import decide_and_enqueue, team_queue

    workspace = Workspace.open(home)
    try:
        engine = workspace.engine(decided_by=by)
        team = None if where == "here" else team_queue(workspace.store)
        if team is None:
            task, fresh, run = engine.decide(task_id, decision)
            return Decided(task, fresh, run, decision)
        if team.workers == 0 and where == "auto":
            return NoWorker(task_id, decision, team.shown)
        task, fresh, run = decide_and_enqueue(engine, team.url, task_id, decision, by)
        return Decided(task, fresh, run, decision, queued_for=team.workers)
    finally:
        workspace.close()


def replay_cases(home: Path, *, batch_id: str | None, run_id: str | None,
                 autonomy: str | None, model: str | None) -> Iterator[ReplayProgress]:
    workspace = Workspace.open(home)
    try:
        from runtime.api import ReplayRequest, replay, runs_to_replay

        runs = runs_to_replay(workspace.store, batch_id=batch_id, run_id=run_id)
        yield from replay(workspace.engine(decided_by="replay"),
                          ReplayRequest(runs, autonomy=autonomy, model=model))
    finally:
        workspace.close()
