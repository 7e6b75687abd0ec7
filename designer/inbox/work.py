"""The runtime work the inbox and the replay hand to a worker thread.

Each opens its own `Workspace` in the worker's thread (never the GUI's connection) and
closes it when done, exactly as a second process would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.api import Workspace

if TYPE_CHECKING:  # the engine is imported by the work that runs it, not with the window
    from runtime.api import HumanDecision, ReplayProgress, RunRow, TaskRow


@dataclass(frozen=True)
class Decided:
    """What became of a decision: the task as it stands, whether this call decided it
    (False: someone had already decided, nothing changed) and the run afterwards."""

    task: TaskRow
    fresh: bool
    run: RunRow
    asked: HumanDecision


def decide_task(home: Path, task_id: str, decision: HumanDecision, by: str) -> Decided:
    workspace = Workspace.open(home)
    try:
        task, fresh, run = workspace.engine(decided_by=by).decide(task_id, decision)
        return Decided(task, fresh, run, decision)
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
