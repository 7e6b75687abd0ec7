"""The audit trail: what it records, and `junction audit verify` naming the first row that
was edited or removed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from runtime.api import HumanDecision, Workspace, load_flow
from runtime.cli.main import main


def a_few_runs(review: Path, workspace: Workspace) -> None:
    engine = workspace.engine(decided_by="ana")
    flow = load_flow(review / "flow.yaml")
    run = engine.start(flow, {"id": "c-1", "message": "broken", "amount": 40})
    [task] = workspace.store.tasks(run_id=run.id)
    engine.decide(task.id, HumanDecision(action="edit", choice="approve",
                                         values={"refund": 30}))
    engine.start(flow, {"id": "too-much", "message": "broken"})
    engine.start(flow, {"id": "unsure", "message": "hm"})


def tamper(home: Path, sql: str, *args: object) -> None:
    """What someone with the sqlite3 shell could do: drop the guards, change rows."""
    db = sqlite3.connect(home / "junction.db")
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute(sql, args)
    db.commit()
    db.close()


def verify_json(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["audit", "verify", "--json", "--home", str(home)])
    return code, json.loads(capsys.readouterr().out)


def test_every_kind_of_event_is_on_the_trail(review: Path, workspace: Workspace) -> None:
    a_few_runs(review, workspace)
    rows = workspace.store.audit_rows()
    kinds = {r["kind"] for r in rows}
    assert {"run.created", "run.status", "step", "model.call", "guardrail", "task.opened",
            "decision", "record.change"} <= kinds
    decision = next(r for r in rows if r["kind"] == "decision")
    assert decision["actor"] == "person:ana"
    assert decision["before"]["proposal"] == {} and decision["after"]["decision"]["values"] == {
        "refund": 30}
    change = next(r for r in rows if r["kind"] == "record.change")
    assert change["before"] == {} and change["after"] == {"refund": 40}
    assert change["data"]["idempotency_key"].endswith(":propose:1")
    call = next(r for r in rows if r["kind"] == "model.call")
    assert call["model"].endswith("scripted.yaml") and call["data"]["raw_sha256"]
    assert all(r["flow_sha"] for r in rows if r["run_id"])
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))


def test_the_log_refuses_updates_and_deletes(review: Path, workspace: Workspace) -> None:
    a_few_runs(review, workspace)
    db = sqlite3.connect(workspace.home / "junction.db")  # the sqlite3 shell, guards intact
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_log SET actor='me' WHERE seq=1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_log WHERE seq=1")
    db.close()


def test_an_edited_row_is_named(review: Path, home: Path, workspace: Workspace,
                                capsys: pytest.CaptureFixture[str]) -> None:
    a_few_runs(review, workspace)
    code, result = verify_json(home, capsys)
    assert code == 0 and result["ok"] and result["rows"] > 20
    target = next(r for r in workspace.store.audit_rows() if r["kind"] == "record.change")
    tamper(home, "UPDATE audit_log SET after=? WHERE seq=?", '{"refund": 4}', target["seq"])
    code, result = verify_json(home, capsys)
    assert code == 1 and not result["ok"] and result["broken_at"] == target["seq"]
    assert "was changed after it was written" in result["problem"]
    assert result["rows"] == target["seq"] - 1


def test_a_deleted_row_is_named(review: Path, home: Path, workspace: Workspace,
                                capsys: pytest.CaptureFixture[str]) -> None:
    a_few_runs(review, workspace)
    tamper(home, "DELETE FROM audit_log WHERE seq=7")
    code, result = verify_json(home, capsys)
    assert code == 1 and result["broken_at"] == 7
    assert "row 7 is missing" in result["problem"]
    main(["audit", "verify", "--home", str(home)])
    assert "broken at row 7" in capsys.readouterr().out


def test_a_row_deleted_and_renumbered_is_still_found(review: Path, home: Path,
                                                     workspace: Workspace,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    a_few_runs(review, workspace)
    tamper(home, "DELETE FROM audit_log WHERE seq=7")
    db = sqlite3.connect(home / "junction.db")
    db.execute("UPDATE audit_log SET seq = seq - 1 WHERE seq > 7")
    db.commit()
    db.close()
    code, result = verify_json(home, capsys)
    assert code == 1 and result["broken_at"] == 7
    assert "does not follow row 6" in result["problem"]


def test_rows_removed_from_the_end_are_noticed(review: Path, home: Path,
                                               workspace: Workspace,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    a_few_runs(review, workspace)
    last = len(workspace.store.audit_rows())
    tamper(home, "DELETE FROM audit_log WHERE seq > ?", last - 3)
    code, result = verify_json(home, capsys)
    assert code == 1 and result["broken_at"] == last - 2
    assert "removed from the end" in result["problem"]


def test_audit_log_prints_one_run(review: Path, home: Path, workspace: Workspace,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    a_few_runs(review, workspace)
    run = workspace.store.runs()[0]
    assert main(["audit", "log", "--run", run.id, "--json", "--home", str(home)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["run_id"] for r in rows} == {run.id}
