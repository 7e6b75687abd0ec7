"""Running cases through a flow: what a person sees in the store, the record and the tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runtime.api import (
    ConflictError,
    HumanDecision,
    InputError,
    RunStatus,
    Workspace,
    load_flow,
)
from runtime.engine import events as ev
from runtime.models import registry


class Recorder:
    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def on_event(self, event: ev.Event) -> None:
        self.events.append(event)


def records(workspace: Workspace) -> dict[str, Any]:
    return workspace.connectors.records.all_records("records")


def test_a_confident_case_runs_to_the_end_and_writes_the_record(
        returns_dir: Path, workspace: Workspace) -> None:
    recorder = Recorder()
    engine = workspace.engine([recorder])
    run = engine.start(load_flow(returns_dir / "flow.yaml"),
                       {"id": "broken-1", "message": "The vase arrived in pieces", "amount": 30})
    assert run.status is RunStatus.completed and run.outcome == "resolved"
    steps = workspace.store.steps(run.id)
    assert [s.node_id for s in steps] == ["start", "sort", "route", "pay", "paid"]
    assert all(s.status == "done" for s in steps)
    assert steps[1].output["label"] == "damaged"
    assert steps[1].model_call["confidence_kind"] == "scripted"
    assert steps[2].decision["because"] == "sort.label = damaged"
    assert records(workspace) == {"broken-1": {"status": "approved", "refund": 30}}
    kinds = [type(e).__name__ for e in recorder.events]
    assert kinds[:3] == ["RunCreated", "RunStarted", "StepStarted"]
    assert kinds[-1] == "RunFinished" and "RecordChanged" in kinds


def test_human_task_blocks_survives_restart_and_resumes_on_decide(
        returns_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = Workspace.open(home)
    run = first.engine().start(load_flow(returns_dir / "flow.yaml"),
                               {"id": "c-1", "message": "I do not like the colour",
                                "amount": 12.5})
    assert run.status is RunStatus.blocked
    first.close()

    again = Workspace.open(home)  # a new process would see exactly this
    [task] = again.store.tasks()
    assert task.run_id == run.id and task.allowed == ["approve", "reject", "edit"]
    assert task.packet["case_summary"] == "message: I do not like the colour; amount: 12.5"
    engine = again.engine()
    decided, fresh, after = engine.decide(task.id, HumanDecision(action="reject"))
    assert fresh and after.status is RunStatus.completed and after.outcome == "rejected"
    assert records(again)["c-1"] == {"status": "refused"}

    same, fresh_again, still = engine.decide(task.id, HumanDecision(action="reject"))
    assert not fresh_again and same.decision == decided.decision
    assert still.status is RunStatus.completed
    with pytest.raises(ConflictError, match="already decided"):
        engine.decide(task.id, HumanDecision(action="approve"))
    assert len(again.store.steps(run.id)) == len({(s.node_id, s.visit)
                                                  for s in again.store.steps(run.id)})
    again.close()


def test_edit_on_a_human_task_sets_only_editable_fields(
        returns_dir: Path, workspace: Workspace) -> None:
    engine = workspace.engine()
    run = engine.start(load_flow(returns_dir / "flow.yaml"),
                       {"id": "c-2", "message": "Changed my mind", "amount": 50})
    [task] = workspace.store.tasks(run_id=run.id)
    with pytest.raises(InputError, match="cannot be set"):
        engine.decide(task.id, HumanDecision(action="choose", choice="approve",
                                             values={"status": "approved"}))
    with pytest.raises(InputError, match="must be a number"):
        engine.decide(task.id, HumanDecision(action="choose", choice="approve",
                                             values={"refund": "lots"}))
    assert workspace.store.task(task.id).status == "open"
    _, _, after = engine.decide(task.id, HumanDecision(action="choose", choice="approve",
                                                       values={"refund": 20}))
    assert after.outcome == "resolved"
    # The human's edit is applied at the review step; the pay action then copies the
    # case amount, as the flow says.
    assert records(workspace)["c-2"] == {"refund": 50, "status": "approved"}


def test_a_run_is_pinned_to_the_flow_text_it_started_with(
        returns_dir: Path, workspace: Workspace) -> None:
    flow_file = returns_dir / "flow.yaml"
    engine = workspace.engine()
    run = engine.start(load_flow(flow_file), {"id": "c-3", "message": "meh"})
    flow_file.write_text(flow_file.read_text().replace("outcome: rejected",
                                                       "outcome: refused_v2"))
    [task] = workspace.store.tasks(run_id=run.id)
    _, _, after = workspace.engine().decide(task.id, HumanDecision(action="reject"))
    assert after.outcome == "rejected"
    assert after.flow_sha == run.flow_sha


def test_unavailable_model_blocks_the_run_and_resume_continues_it(
        returns_dir: Path, workspace: Workspace) -> None:
    engine = workspace.engine()
    run = engine.start(load_flow(returns_dir / "flow.yaml"),
                       {"id": "offline-1", "message": "Box was crushed", "amount": 9})
    assert run.status is RunStatus.blocked
    assert run.blocked_reason.startswith("model unavailable")
    assert workspace.store.tasks(run_id=run.id) == []
    assert [r.id for r in workspace.store.interrupted_runs()] == [run.id]

    scripted = returns_dir / "scripted.yaml"
    scripted.write_text(scripted.read_text().replace("{error: unavailable}",
                                                     "{label: damaged, confidence: 0.99}"))
    registry.clear_cache()
    [resumed] = workspace.engine().resume_interrupted()
    assert resumed.status is RunStatus.completed and resumed.outcome == "resolved"
    nodes = [s.node_id for s in workspace.store.steps(run.id)]
    assert nodes.count("sort") == 1


def test_low_confidence_classification_goes_to_a_person(
        returns_dir: Path, workspace: Workspace) -> None:
    scripted = returns_dir / "scripted.yaml"
    scripted.write_text(scripted.read_text() + "  unsure-1:\n    sort: {label: damaged, "
                        "confidence: 0.55}\n")
    engine = workspace.engine()
    run = engine.start(load_flow(returns_dir / "flow.yaml"),
                       {"id": "unsure-1", "message": "It is not what I expected"})
    [task] = workspace.store.tasks(run_id=run.id)
    assert task.node_id == "sort" and "below the act band" in task.reason
    assert task.packet["ai"]["label"] == "damaged"
    assert task.packet["options"] == ["damaged", "unwanted"]
    with pytest.raises(InputError, match="not an option"):
        engine.decide(task.id, HumanDecision(action="choose", choice="lost"))
    _, _, after = engine.decide(task.id, HumanDecision(action="choose", choice="unwanted"))
    sort_step = next(s for s in workspace.store.steps(run.id) if s.node_id == "sort")
    assert sort_step.output["label"] == "unwanted" and sort_step.output["ai_label"] == "damaged"
    assert after.status is RunStatus.blocked  # unwanted goes on to the returns desk


def test_a_batch_never_runs_a_case_twice(returns_dir: Path, workspace: Workspace) -> None:
    loaded = load_flow(returns_dir / "flow.yaml")
    engine = workspace.engine()
    for _ in range(2):
        for case_id in ("broken-1", "broken-2"):
            run, created = engine.create(loaded, {"id": case_id, "message": "x"},
                                         batch_id="b-1")
            if created:
                engine.drive(run.id)
    assert len(workspace.store.runs(batch_id="b-1")) == 2


@pytest.mark.parametrize(("case", "message"), [
    ({"message": "no id"}, "no 'id'"),
    ({"id": "x"}, "field 'message' is required"),
    ({"id": "x", "message": "m", "amount": "ten"}, "field 'amount' must be number"),
])
def test_a_bad_case_is_refused_with_the_field_named(
        returns_dir: Path, workspace: Workspace, case: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        workspace.engine().start(load_flow(returns_dir / "flow.yaml"), case)
    assert workspace.store.runs() == []


def test_cancel_closes_open_tasks(returns_dir: Path, workspace: Workspace) -> None:
    engine = workspace.engine()
    run = engine.start(load_flow(returns_dir / "flow.yaml"), {"id": "c-9", "message": "m"})
    cancelled = engine.cancel(run.id)
    assert cancelled.status is RunStatus.cancelled
    assert workspace.store.tasks(run_id=run.id) == []
