"""Gather a flow's metrics from the store: the adapter's SQL aggregates, then the pure
summary per stage. Shared by `junction metrics`, the benchmark and (later) the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.evaluation import evidence
from runtime.metrics.summary import by_stage
from runtime.store.runs import RunStore


def flow_metrics(store: RunStore, flow_path: Path | None, *, since: str | None = None,
                 stage: str | None = None,
                 suggest_bands: dict[str, float] | None = None,
                 intent_node: str | None = None) -> dict[str, dict[str, Any]]:
    """`intent_node`: the classify node whose label is a run's intent (the flow's first)."""
    evidence.ensure_metric_indexes(store)
    kw: dict[str, Any] = {"since": since, "stage": stage}
    runs = evidence.run_metrics(store, flow_path, intent_node=intent_node, **kw)
    return by_stage(runs.rows,
                    evidence.step_counts(store, flow_path, low_below=suggest_bands, **kw),
                    runs.seconds, evidence.guardrail_hits(store, flow_path, **kw),
                    runs.intents)
