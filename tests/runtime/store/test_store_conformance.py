"""The conformance suite every run store passes (see runtime/store/base.py for the promises).

Runs against each store in conftest.STORES. Tests talk to the store only through the
interface, so they say what a user of the engine, the inspector or the inbox relies on.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.errors import ConflictError, IllegalTransition, NotFoundError
from runtime.store.audit import Entry
from runtime.store.base import RunStore
from runtime.store.rows import NewStep, RunQuery, RunRow, TaskQuery
from runtime.store.states import RunStatus

FLOW_TEXT = "format_version: 1\nname: Conformance\n"


def new_run(store: RunStore, case_id: str = "c-1", *, flow: str = "Triage",
            batch_id: str | None = None, autonomy: str | None = None) -> RunRow:
    run, created = store.create_run(
        flow_text=f"{FLOW_TEXT}# {flow}\n", flow_sha=f"sha-{flow}", flow_name=flow,
        flow_path=None, case_id=case_id, context={"case": {"id": case_id}, "nodes": {}},
        batch_id=batch_id, autonomy=autonomy)
    assert created
    return run


def step(run_id: str, node: str = "sort", *, visit: int = 1, status: str = "done",
         **fields: Any) -> NewStep:
    return NewStep(run_id=run_id, node_id=node, kind="ai", visit=visit, status=status,
                   **fields)


def blocked_with_task(store: RunStore, case_id: str = "c-1", *, flow: str = "Triage",
                      node: str = "review", assignee: str = "reviewer",
                      due_at: str | None = None) -> tuple[RunRow, str]:
    run = new_run(store, case_id, flow=flow)
    store.claim(run.id, start_node="start")
    _, task_id = store.block_with_task(
        step(run.id, node, status="blocked", inputs={"assignee": assignee}),
        reason="needs a person", allowed=["approve", "reject"],
        packet={"proposal": {"priority": "high"}}, due_at=due_at)
    return store.run(run.id), task_id


def settle(store: RunStore, task_id: str, action: str = "approve",
           by: str = "ana") -> tuple[Any, bool]:
    return store.settle_task(task_id, decision={"action": action}, decided_by=by,
                             step_update={"next_node": "end",
                                          "decision": {"action": action}})


# -- runs ---------------------------------------------------------------------


def test_a_new_run_is_queued_and_pinned_to_its_flow_text(store: RunStore) -> None:
    run = new_run(store)
    assert run.status is RunStatus.queued and run.case_id == "c-1"
    assert store.flow_text(run.flow_sha) == f"{FLOW_TEXT}# Triage\n"
    assert store.run(run.id) == run


def test_a_batch_never_runs_a_case_twice(store: RunStore) -> None:
    first = new_run(store, "c-1", batch_id="b-1")
    again, created = store.create_run(
        flow_text=FLOW_TEXT, flow_sha="other", flow_name="Triage", flow_path=None,
        case_id="c-1", context={}, batch_id="b-1")
    assert not created and again.id == first.id
    assert [r.id for r in store.runs(batch_id="b-1")] == [first.id]


def test_unknown_ids_and_ambiguous_prefixes_are_not_found(store: RunStore) -> None:
    with pytest.raises(NotFoundError):
        store.run("r-nope")
    with pytest.raises(NotFoundError):
        store.flow_text("no-such-sha")
    a, b = new_run(store, "a"), new_run(store, "b")
    assert store.find_run(a.id[:8]).id == a.id
    with pytest.raises(NotFoundError, match="more than one"):
        store.find_run("r-")
    assert {store.find_run(b.id).id} == {b.id}


def test_the_state_machine_is_enforced(store: RunStore) -> None:
    run = new_run(store)
    with pytest.raises(IllegalTransition):
        store.move(run.id, RunStatus.completed)  # queued → completed skips running
    store.claim(run.id, start_node="start")
    done = store.finish_run(run.id, RunStatus.completed, outcome="resolved")
    assert done.status is RunStatus.completed and done.outcome == "resolved"
    assert done.owner is None
    with pytest.raises(IllegalTransition, match="already completed"):
        store.move(run.id, RunStatus.running)
    with pytest.raises(IllegalTransition):
        store.cancel_run(run.id)
    assert store.run(run.id).status is RunStatus.completed


def test_claim_starts_a_queued_run_here(store: RunStore) -> None:
    run = store.claim(new_run(store).id, start_node="start")
    assert run.status is RunStatus.running and run.current_node == "start"
    assert run.started_at and run.owner and run.owner.endswith(f":{os.getpid()}")


def test_a_run_owned_by_a_live_process_cannot_be_claimed(store: RunStore) -> None:
    run = new_run(store)
    store.claim(run.id, start_node="start")
    parent = f"{socket.gethostname()}:{os.getppid()}"
    store.move(run.id, RunStatus.blocked, owner=None)
    store.move(run.id, RunStatus.running, owner=parent)
    with pytest.raises(ConflictError, match="being run"):
        store.claim(run.id)


def test_interrupted_runs_are_the_ones_resume_continues(store: RunStore) -> None:
    queued = new_run(store, "queued")
    dead = new_run(store, "dead")
    store.claim(dead.id, start_node="start")
    store.move(dead.id, RunStatus.blocked, owner=None)
    store.move(dead.id, RunStatus.running, owner=f"{socket.gethostname()}:999999999")
    model = new_run(store, "model")
    store.claim(model.id, start_node="start")
    store.block_run(model.id, "model unavailable: ollama is not running")
    person, _ = blocked_with_task(store, "person")
    found = [r.id for r in store.interrupted_runs()]
    assert sorted(found) == sorted([queued.id, dead.id, model.id])
    assert person.id not in found


def test_cancelling_a_run_cancels_its_open_tasks(store: RunStore) -> None:
    run, task_id = blocked_with_task(store)
    cancelled = store.cancel_run(run.id, "not needed")
    assert cancelled.status is RunStatus.cancelled and cancelled.error == "not needed"
    assert store.task(task_id).status == "cancelled"
    with pytest.raises(ConflictError, match="cancelled together with its run"):
        settle(store, task_id)


# -- steps --------------------------------------------------------------------


def test_steps_come_back_in_order_with_their_json(store: RunStore) -> None:
    run = store.claim(new_run(store).id, start_node="start")
    store.record_step(step(run.id, "sort", output={"label": "refund", "p": [0.5, 0.25]}))
    store.record_step(step(run.id, "route", changes={"priority": "high"}),
                      advance={"current_node": "end", "context": {"at": "end"}})
    steps = store.steps(run.id)
    assert [(s.seq, s.node_id) for s in steps] == [(1, "sort"), (2, "route")]
    assert steps[0].output == {"label": "refund", "p": [0.5, 0.25]}
    assert steps[1].changes == {"priority": "high"}
    assert store.run(run.id).current_node == "end"
    assert store.run(run.id).context == {"at": "end"}


def test_fused_steps_come_back_with_the_ids_their_write_returned(store: RunStore) -> None:
    # the engine finishes, blocks or resumes a step by the id its write returned
    run = store.claim(new_run(store).id, start_node="start")
    first = store.record_steps([step(run.id, "start")])
    fused = store.record_steps([step(run.id, n) for n in ("sort", "route", "update")])
    decided = store.record_steps([step(run.id, "reply", status="decided")])
    stored = {s.node_id: s.id for s in store.steps(run.id)}
    assert first + fused + decided == [stored[n] for n in
                                       ("start", "sort", "route", "update", "reply")]
    assert store.open_step(run.id).id == decided[0]  # type: ignore[union-attr]
    assert [s.seq for s in store.steps(run.id)] == [1, 2, 3, 4, 5]


def test_the_same_visit_is_never_journaled_twice(store: RunStore) -> None:
    run = store.claim(new_run(store).id, start_node="start")
    store.record_step(step(run.id, "sort"))
    with pytest.raises(Exception):  # noqa: B017 - each database names its own error
        store.record_step(step(run.id, "sort"))
    assert len(store.steps(run.id)) == 1


def test_a_decided_step_is_open_until_finished(store: RunStore) -> None:
    run = store.claim(new_run(store).id, start_node="start")
    step_id = store.record_step(step(run.id, "update", status="decided",
                                     changes={"refund": 5}))
    assert store.open_step(run.id) is not None
    assert store.open_step(run.id).id == step_id  # type: ignore[union-attr]
    store.finish_step(step_id, run.id, advance={"current_node": "end", "context": {}},
                      entries=[Entry("record.change", "connector:test", run_id=run.id)])
    assert store.open_step(run.id) is None
    assert store.step(step_id).status == "done"
    assert store.run(run.id).current_node == "end"
    with pytest.raises(NotFoundError):
        store.step(step_id + 1000)


def test_model_calls_count_every_attempt(store: RunStore) -> None:
    run = store.claim(new_run(store).id, start_node="start")
    store.record_step(step(run.id, "sort", model_call={"attempts": 3}))
    store.record_step(step(run.id, "sort", visit=2, model_call={"provider": "x"}))
    store.record_step(step(run.id, "other", model_call={"attempts": 2}))
    assert store.model_calls(run.id, "sort") == 4
    assert store.model_calls(run.id, "never") == 0


# -- tasks --------------------------------------------------------------------


def test_a_task_blocks_its_run_and_a_decision_wakes_it(store: RunStore) -> None:
    run, task_id = blocked_with_task(store)
    assert run.status is RunStatus.blocked and run.blocked_reason == "needs a person"
    assert [t.id for t in store.tasks()] == [task_id]
    task, fresh = settle(store, task_id)
    assert fresh and task.status == "decided" and task.decided_by == "ana"
    assert store.run(run.id).status is RunStatus.running
    decided = store.step(task.step_id)
    assert decided.status == "decided" and decided.next_node == "end"
    assert store.tasks() == []


def test_deciding_the_same_thing_twice_is_a_no_op(store: RunStore) -> None:
    _, task_id = blocked_with_task(store)
    settle(store, task_id)
    task, fresh = settle(store, task_id, by="someone else")
    assert not fresh and task.decided_by == "ana"


def test_a_different_later_decision_is_refused_with_who_decided(store: RunStore) -> None:
    _, task_id = blocked_with_task(store)
    settle(store, task_id, "approve", by="ana")
    with pytest.raises(ConflictError, match=r"already decided .* by ana"):
        settle(store, task_id, "reject", by="bob")
    assert store.task(task_id).decision == {"action": "approve"}


def test_of_two_racing_deciders_exactly_one_wins(
        open_store: Callable[..., RunStore]) -> None:
    first = open_store()
    _, task_id = blocked_with_task(first)
    second = open_store()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def decide(store: RunStore, action: str) -> None:
        barrier.wait()
        try:
            _, fresh = settle(store, task_id, action, by=action)
            outcomes.append("won" if fresh else "same")
        except ConflictError:
            outcomes.append("lost")

    threads = [threading.Thread(target=decide, args=(s, a))
               for s, a in ((first, "approve"), (second, "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]


def test_a_task_is_found_by_an_unambiguous_prefix(store: RunStore) -> None:
    _, task_id = blocked_with_task(store)
    assert store.task(task_id[:6]).id == task_id
    with pytest.raises(NotFoundError):
        store.task("t-nothing")


def test_a_task_can_open_on_a_step_already_journaled(store: RunStore) -> None:
    run = store.claim(new_run(store).id, start_node="start")
    step_id = store.record_step(step(run.id, "update", status="decided"))
    task_id = store.open_task_on_step(step_id, reason="outcome unknown", allowed=["choose"],
                                      packet={"kind": "outcome_unknown"})
    assert store.step(step_id).status == "blocked"
    assert store.run(run.id).status is RunStatus.blocked
    assert store.task(task_id).packet == {"kind": "outcome_unknown"}


def test_due_tasks_are_the_open_ones_past_their_time(store: RunStore) -> None:
    _, early = blocked_with_task(store, "a", due_at="2026-01-01T10:00:00.000+00:00")
    _, late = blocked_with_task(store, "b", due_at="2026-01-01T12:00:00.000+00:00")
    blocked_with_task(store, "c")
    _, decided = blocked_with_task(store, "d", due_at="2026-01-01T09:00:00.000+00:00")
    settle(store, decided)
    at = "2026-01-01T11:00:00.000+00:00"
    assert [t.id for t in store.due_tasks(at)] == [early]
    assert [t.id for t in store.due_tasks("2026-01-02T00:00:00.000+00:00")] == [early, late]


def test_the_inbox_filters_tasks(store: RunStore) -> None:
    _, a = blocked_with_task(store, "a", flow="Triage", node="review", assignee="ana")
    _, b = blocked_with_task(store, "b", flow="Refunds", node="approve", assignee="bob",
                             due_at="2026-01-01T10:00:00.000+00:00")
    _, c = blocked_with_task(store, "c", flow="Refunds", node="approve", assignee="ana")
    settle(store, c)

    def ids(**filters: Any) -> list[str]:
        return [t.id for t in store.query_tasks(TaskQuery(**filters))]

    assert ids() == [a, b]
    assert ids(flow="Refunds") == [b]
    assert ids(node_id="review") == [a]
    assert ids(assignee="ana") == [a]
    assert ids(due_before="2026-06-01T00:00:00.000+00:00") == [b]
    assert ids(status="decided") == [c]
    assert ids(status=None, flow="Refunds") == [b, c]
    assert ids(run_id=store.task(a).run_id) == [a]


# -- pages of runs ------------------------------------------------------------

_FRESH = itertools.count()
STATUSES = ("queued", "running", "blocked", "completed", "failed", "cancelled")
run_specs = st.lists(
    st.tuples(st.sampled_from(["Triage", "Refunds"]), st.sampled_from(STATUSES),
              st.sampled_from([None, "observe", "operate"]),
              st.text(alphabet="abAB-1", min_size=1, max_size=4)),
    max_size=12)


def _make_run(store: RunStore, index: int, flow: str, status: str, stage: str | None,
              case: str) -> RunRow:
    run = new_run(store, f"{case}{index}", flow=flow, autonomy=stage)
    if status == "queued":
        return run
    if status == "cancelled":
        return store.cancel_run(run.id)
    store.claim(run.id, start_node="start")
    if status == "blocked":
        return store.block_run(run.id, "model unavailable")
    if status in ("completed", "failed"):
        outcome = "resolved" if index % 2 else "escalated"
        return store.finish_run(run.id, RunStatus(status), outcome=outcome)
    return store.run(run.id)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=run_specs, flow=st.sampled_from([None, "Triage", "Refunds"]),
       status=st.sampled_from([None, *STATUSES]), stage=st.sampled_from([None, "observe"]),
       outcome=st.sampled_from([None, "resolved"]), search=st.sampled_from([None, "a", "B-"]),
       sort=st.sampled_from(["newest", "oldest", "updated", "case"]),
       offset=st.integers(0, 5), limit=st.integers(1, 5))
def test_a_page_of_runs_is_the_matching_runs_sorted_and_sliced(
        open_store: Callable[..., RunStore], specs: list[tuple[str, str, str | None, str]],
        flow: str | None, status: str | None, stage: str | None, outcome: str | None,
        search: str | None, sort: str, offset: int, limit: int) -> None:
    store = open_store(f"page-{next(_FRESH)}")  # a fresh, empty store per example
    runs = [_make_run(store, i, *spec) for i, spec in enumerate(specs)]
    runs = [store.run(r.id) for r in runs]
    expected = [r for r in runs
                if (flow is None or r.flow_name == flow)
                and (status is None or r.status.value == status)
                and (stage is None or r.autonomy == stage)
                and (outcome is None or r.outcome == outcome)
                and (search is None or search.lower() in r.case_id.lower())]
    keys: dict[str, Callable[[RunRow], Any]] = {
        "newest": lambda r: (r.created_at, r.id), "oldest": lambda r: (r.created_at, r.id),
        "updated": lambda r: (r.updated_at, r.id),
        "case": lambda r: (r.case_id, r.created_at, r.id)}
    expected.sort(key=keys[sort], reverse=sort in ("newest", "updated"))
    page = store.query_runs(RunQuery(flow=flow, status=status, stage=stage, outcome=outcome,
                                     case_search=search, sort=sort,  # type: ignore[arg-type]
                                     offset=offset, limit=limit))
    assert page.total == len(expected)
    assert [r.id for r in page.runs] == [r.id for r in expected[offset:offset + limit]]


def test_a_query_with_a_bad_sort_or_page_is_refused() -> None:
    with pytest.raises(ValueError, match="sort must be one of"):
        RunQuery(sort="fastest")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RunQuery(limit=0)


def test_counts_for_the_metrics_view(store: RunStore) -> None:
    _make_run(store, 1, "Triage", "completed", None, "c")
    _make_run(store, 2, "Triage", "completed", None, "c")
    _make_run(store, 3, "Triage", "failed", None, "c")
    blocked_with_task(store, "t1", flow="Triage")
    _, decided = blocked_with_task(store, "t2", flow="Triage")
    settle(store, decided)
    _make_run(store, 4, "Refunds", "queued", None, "c")
    counts = store.run_counts(flow="Triage")
    assert counts.total == 5
    assert counts.by_status == {"completed": 2, "failed": 1, "blocked": 1, "running": 1}
    assert counts.by_outcome == {"resolved": 2, "escalated": 1}
    assert (counts.with_tasks, counts.open_tasks) == (2, 1)
    assert store.run_counts().total == 6


# -- audit trail and durability -----------------------------------------------


def test_every_write_is_in_the_audit_trail_and_the_chain_holds(store: RunStore) -> None:
    run, task_id = blocked_with_task(store)
    settle(store, task_id)
    other = new_run(store, "other")
    store.append_audit([Entry("guardrail", "person:ana", run_id=run.id, subject="refund",
                              after={"rule": "human_edit"})])
    kinds = [r["kind"] for r in store.audit_rows(run_id=run.id)]
    assert kinds[0] == "run.created" and "task.opened" in kinds and "decision" in kinds
    assert kinds[-1] == "guardrail"
    assert all(r["run_id"] == run.id for r in store.audit_rows(run_id=run.id))
    everything = store.audit_rows()
    assert [r["seq"] for r in everything] == list(range(1, len(everything) + 1))
    assert store.audit_rows(limit=2) == everything[-2:]
    assert any(r["run_id"] == other.id for r in everything)
    check = store.verify_audit()
    assert check.ok and check.rows == len(everything)


def test_what_was_written_is_there_after_reopening(
        open_store: Callable[..., RunStore]) -> None:
    first = open_store("durable")
    run, task_id = blocked_with_task(first)
    settle(first, task_id)
    first.close()
    again = open_store("durable")
    assert again.run(run.id).status is RunStatus.running
    assert again.task(task_id).status == "decided"
    assert [s.node_id for s in again.steps(run.id)] == ["review"]
    assert again.verify_audit().ok


# -- fused steps and units of work (issue 13) ------------------------------------------


def test_fused_steps_and_the_run_end_are_one_commit(store: RunStore) -> None:
    run = new_run(store)
    store.claim(run.id, start_node="start")
    ids = store.record_steps(
        [step(run.id, "start"), step(run.id, "sort"), step(run.id, "end")],
        advance={"current_node": None, "context": {"nodes": {"sort": {"label": "x"}}}},
        finish=(RunStatus.completed, {"outcome": "resolved"}))
    assert len(ids) == 3
    ended = store.run(run.id)
    assert (ended.status, ended.outcome, ended.owner) == (RunStatus.completed, "resolved", None)
    assert ended.context["nodes"] == {"sort": {"label": "x"}}
    assert [s.seq for s in store.steps(run.id)] == [1, 2, 3]
    kinds = [r["kind"] for r in store.audit_rows(run_id=run.id)]
    assert kinds[-4:] == ["step", "step", "step", "run.status"]
    assert store.verify_audit().ok


def test_a_unit_of_work_commits_together_or_not_at_all(
        open_store: Callable[..., RunStore]) -> None:
    store, reader = open_store("unit"), open_store("unit")
    store.begin_unit()
    kept = new_run(store, "c-1")
    assert [r.id for r in reader.runs()] == [], "nothing is visible before the unit ends"
    store.end_unit()
    assert [r.id for r in reader.runs()] == [kept.id]
    store.begin_unit()
    new_run(store, "c-2")
    store.rollback_unit()
    assert [r.case_id for r in reader.runs()] == ["c-1"]
    assert reader.verify_audit().ok


def test_a_durable_write_ends_the_unit_before_it_commits(
        open_store: Callable[..., RunStore]) -> None:
    store, reader = open_store("unit"), open_store("unit")
    store.begin_unit()
    run = new_run(store)
    store.claim(run.id, start_node="start")
    store.record_step(step(run.id, "update", status="decided"))
    assert reader.run(run.id).status is RunStatus.running  # visible: committed
    assert [s.status for s in reader.steps(run.id)] == ["decided"]
    store.end_unit()


def test_work_in_a_unit_is_journaled_with_its_step(store: RunStore) -> None:
    run = new_run(store)
    store.claim(run.id, start_node="start")
    assert store.work_in_unit(lambda handle: []) is None, "no unit: nothing runs"
    store.begin_unit()
    made = store.work_in_unit(lambda handle: [Entry("record.change", "connector:x",
                                                    run_id=run.id, node_id="pay")])
    if made is None:  # a store that cannot share its transactions
        store.end_unit()
        return
    store.record_steps([step(run.id, "pay")], extras=[made],
                       advance={"current_node": "end", "context": {}})
    store.end_unit()
    kinds = [r["kind"] for r in store.audit_rows(run_id=run.id)]
    assert kinds[-2:] == ["step", "record.change"], "the change follows its step"
    assert store.verify_audit().ok


def test_the_runs_marker_moves_when_a_run_is_added_or_moves(store: RunStore) -> None:
    assert store.runs_marker() == (0, None)
    run = new_run(store, "c-1")
    first = store.runs_marker()
    assert first[0] == 1
    time.sleep(0.002)  # timestamps have millisecond resolution
    store.claim(run.id, start_node="start")
    store.record_step(step(run.id), advance={"current_node": "next"})
    moved = store.runs_marker()
    assert moved[0] == 1 and moved != first and moved[1] is not None
    assert store.runs_marker() == moved  # nothing happened: the same marker


def test_run_facets_are_the_distinct_flows_and_outcomes(store: RunStore) -> None:
    assert store.run_facets() == {"flows": [], "outcomes": []}
    for index, flow in enumerate(["Triage", "Refunds", "Triage"]):
        run = new_run(store, f"c-{index}", flow=flow)
        store.claim(run.id, start_node="start")
        if index < 2:
            store.finish_run(run.id, RunStatus.completed,
                             outcome="resolved" if index else "escalated")
    assert store.run_facets() == {"flows": ["Refunds", "Triage"],
                                  "outcomes": ["escalated", "resolved"]}
