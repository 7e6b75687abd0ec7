"""The SQLite store appends a unit of work's audit rows once, just before its commit: the
trail must still read as if each verb had written its own rows."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runtime.store.rows import NewStep
from runtime.store.sqlite import SqliteRunStore
from runtime.store.states import IllegalTransition, RunStatus


def _new_run(store: SqliteRunStore, case_id: str, flow: str = "U") -> str:
    run, _ = store.create_run(flow_text=f"format_version: 1\nname: {flow}\n",
                              flow_sha=f"sha-{flow}", flow_name=flow, flow_path=None,
                              case_id=case_id,
                              context={"case": {"id": case_id}})
    return run.id


def test_a_units_rows_carry_the_time_each_verb_ran_and_a_failed_verb_leaves_none(
        tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "junction.db")
    store.begin_unit()
    run_id = _new_run(store, "c-1")
    time.sleep(0.01)
    store.claim(run_id, start_node="a")
    with pytest.raises(IllegalTransition):
        store.move(run_id, RunStatus.queued)  # refused: nothing of it may be kept
    time.sleep(0.01)
    committed = datetime.now(UTC).isoformat(timespec="microseconds")
    store.end_unit()
    rows = store.audit_rows(run_id=run_id)
    assert [(r["kind"], (r["after"] or {}).get("status")) for r in rows] == [
        ("run.created", "queued"), ("run.status", "running")]
    assert rows[0]["at"] < rows[1]["at"] < committed  # when each verb ran, not the commit
    assert store.verify_audit().ok


def test_a_unit_rolled_back_leaves_no_audit_rows_and_the_chain_goes_on(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "junction.db")
    kept = _new_run(store, "c-1")
    store.begin_unit()
    undone = _new_run(store, "c-2", flow="V")  # the first run of flow V: its snapshot too
    store.claim(undone, start_node="a")
    store.record_steps([NewStep(run_id=undone, node_id="a", kind="start", visit=1,
                                status="done")])
    store.rollback_unit()
    store.begin_unit()
    again = _new_run(store, "c-3", flow="V")  # V's snapshot, undone with c-2, comes back
    store.end_unit()
    assert {r["run_id"] for r in store.audit_rows()} == {kept, again}
    assert store.verify_audit().ok
    store.close()
    reopened = SqliteRunStore(tmp_path / "junction.db")
    assert [r.case_id for r in reopened.runs()] == ["c-1", "c-3"]
    assert reopened.flow_text("sha-V").endswith("name: V\n")
    assert reopened.verify_audit().ok
