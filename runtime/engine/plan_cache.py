"""Compiled plans, kept per flow text and folder, shared by the engine and the task desk.

A run is always walked (and its tasks resolved) with the flow text it started with, read
back from the store's snapshot, never with the file on disk as it is now.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from runtime.engine.plan import Plan, compile_plan
from runtime.flow.loader import LoadedFlow, parse_flow
from runtime.store.base import RunStore
from runtime.store.rows import RunRow


class PlanCache:
    def __init__(self, store: RunStore) -> None:
        self.store = store
        self._plans: dict[tuple[str, str], Plan] = {}

    def for_flow(self, loaded: LoadedFlow) -> Plan:
        """The plan of a flow about to start a run (compiled once per text and folder)."""
        plan = self._plans.get(plan_key(loaded.sha256, loaded.path))
        if plan is None or plan.loaded.text != loaded.text:
            plan = self._remember(compile_plan(loaded))
        return plan

    def for_run(self, run: RunRow) -> Plan:
        """The plan of the flow text the run was started with (never the file on disk)."""
        plan = self._plans.get(plan_key(run.flow_sha, run.flow_path))
        if plan is None:
            text = self.store.flow_text(run.flow_sha)
            path = Path(run.flow_path) if run.flow_path else None
            plan = self._remember(compile_plan(parse_flow(text, run.flow_path or "<flow>", path)))
        return plan

    def _remember(self, plan: Plan) -> Plan:
        key = plan_key(plan.loaded.sha256, plan.loaded.path)
        return self._plans.setdefault(key, plan)


def plan_key(sha: str, path: Path | str | None) -> tuple[str, str]:
    """Plans are cached per flow text *and* folder: relative model and knowledge paths
    resolve against the folder, so the same text elsewhere is a different plan."""
    return sha, resolved(str(path)) if path else ""


@lru_cache(maxsize=256)
def resolved(path: str) -> str:
    """A flow folder resolved once per process (each run asks; the disk is not)."""
    return str(Path(path).resolve())
