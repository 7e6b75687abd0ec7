"""Store conformance for `end_run` (issue 12 §3): the end step and the run's completion are
one commit — a failure inside it leaves neither, so no run is ever stranded `running`
with no position."""

from __future__ import annotations

import pytest
from test_store_conformance import new_run

from runtime.store.base import RunStore
from runtime.store.rows import NewStep
from runtime.store.states import RunStatus


def end_step(run_id: str) -> NewStep:
    return NewStep(run_id=run_id, node_id="done", kind="end", visit=1, status="done",
                   decision={"action": "end", "outcome": "resolved"})


def test_end_run_journals_the_end_step_and_completes_the_run_together(
        store: RunStore) -> None:
    run = new_run(store)
    store.claim(run.id, start_node="start")
    finished = store.end_run(end_step(run.id), context={"case": {}, "visits": {"done": 1}},
                             outcome="resolved")
    assert finished.status is RunStatus.completed and finished.outcome == "resolved"
    assert finished.current_node is None and finished.owner is None
    assert [s.kind for s in store.steps(run.id)] == ["end"]
    statuses = [r["after"].get("status") for r in store.audit_rows(run_id=run.id)
                if r["kind"] == "run.status"]
    assert statuses[-1] == "completed"
    assert store.verify_audit().ok


def test_a_failure_inside_end_run_leaves_neither_the_step_nor_the_completion(
        store: RunStore) -> None:
    run = new_run(store)
    store.claim(run.id, start_node="start")

    def crash() -> None:
        raise RuntimeError("killed inside the completion")

    with pytest.raises(RuntimeError):
        store.end_run(end_step(run.id), context={}, outcome="resolved", before_commit=crash)
    after = store.run(run.id)
    assert after.status is RunStatus.running and after.current_node == "start"
    assert store.steps(run.id) == []
    assert store.verify_audit().ok
