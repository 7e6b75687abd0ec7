"""`junction audit verify` notices what it can (issue 12 §5): a deleted head, dropped
append-only triggers, a journal that disagrees with the trail, and — with `--head-file` —
rows cut from the end with the stored head rewritten to match."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.api import HumanDecision, Workspace, load_flow
from runtime.cli.main import main
from runtime.models import registry
from runtime.store.audit import Entry, row_hash


@pytest.fixture
def home(returns_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """A workspace with a completed run, a person's decision and record changes."""
    registry.clear_cache()
    home = tmp_path / "home"
    workspace = Workspace.open(home)
    engine = workspace.engine(decided_by="ana")
    flow = load_flow(returns_dir / "flow.yaml")
    engine.start(flow, {"id": "broken-1", "message": "broken", "amount": 20})
    waiting = engine.start(flow, {"id": "u-1", "message": "changed my mind", "amount": 5})
    [task] = workspace.store.tasks(run_id=waiting.id)
    engine.decide(task.id, HumanDecision(action="approve"))
    workspace.close()
    yield home
    registry.clear_cache()


def sql(home: Path, *statements: str) -> None:
    """What someone with the sqlite3 shell could do (the guards dropped first)."""
    with sqlite3.connect(home / "junction.db") as db:
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            db.execute(statement)
        db.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
        db.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")


def verify(home: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["audit", "verify", "--json", "--home", str(home), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out)


def test_an_untouched_workspace_verifies(home: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    code, result = verify(home, capsys)
    assert code == 0 and result["ok"], result


def test_a_deleted_head_with_rows_present_is_a_break(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(home / "junction.db") as db:  # meta has no guard: no trigger needed
        db.execute("DELETE FROM meta WHERE key='audit_head'")
    code, result = verify(home, capsys)
    assert code == 1 and "chain head is missing" in result["problem"]


def test_dropped_append_only_triggers_are_reported_even_after_they_are_restored(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(home / "junction.db") as db:
        db.execute("DROP TRIGGER audit_log_no_update")
    code, result = verify(home, capsys)
    assert code == 1 and "audit_log_no_update missing" in result["problem"]
    with (sqlite3.connect(home / "junction.db") as db,  # reopening restored the guard
          pytest.raises(sqlite3.DatabaseError, match="append-only")):
        db.execute("UPDATE audit_log SET actor='me' WHERE seq=1")
    code, again = verify(home, capsys)
    assert code == 1 and again["problem"] == result["problem"], "the evidence stays"


@pytest.mark.parametrize(("statement", "table", "said"), [
    ("UPDATE runs SET outcome='rejected' WHERE status='completed' AND case_id='broken-1'",
     "runs", "the journal's outcome is 'rejected'"),
    ("UPDATE runs SET status='cancelled' WHERE case_id='broken-1'", "runs",
     "the journal says 'cancelled'"),
    ("UPDATE tasks SET decision='{\"action\": \"reject\"}'", "tasks",
     "is not the one the audit trail recorded"),
    ("UPDATE record_changes SET changes='{\"refund\": 9000}' WHERE case_id='broken-1'",
     "record_changes", "the journal says {'refund': 9000}"),
    ("UPDATE records SET data='{\"refund\": 9000, \"status\": \"approved\"}'"
     " WHERE case_id='broken-1'", "records", "the record holds {'refund': 9000"),
], ids=["outcome", "status", "decision", "record-change", "record"])
def test_a_journal_edited_in_place_is_named(
        home: Path, capsys: pytest.CaptureFixture[str], statement: str, table: str,
        said: str) -> None:
    with sqlite3.connect(home / "junction.db") as db:
        db.execute(statement)
    code, result = verify(home, capsys)
    assert code == 1 and result["journal"]["table"] == table, result
    assert said in result["problem"] and "disagrees with the audit trail" in result["problem"]


def _append_notes(home: Path, count: int) -> None:
    """Rows that no journal table mirrors (so cutting them leaves the journal agreeing)."""
    workspace = Workspace.open(home)
    workspace.store.append_audit([Entry("note", "tester", data={"n": n})
                                  for n in range(count)])
    workspace.close()


def test_the_head_file_catches_rows_cut_from_the_end_with_the_head_rewritten(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = tmp_path / "elsewhere" / "audit-head.json"
    _append_notes(home, 3)
    code, first = verify(home, capsys, "--head-file", str(kept))
    assert code == 0 and json.loads(kept.read_text())["rows"] == first["rows"]
    last = first["rows"]
    sql(home, f"DELETE FROM audit_log WHERE seq > {last - 3}",
        "UPDATE meta SET value=(SELECT seq || ':' || hash FROM audit_log ORDER BY seq DESC "
        "LIMIT 1) WHERE key='audit_head'")
    with sqlite3.connect(home / "junction.db") as db:  # forget the trigger evidence too
        db.execute("DELETE FROM meta WHERE key='audit_triggers_found_missing'")
    assert verify(home, capsys)[0] == 0, "without the kept head the cut is invisible"
    code, result = verify(home, capsys, "--head-file", str(kept))
    assert code == 1 and f"names row {last}" in result["problem"]
    assert "cut from the end" in result["problem"]
    assert json.loads(kept.read_text())["rows"] == last, "a broken verify keeps the evidence"


def test_the_head_file_catches_a_rewritten_chain(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = tmp_path / "audit-head.json"
    assert verify(home, capsys, "--head-file", str(kept))[0] == 0
    with sqlite3.connect(home / "junction.db") as db:
        db.row_factory = sqlite3.Row
        last = dict(db.execute("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone())
    forged = {**last, "at": "2020-01-01T00:00:00.000000+00:00"}
    forged["hash"] = row_hash(forged)
    sql(home, f"UPDATE audit_log SET at='{forged['at']}', hash='{forged['hash']}' "
              f"WHERE seq={last['seq']}",
        f"UPDATE meta SET value='{last['seq']}:{forged['hash']}' WHERE key='audit_head'",
        "DELETE FROM meta WHERE key='audit_triggers_found_missing'")
    assert verify(home, capsys)[0] == 0, "a consistent forgery passes the chain alone"
    code, result = verify(home, capsys, "--head-file", str(kept))
    assert code == 1 and "no longer has the hash" in result["problem"]


def test_a_head_file_that_is_not_one_is_a_clear_error(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "head.json"
    bad.write_text("not json")
    code = main(["audit", "verify", "--home", str(home), "--head-file", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and f"{bad}: not a head file" in err and "Traceback" not in err
