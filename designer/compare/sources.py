"""What can be compared: the workspace's batches and single runs, newest first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from runtime.api import RunQuery, RunStore

RECENT_RUNS = 500


@dataclass(frozen=True)
class Source:
    kind: str   # "batch" or "run"
    id: str
    label: str


def comparable_sources(store: RunStore, limit: int = RECENT_RUNS) -> list[Source]:
    """Batches of the most recent runs (with their size and stage), then those runs."""
    runs = store.query_runs(RunQuery(limit=limit)).runs
    sizes = Counter(run.batch_id for run in runs if run.batch_id)
    sources: list[Source] = []
    seen: set[str] = set()
    for run in runs:
        if run.batch_id and run.batch_id not in seen:
            seen.add(run.batch_id)
            sources.append(Source("batch", run.batch_id, (
                f"Batch {run.batch_id} — {sizes[run.batch_id]} cases, "
                f"{run.autonomy or 'flow stage'}, {run.flow_name}")))
    for run in runs:
        sources.append(Source("run", run.id, (
            f"Run {run.id} — case {run.case_id}, {run.autonomy or 'flow stage'}, "
            f"{run.status.value}")))
    return sources
