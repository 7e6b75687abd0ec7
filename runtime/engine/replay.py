"""Replay: the same cases again, at another autonomy stage or with another model.

A trainer shows what changes when a flow moves from observe to copilot to operate: the
cases of a finished run or batch run again as a new batch with the same case ids, under
the stage or model chosen, with the flow text the originals were pinned to (never the
file as it is now), so the comparison differs only in what was asked to differ.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime.engine.runner import Engine
from runtime.errors import InputError
from runtime.flow.loader import LoadedFlow, parse_flow
from runtime.store.base import RunStore
from runtime.store.rows import RunRow

STAGES = ("observe", "copilot", "operate")


@dataclass(frozen=True)
class ReplayRequest:
    """Which runs to replay and how: `autonomy` / `model` None keep each run's own."""

    runs: Sequence[RunRow]
    autonomy: str | None = None
    model: str | None = None

    def __post_init__(self) -> None:
        if not self.runs:
            raise InputError("there are no runs to replay")
        if self.autonomy is not None and self.autonomy not in STAGES:
            raise InputError(f"autonomy must be one of {', '.join(STAGES)}, "
                             f"got '{self.autonomy}'")


@dataclass(frozen=True)
class ReplayProgress:
    """One replayed case: how far the replay is and the new run as it stands."""

    batch_id: str
    done: int
    total: int
    run: RunRow


def runs_to_replay(store: RunStore, *, batch_id: str | None = None,
                   run_id: str | None = None) -> list[RunRow]:
    """The runs of a batch (oldest first), or one run."""
    if run_id is not None:
        return [store.find_run(run_id)]
    if batch_id is None:
        raise InputError("say which batch or run to replay")
    runs = store.runs(batch_id=batch_id)
    if not runs:
        raise InputError(f"batch '{batch_id}' has no runs")
    return runs


def new_batch_id(request: ReplayRequest) -> str:
    what = request.autonomy or (request.model or "same").split(":")[0]
    return f"replay-{what}-{uuid.uuid4().hex[:8]}"


def replay(engine: Engine, request: ReplayRequest,
           batch_id: str | None = None) -> Iterator[ReplayProgress]:
    """Run every case of `request.runs` again as one new batch, yielding after each case
    (a worker can show progress and stop between cases). Runs that reach a human task
    stay blocked there, as in any batch."""
    batch = batch_id or new_batch_id(request)
    flows: dict[tuple[str, str | None], LoadedFlow] = {}
    total = len(request.runs)
    for done, source in enumerate(request.runs, start=1):
        loaded = flows.get((source.flow_sha, source.flow_path))
        if loaded is None:
            loaded = _pinned_flow(engine.store, source)
            flows[(source.flow_sha, source.flow_path)] = loaded
        case = dict(source.context.get("case") or {})
        run, _ = engine.create(loaded, case, batch_id=batch,
                               autonomy=request.autonomy or source.autonomy,
                               model=request.model or source.model_override)
        yield ReplayProgress(batch, done, total, engine.drive(run.id))


def _pinned_flow(store: RunStore, run: RunRow) -> LoadedFlow:
    text = store.flow_text(run.flow_sha)
    path = Path(run.flow_path) if run.flow_path else None
    return parse_flow(text, run.flow_path or run.flow_name, path)
