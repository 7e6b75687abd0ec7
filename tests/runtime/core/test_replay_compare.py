"""Replay at another stage, and the comparison of the two batches (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.api import (
    HumanDecision,
    ReplayRequest,
    TaskForms,
    Workspace,
    compare_batches,
    compare_runs,
    load_flow,
    replay,
    runs_to_replay,
)
from runtime.errors import InputError

MODEL = "scripted:scripted.yaml"


def _cases(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "cases.jsonl").read_text().splitlines()
            if line.strip()]


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    yield ws
    ws.close()


def _batch(ws: Workspace, folder: Path, autonomy: str, batch: str) -> list:
    engine = ws.engine()
    loaded = load_flow(folder / "flow.yaml")
    return [engine.start(loaded, case, batch_id=batch, autonomy=autonomy, model=MODEL)
            for case in _cases(folder)]


def test_replay_runs_the_same_cases_as_a_new_batch_at_another_stage(workspace,
                                                                    support_triage):
    originals = _batch(workspace, support_triage, "observe", "first")
    progress = list(replay(workspace.engine(), ReplayRequest(
        runs_to_replay(workspace.store, batch_id="first"), autonomy="operate")))
    assert [p.done for p in progress] == list(range(1, len(originals) + 1))
    batch = progress[-1].batch_id
    assert batch != "first"
    replayed = workspace.store.runs(batch_id=batch)
    assert [r.case_id for r in replayed] == [r.case_id for r in originals]
    assert {r.autonomy for r in replayed} == {"operate"}
    assert {r.model_override for r in replayed} == {MODEL}  # kept from the originals
    assert {r.flow_sha for r in replayed} == {originals[0].flow_sha}


def test_observe_against_operate_counts_what_changed(workspace, support_triage):
    """The expected figures are counted here from the runs' own steps and tasks, not
    taken from the comparison."""
    _batch(workspace, support_triage, "observe", "observe")
    _batch(workspace, support_triage, "operate", "operate")
    store = workspace.store
    result = compare_batches(store, "observe", "operate")

    def reached_person(batch: str) -> int:
        return sum(1 for run in store.runs(batch_id=batch) if store.tasks(status=None,
                                                                            run_id=run.id))

    def applied(batch: str) -> int:
        return sum(1 for run in store.runs(batch_id=batch) for step in store.steps(run.id)
                   if step.status == "done" and step.changes)

    cases = len(_cases(support_triage))
    assert result.left.cases == result.right.cases == len(result.pairs) == cases
    assert result.left.reached_person == reached_person("observe") == cases
    assert result.right.reached_person == reached_person("operate") < cases
    assert result.left.changes_applied == applied("observe") == 0
    assert result.right.changes_applied == applied("operate") > 0
    completed = sum(1 for r in store.runs(batch_id="operate") if r.status.value == "completed")
    assert result.right.completed == completed and result.left.completed == 0
    # the scripted model answers the same at both stages: every label agrees …
    assert result.same_labels == cases
    # … but at observe every first AI step waited for a person, at operate not all did
    intake = [next(r for r in pair.rows if r.node_id == "intake") for pair in result.pairs]
    assert all(row.left and row.left.waited for row in intake)
    assert sum(1 for row in intake if "person" in row.differences) == sum(
        1 for row in intake if row.right and not row.right.waited) > 0
    # observe runs all wait at intake; only operate runs that also wait there end the same
    also_at_intake = sum(1 for r in store.runs(batch_id="operate")
                         if r.status.value == "blocked" and r.current_node == "intake")
    assert all(r.current_node == "intake" for r in store.runs(batch_id="observe"))
    assert result.same_outcome == also_at_intake > 0


def test_compare_two_runs_names_each_difference(workspace, support_triage):
    loaded = load_flow(support_triage / "flow.yaml")
    case = _cases(support_triage)[1]  # T-002, billing: goes through alone at operate
    engine = workspace.engine()
    left = engine.start(loaded, case, batch_id="a", autonomy="observe", model=MODEL)
    right = engine.start(loaded, case, batch_id="b", autonomy="operate", model=MODEL)
    result = compare_runs(workspace.store, left.id, right.id)
    rows = {row.node_id: row for row in result.rows}
    assert rows["start"].differences == ()
    assert rows["intake"].left.waited and not rows["intake"].right.waited
    assert rows["intake"].left.label == rows["intake"].right.label == "billing"
    assert set(rows["intake"].differences) == {"branch", "person"}
    assert rows["update_ticket"].left is None and rows["update_ticket"].right.changes
    assert not result.same_outcome and result.differs


def test_replay_refuses_an_unknown_stage_and_an_empty_batch(workspace):
    with pytest.raises(InputError, match="autonomy"):
        ReplayRequest([object()], autonomy="autopilot")  # type: ignore[list-item]
    with pytest.raises(InputError, match="no runs"):
        runs_to_replay(workspace.store, batch_id="nothing")


def test_task_form_reports_every_bad_field_at_once(workspace, support_triage):
    loaded = load_flow(support_triage / "flow.yaml")
    run = workspace.engine().start(loaded, _cases(support_triage)[0], autonomy="operate",
                                   model=MODEL)
    task = workspace.store.tasks(run_id=run.id)[0]
    assert task.node_id == "refund_review"
    forms = TaskForms(workspace.store)
    form = forms.form(task.id)
    assert [f.spec.name for f in form.fields] == ["refund_amount"]
    assert form.fields[0].limit == {"min": 0, "max": 2000}
    assert form.fields[0].proposed == 49.9  # the record as the AI step left it
    values, problems = forms.problems(task.id, {"refund_amount": "2500"})
    assert values == {"refund_amount": 2500} and "2000" in problems["refund_amount"]
    _, problems = forms.problems(task.id, {"refund_amount": "lots"})
    assert "number" in problems["refund_amount"]
    _, problems = forms.problems(task.id, {"refund_amount": "30", "status": "closed"})
    assert list(problems) == ["status"]
    assert forms.problems(task.id, {"refund_amount": " "}) == ({}, {})
    # the same check the CLI's decide runs refuses the same value
    with pytest.raises(InputError, match="2000"):
        workspace.engine().decide(task.id, HumanDecision(action="edit", choice="approve",
                                                         values={"refund_amount": 2500}))
