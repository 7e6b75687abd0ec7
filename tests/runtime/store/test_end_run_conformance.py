"""Store conformance for finishing a run (issue 12 §3): the end step and the run's
completion are one write (`record_steps(..., finish=...)`) — a failure inside it leaves
neither, so no run is ever stranded `running` with no position."""

from __future__ import annotations

from typing import Any

import pytest
from test_store_conformance import new_run

from runtime.store.base import RunStore
from runtime.store.rows import NewStep
from runtime.store.states import RunStatus


def end_step(run_id: str) -> NewStep:
    return NewStep(run_id=run_id, node_id="done", kind="end", visit=1, status="done",
                   decision={"action": "end", "outcome": "resolved"})


def test_the_end_step_and_the_runs_completion_are_written_together(
        store: RunStore) -> None:
    run = new_run(store)
    store.claim(run.id, start_node="start")
    store.record_steps([end_step(run.id)],
                       advance={"current_node": None,
                                "context": {"case": {}, "visits": {"done": 1}}},
                       finish=(RunStatus.completed, {"outcome": "resolved"}))
    finished = store.run(run.id)
    assert finished.status is RunStatus.completed and finished.outcome == "resolved"
    assert finished.current_node is None and finished.owner is None
    assert [s.kind for s in store.steps(run.id)] == ["end"]
    statuses = [r["after"].get("status") for r in store.audit_rows(run_id=run.id)
                if r["kind"] == "run.status"]
    assert statuses[-1] == "completed"
    assert store.verify_audit().ok


def test_a_failure_inside_the_completion_leaves_neither_the_step_nor_the_end(
        store: RunStore) -> None:
    run = new_run(store)
    store.claim(run.id, start_node="start")

    def crash(handle: Any) -> list[Any]:
        raise RuntimeError("killed inside the completion")

    with pytest.raises(RuntimeError):
        store.record_steps([end_step(run.id)], advance={"current_node": None, "context": {}},
                           finish=(RunStatus.completed, {"outcome": "resolved"}),
                           within=crash)
    after = store.run(run.id)
    assert after.status is RunStatus.running and after.current_node == "start"
    assert store.steps(run.id) == []
    assert store.verify_audit().ok
