"""Gather a flow's metrics from the store: the store's grouped counts, then the pure
summary per stage. Shared by `junction metrics`, the benchmark and the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.evaluation import evidence
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import ClassifyNode
from runtime.metrics.summary import by_stage
from runtime.store.base import RunStore
from runtime.store.sqlite import SqliteRunStore
from runtime.workspace import database_path


def flow_metrics(store: RunStore, flow_path: Path | None, *, since: str | None = None,
                 stage: str | None = None,
                 suggest_bands: dict[str, float] | None = None,
                 intent_node: str | None = None) -> dict[str, dict[str, Any]]:
    """`intent_node`: the classify node whose label is a run's intent (the flow's first)."""
    facts = evidence.metric_facts(store, flow_path, since=since, stage=stage,
                                  low_below=suggest_bands, intent_node=intent_node)
    return by_stage(facts.runs, facts.steps, facts.seconds, facts.hits, facts.intents)


def metrics_for(home: Path, loaded: LoadedFlow, *, since: str | None = None,
                stage: str | None = None) -> dict[str, dict[str, Any]]:
    """The flow's metrics per stage as `junction metrics --json` gives them, from the
    workspace at `home` (opened here: the dashboard calls this from a worker thread, and a
    SQLite connection belongs to the thread that opened it)."""
    if loaded.path is None:
        return {}
    bands = {n.id: n.guardrails.bands.suggest for n in loaded.flow.nodes
             if n.kind == "ai" and hasattr(n, "guardrails")}
    intent = next((n.id for n in loaded.flow.nodes if isinstance(n, ClassifyNode)), None)
    store = SqliteRunStore(database_path(home))
    try:
        return flow_metrics(store, loaded.path, since=since, stage=stage,
                            suggest_bands=bands, intent_node=intent)
    finally:
        store.close()
