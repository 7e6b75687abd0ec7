"""Runs created and ended inside one unit of work are written at its commit, in bulk
(runtime/store/sqlite_group.py). What a user could notice if that went wrong: a case run
twice, a run missing or half-written, a read that does not see a run just made, an undone
unit that leaves rows behind, or an audit trail that disagrees with the journal.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.api import RunStatus, Workspace, load_flow

GROUP = Path(__file__).parent / "group"
NODES = ["start", "classify", "route", "auto", "update", "end"]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    opened = Workspace.open(tmp_path / "home")
    yield opened
    opened.close()


def table(workspace: Workspace, sql: str) -> list[tuple[object, ...]]:
    """What another process sees (a connection of its own: committed rows only)."""
    db = sqlite3.connect(workspace.store.database_path)
    try:
        return [tuple(row) for row in db.execute(sql)]
    finally:
        db.close()


def test_a_case_named_twice_in_one_group_runs_once(workspace: Workspace) -> None:
    flow = load_flow(GROUP / "flow.yaml")
    engine = workspace.engine()
    # A workspace's very first run is written as it goes (preparing the record tables ends
    # the unit); after it, the batch's runs are kept back and the repeat is found in memory.
    engine.start(flow, {"id": "seed", "message": "m"})
    cases = [{"id": "c-1", "message": "hello"}, {"id": "c-2", "message": "hi"},
             {"id": "c-1", "message": "hello"}]
    runs = engine.run_batch(flow, cases, batch_id="b1")
    assert runs[0].id == runs[2].id
    assert [r.status for r in runs] == [RunStatus.completed] * 3
    assert table(workspace, "SELECT case_id, COUNT(*) FROM runs WHERE batch_id='b1'"
                            " GROUP BY case_id") == [("c-1", 1), ("c-2", 1)]
    assert table(workspace, "SELECT COUNT(*) FROM record_changes WHERE case_id != 'seed'"
                 ) == [(4,)]


def test_the_row_a_batch_returns_is_the_row_stored(workspace: Workspace) -> None:
    flow = load_flow(GROUP / "flow.yaml")
    engine = workspace.engine()
    returned = engine.run_batch(flow, [{"id": f"c-{i}", "message": "m"} for i in range(3)],
                                batch_id="b1")
    alone = engine.start(flow, {"id": "c-9", "message": "m"})
    for run in [*returned, alone]:
        assert workspace.store.run(run.id) == run
    for run_id, in table(workspace, "SELECT id FROM runs"):
        nodes = [n for n, in table(workspace, "SELECT node_id FROM steps WHERE run_id="
                                              f"'{run_id}' ORDER BY seq")]
        assert nodes == NODES
    assert workspace.store.verify_audit().ok


def test_a_read_inside_the_unit_sees_a_run_not_yet_committed(workspace: Workspace) -> None:
    flow = load_flow(GROUP / "flow.yaml")
    engine = workspace.engine()
    with engine.unit_of_work():
        run, created = engine.create(flow, {"id": "c-1", "message": "m"}, batch_id="b",
                                     claim=True)
        assert created
        assert workspace.store.run(run.id).status is RunStatus.running
        assert table(workspace, "SELECT COUNT(*) FROM runs") == [(0,)]  # not committed
        again, created = engine.create(flow, {"id": "c-1", "message": "m"}, batch_id="b",
                                       claim=True)
        assert (again.id, created) == (run.id, False)
    assert table(workspace, "SELECT id, status FROM runs") == [(run.id, "running")]


def test_an_undone_unit_leaves_no_run_and_the_next_one_is_whole(
        workspace: Workspace) -> None:
    flow = load_flow(GROUP / "flow.yaml")
    engine = workspace.engine()
    engine.units.begin()  # as Engine._journal_or_undo does when even journaling fails
    engine.create(flow, {"id": "c-1", "message": "m"}, claim=True)
    engine.units.undo()
    engine.units.end()
    assert table(workspace, "SELECT COUNT(*) FROM runs") == [(0,)]
    run = engine.start(flow, {"id": "c-2", "message": "m"})  # its flow snapshot again
    assert run.status is RunStatus.completed
    assert table(workspace, "SELECT COUNT(*) FROM flow_snapshots") == [(1,)]
    verified = workspace.store.verify_audit()
    assert verified.ok, verified.problem


def test_the_audit_trail_says_a_run_was_created_running(workspace: Workspace) -> None:
    flow = load_flow(GROUP / "flow.yaml")
    run = workspace.engine().start(flow, {"id": "c-1", "message": "m"})
    kinds = [(r["kind"], (r["after"] or {}).get("status"))
             for r in workspace.store.audit_rows(run_id=run.id)
             if r["kind"] in ("run.created", "run.status")]
    assert kinds == [("run.created", "running"), ("run.status", "completed")]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "é", "a b", ""]), max_size=12),
       st.integers(min_value=1, max_value=5))
def test_any_batch_in_any_grouping_runs_each_case_once(tmp_path: Path, ids: list[str],
                                                       group: int) -> None:
    """Generated case lists (repeats, odd ids, an empty id the check refuses) in groups of
    any size: every valid case ends once, and the journal agrees with the audit trail."""
    home = tmp_path / f"h-{len(list(tmp_path.iterdir()))}"
    workspace = Workspace.open(home)
    try:
        flow = load_flow(GROUP / "flow.yaml")
        cases = [{"id": i, "message": f"about {i}"} for i in ids if i]
        runs = workspace.engine().run_batch(flow, cases, batch_id="b", group=group)
        assert len({r.id for r in runs}) == len(set(i for i in ids if i))
        assert all(r.status is RunStatus.completed for r in runs)
        assert table(workspace, "SELECT COUNT(*) FROM steps")[0][0] == 6 * len(set(
            i for i in ids if i))
        verified = workspace.store.verify_audit()
        assert verified.ok, verified.problem
    finally:
        workspace.close()


def test_a_runs_second_change_builds_on_its_first_and_on_earlier_batches(
        workspace: Workspace) -> None:
    """Record changes of a kept-back run wait with it: the second change of a run must see
    the first (not yet in the table), and a later batch must see what the first left."""
    flow = load_flow(GROUP / "flow.yaml")
    engine = workspace.engine()
    engine.start(flow, {"id": "seed", "message": "m"})  # the record tables now exist
    engine.run_batch(flow, [{"id": "c-1", "message": "m"}], batch_id="first")
    engine.run_batch(flow, [{"id": "c-1", "message": "m"}], batch_id="second")
    changes = [(json.loads(b), json.loads(a)) for b, a in table(
        workspace, "SELECT before, after FROM record_changes WHERE case_id='c-1'"
                   " ORDER BY applied_at, rowid")]
    assert changes == [
        ({}, {"handled_by": "ai"}),
        ({"handled_by": "ai"}, {"handled_by": "ai", "status": "done"}),
        ({"handled_by": "ai", "status": "done"}, {"handled_by": "ai", "status": "done"}),
        ({"handled_by": "ai", "status": "done"}, {"handled_by": "ai", "status": "done"}),
    ]
    assert table(workspace, "SELECT data FROM records WHERE case_id='c-1'") == [
        ('{"handled_by":"ai","status":"done"}',)]
    assert workspace.store.verify_audit().ok


def test_work_that_fails_for_a_kept_run_leaves_nothing_behind(workspace: Workspace) -> None:
    flow = load_flow(GROUP / "flow.yaml")
    engine, store = workspace.engine(), workspace.store
    engine.run_batch(flow, [{"id": "seed", "message": "m"}], batch_id="b0")  # tables exist
    engine.units.begin()
    run, _ = engine.create(flow, {"id": "c-1", "message": "m"}, claim=True)

    def half_done(handle: Any) -> list[Any]:
        handle.later("INSERT INTO records(tbl, case_id, data, updated_at) VALUES (?,?,?,?)",
                     ("records", "c-1", "{}", "now"))
        raise RuntimeError("the change failed half way")

    with pytest.raises(RuntimeError):
        store.work_in_unit(half_done, run_id=run.id)
    engine.units.end()
    assert table(workspace, "SELECT case_id FROM records ORDER BY case_id") == [("seed",)]
    assert table(workspace, "SELECT case_id, status FROM runs WHERE case_id='c-1'") == [
        ("c-1", "running")]


@pytest.mark.parametrize("finish", [(RunStatus.completed, {"outcome": "resolved"}),
                                    (RunStatus.failed, {"error": "the model said no"})])
def test_how_a_kept_run_ended_is_what_is_stored(workspace: Workspace,
                                                finish: tuple[RunStatus, dict[str, Any]]
                                                ) -> None:
    from runtime.store.rows import NewStep

    flow = load_flow(GROUP / "flow.yaml")
    engine, store = workspace.engine(), workspace.store
    with engine.unit_of_work():
        run, _ = engine.create(flow, {"id": "c-1", "message": "m"}, claim=True)
        ended = store.record_end(
            [NewStep(run_id=run.id, node_id="end", kind="end", visit=1, status="done")],
            advance={"current_node": None, "context": run.context}, finish=finish)
    stored = store.run(run.id)
    assert stored == ended
    assert (stored.status, stored.outcome, stored.error, stored.owner) == (
        finish[0], finish[1].get("outcome"), finish[1].get("error"), None)
    assert stored.finished_at is not None
    assert store.verify_audit().ok


def test_a_change_for_another_run_in_the_unit_sees_a_kept_runs_change(
        workspace: Workspace) -> None:
    """A kept run changed case c-1's record (queued); a run not kept back (resumed, say)
    then changes the same record in the same unit: it must build on the kept change, and
    the kept write must not overwrite it at the commit."""
    from runtime.connectors.base import idempotency_key
    from runtime.engine.plan import compile_plan

    flow = load_flow(GROUP / "flow.yaml")
    engine, store = workspace.engine(), workspace.store
    engine.start(flow, {"id": "seed", "message": "m"})  # the record tables now exist
    plan = compile_plan(flow)
    connector = engine.effects.connector(plan)
    with engine.unit_of_work():
        kept, _ = engine.create(flow, {"id": "c-1", "message": "m"}, claim=True)
        store.work_in_unit(lambda h: [connector.apply_within(h, "c-1", {"status": "auto"},
                                                             idempotency_key(kept.id, "a", 1))],
                           run_id=kept.id)
        store.work_in_unit(lambda h: [connector.apply_within(h, "c-1", {"handled_by": "ai"},
                                                             "other-run:b:1")],
                           run_id="r-not-kept")
    assert table(workspace, "SELECT data FROM records WHERE case_id='c-1'") == [
        ('{"handled_by":"ai","status":"auto"}',)]
