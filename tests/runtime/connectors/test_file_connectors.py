"""CSV and JSON-lines files as the system of record: typed, atomic, exactly once.

A crash between writing the file and recording that it was written is simulated in
process (the connector's "sent" checkpoint raises); the next drive reconciles by reading
the record back instead of writing blindly.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from runtime.api import HumanDecision, RunStatus, Workspace, load_flow


class SimulatedCrash(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


def review_with(review: Path, kind: str) -> Path:
    text = (review / "flow.yaml").read_text().replace(
        "default_model: scripted:scripted.yaml\n",
        f"default_model: scripted:scripted.yaml\nconnector: {{kind: {kind}, "
        f"path: records.{kind}}}\n")
    (review / "flow.yaml").write_text(text)
    return review / "flow.yaml"


def finish(workspace: Workspace, flow: Path, case_id: str) -> None:
    run = workspace.engine().start(load_flow(flow), {"id": case_id, "message": "broken"})
    [task] = workspace.store.tasks(run_id=run.id)
    _, _, after = workspace.engine().decide(task.id, HumanDecision(action="approve"))
    assert after.status is RunStatus.completed


def test_csv_records_are_typed_and_one_row_per_case(review: Path,
                                                    workspace: Workspace) -> None:
    flow = review_with(review, "csv")
    finish(workspace, flow, "c-1")
    finish(workspace, flow, "c-2")
    with open(review / "records.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{"case_id": "c-1", "status": "approved", "refund": "40"},
                    {"case_id": "c-2", "status": "approved", "refund": "40"}]
    run = workspace.store.runs()[0]
    assert run.context["record"] == {"status": "approved", "refund": 40}
    assert not any(p.name.startswith(".records.csv.") and p.name != ".records.csv.lock"
                   for p in review.iterdir())  # no temporary files left behind


def test_jsonl_records_keep_their_json_types(review: Path, workspace: Workspace) -> None:
    flow = review_with(review, "jsonl")
    finish(workspace, flow, "c-1")
    lines = (review / "records.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"case_id": "c-1", "refund": 40, "status": "approved"}]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_crash_after_writing_is_reconciled_not_rewritten(kind: str, review: Path,
                                                           workspace: Workspace) -> None:
    flow = review_with(review, kind)
    engine = workspace.engine()

    def crash(point: str) -> None:
        raise SimulatedCrash(point)

    engine.effects.checkpoint = crash
    with pytest.raises(SimulatedCrash):
        engine.start(load_flow(flow), {"id": "c-1", "message": "broken"})
    [pending] = workspace.connectors.ledger.entries()
    assert pending.status == "pending" and pending.changes == {"refund": 40}
    before = (review / f"records.{kind}").stat().st_mtime_ns

    run = workspace.store.runs()[0]
    after = workspace.engine().drive(run.id)
    assert after.status is RunStatus.blocked and after.current_node == "review"
    [entry] = workspace.connectors.ledger.entries()
    assert entry.status == "applied" and entry.sends == 1
    assert entry.detail == "reconciled: the change was found"
    assert (review / f"records.{kind}").stat().st_mtime_ns == before


def test_a_record_changed_by_someone_else_meanwhile_is_not_overwritten(
        review: Path, workspace: Workspace) -> None:
    flow = review_with(review, "jsonl")
    engine = workspace.engine()

    def crash(point: str) -> None:
        raise SimulatedCrash(point)

    engine.effects.checkpoint = crash
    with pytest.raises(SimulatedCrash):
        engine.start(load_flow(flow), {"id": "c-1", "message": "broken"})
    (review / "records.jsonl").write_text('{"case_id": "c-1", "refund": 15}\n')

    run = workspace.engine().drive(workspace.store.runs()[0].id)
    assert (run.blocked_reason or "").startswith("record change outcome unknown")
    assert "changed by someone else" in (run.blocked_reason or "")
    assert (review / "records.jsonl").read_text() == '{"case_id": "c-1", "refund": 15}\n'
