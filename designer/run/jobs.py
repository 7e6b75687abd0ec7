"""The runtime work behind the Run menu, as plain functions a `Worker` runs in its thread.

Each job opens the workspace itself (`Workspace.open`, the same store the CLI writes), in
the worker's thread, and closes it when done: a SQLite connection belongs to the thread
that made it. Every job parses the flow *text* it is given — the text the designer would
save — so a run is pinned to exactly what the person sees, saved or not.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.api import LoadedFlow, Workspace, parse_flow

if TYPE_CHECKING:  # the engine is imported by the jobs that run it, not with the window
    from runtime.api import Observer, RunRow, TrialResult

PROGRESS_EVERY_S = 0.05  # a batch reports at most ~20 times a second


@dataclass(frozen=True)
class RunSettings:
    """What the run dialog decided: the flow text, the stage and the model override."""

    text: str
    path: Path | None
    autonomy: str | None = None
    model: str | None = None
    home: Path | None = None  # the workspace; None = $JUNCTION_HOME or the user data dir

    def loaded(self) -> LoadedFlow:
        name = str(self.path) if self.path else "<unsaved flow>"
        return parse_flow(self.text, filename=name, path=self.path)


@dataclass(frozen=True)
class BatchProgress:
    done: int
    total: int
    elapsed_s: float

    @property
    def per_second(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True)
class OutcomeRow:
    """One case's line in the outcomes table."""

    case_id: str
    run_id: str
    status: str
    outcome: str
    detail: str  # why it is blocked or failed


@dataclass
class BatchResult:
    batch_id: str
    total: int
    rows: list[OutcomeRow] = field(default_factory=list)
    elapsed_s: float = 0.0
    cancelled: bool = False

    @property
    def per_second(self) -> float:
        return len(self.rows) / self.elapsed_s if self.elapsed_s > 0 else 0.0


def run_case(settings: RunSettings, case: dict[str, Any], observer: Observer) -> RunRow:
    """Create one run of `case` and drive it until it blocks or ends."""
    loaded = settings.loaded()
    workspace = Workspace.open(settings.home)
    try:
        engine = workspace.engine([observer], decided_by="designer")
        return engine.start(loaded, case, autonomy=settings.autonomy, model=settings.model)
    finally:
        workspace.close()


def run_batch(settings: RunSettings, cases: Sequence[dict[str, Any]],
              stop: threading.Event) -> Generator[BatchProgress, None, BatchResult]:
    """Run every case in turn; yields progress at most every PROGRESS_EVERY_S and returns
    a `BatchResult`. `stop` is looked at between cases only: the case in hand is driven to
    its end (or its human task), the rest are never created — nothing is half-written."""
    loaded = settings.loaded()
    result = BatchResult(batch_id=f"designer-{uuid.uuid4().hex[:12]}", total=len(cases))
    workspace = Workspace.open(settings.home)
    started = last = time.perf_counter()
    try:
        engine = workspace.engine(decided_by="designer")
        for case in cases:
            if stop.is_set():
                result.cancelled = True
                break
            run, _ = engine.create(loaded, case, batch_id=result.batch_id,
                                   autonomy=settings.autonomy, model=settings.model)
            result.rows.append(outcome_row(engine.drive(run.id)))
            now = time.perf_counter()
            if now - last >= PROGRESS_EVERY_S:
                last = now
                yield BatchProgress(len(result.rows), len(cases), now - started)
    finally:
        workspace.close()
        result.elapsed_s = time.perf_counter() - started
    return result


def outcome_row(run: RunRow) -> OutcomeRow:
    return OutcomeRow(case_id=run.case_id, run_id=run.id, status=run.status.value,
                      outcome=run.outcome or "",
                      detail=run.blocked_reason or run.error or "")


def trial(settings: RunSettings, node_id: str, case: dict[str, Any]) -> TrialResult:
    """Try one AI step; no workspace is opened at all."""
    from runtime.api import try_step

    return try_step(settings.loaded(), node_id, case, autonomy=settings.autonomy,
                    model=settings.model)


def warm_up(settings: RunSettings) -> None:
    """Pay a first run's one-off costs (importing the model backends, compiling the flow)
    in a worker while the run dialog is open, not in the middle of the run."""
    from runtime.api import preload_model_backends

    preload_model_backends()
    settings.loaded()
