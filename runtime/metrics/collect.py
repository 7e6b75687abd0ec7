"""Gather a flow's metrics from the store: the store's grouped counts, then the pure
summary per stage. Shared by `junction metrics`, the benchmark and the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.evaluation import evidence
from runtime.metrics.summary import by_stage
from runtime.store.base import RunStore


def flow_metrics(store: RunStore, flow_path: Path | None, *, since: str | None = None,
                 stage: str | None = None,
                 suggest_bands: dict[str, float] | None = None,
                 intent_node: str | None = None) -> dict[str, dict[str, Any]]:
    """`intent_node`: the classify node whose label is a run's intent (the flow's first)."""
    facts = evidence.metric_facts(store, flow_path, since=since, stage=stage,
                                  low_below=suggest_bands, intent_node=intent_node)
    return by_stage(facts.runs, facts.steps, facts.seconds, facts.hits, facts.intents)
