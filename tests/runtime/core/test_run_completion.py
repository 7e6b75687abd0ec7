"""Runs that can always finish (issue 12 §3).

- Finishing a run is one commit with its end step: a process killed inside that commit
  leaves the run resumable, and `junction resume`/the batch again completes it once.
- A run whose end step was journaled but which is still `running` with no position (what
  the old two-commit finish left behind) is completed by `resume`.
- Anything unexpected inside a step fails or blocks that run with the reason; the batch and
  the resume loop go on.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_crash_safety import CRASH, assert_finished_exactly_once, batch_args, junction

from runtime.api import RunStatus, Workspace, load_flow
from runtime.cli.main import main
from runtime.models.scripted import ScriptedProvider
from runtime.store.rows import NewStep


@pytest.fixture
def drill(tmp_path: Path) -> Path:
    target = tmp_path / "crash"
    shutil.copytree(CRASH, target)
    return target


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["ending:1", "ending:17"])
def test_killed_inside_a_runs_completion_the_batch_finishes_every_case_once(
        drill: Path, tmp_path: Path, fault: str) -> None:
    home = tmp_path / "home"
    killed = junction(home, *batch_args(drill), fault=fault, check=False)
    assert killed.returncode == -signal.SIGKILL
    db = sqlite3.connect(home / "junction.db")
    positionless = db.execute("SELECT COUNT(*) FROM runs WHERE status='running' AND "
                              "current_node IS NULL").fetchone()[0]
    ends = db.execute("SELECT COUNT(*) FROM steps WHERE kind='end'").fetchone()[0]
    completed = db.execute("SELECT COUNT(*) FROM runs WHERE status='completed'").fetchone()[0]
    db.close()
    assert positionless == 0, "the end step and the completion are one commit"
    assert ends == completed, "no end step is journaled without its run completed"
    resumed = junction(home, "resume", "--json")
    assert all(r["status"] == "completed" for r in json.loads(resumed.stdout))
    summary = json.loads(junction(home, *batch_args(drill)).stdout)
    assert summary["counts"] == {"completed": 40}
    assert_finished_exactly_once(home, 40)
    junction(home, "audit", "verify")  # the journal agrees with the trail (exit 0)


@pytest.mark.slow
def test_after_a_crash_between_a_change_and_its_step_verify_still_agrees(
        drill: Path, tmp_path: Path) -> None:
    """Killed after a record change was applied but before its step was marked done: the
    resumed run audits the change as a replay, and `audit verify` accepts that."""
    home = tmp_path / "home"
    killed = junction(home, *batch_args(drill), fault="effect:3", check=False)
    assert killed.returncode == -signal.SIGKILL
    junction(home, "resume")
    junction(home, *batch_args(drill))
    assert_finished_exactly_once(home, 40)
    verified = junction(home, "audit", "verify", "--json")
    assert json.loads(verified.stdout)["ok"] is True


def _strand_after_end_step(workspace: Workspace, flow: Path) -> str:
    """Reproduce the old two-commit finish killed in between: end step journaled, the run
    still `running` with no position and its owner gone."""
    run, _ = workspace.engine().create(load_flow(flow), {"id": "c-1", "message": "broken"})
    store = workspace.store
    store.claim(run.id, start_node="start")
    store.record_step(NewStep(run_id=run.id, node_id="paid", kind="end", visit=1,
                              status="done", decision={"action": "end",
                                                       "outcome": "resolved"}),
                      advance={"current_node": None})
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE runs SET owner='999999999@gone' WHERE id=?", (run.id,))
    return run.id


def test_resume_completes_a_run_whose_last_step_is_an_end_step(
        returns_dir: Path, workspace: Workspace) -> None:
    run_id = _strand_after_end_step(workspace, returns_dir / "flow.yaml")
    [result] = workspace.engine().resume_interrupted()
    assert result.id == run_id
    assert result.status is RunStatus.completed and result.outcome == "resolved"
    assert workspace.engine().resume_interrupted() == [], "nothing left to resume"


def test_a_run_with_no_position_and_no_end_fails_with_the_reason_instead_of_looping(
        returns_dir: Path, workspace: Workspace) -> None:
    run, _ = workspace.engine().create(load_flow(returns_dir / "flow.yaml"),
                                       {"id": "c-2", "message": "x"})
    workspace.store.claim(run.id, start_node="start")
    with sqlite3.connect(workspace.store.path) as db:
        db.execute("UPDATE runs SET current_node=NULL, owner='999999999@gone' WHERE id=?",
                   (run.id,))
    [result] = workspace.engine().resume_interrupted()
    assert result.status is RunStatus.failed and "lost its position" in (result.error or "")
    assert workspace.engine().resume_interrupted() == []


def test_a_provider_bug_fails_that_run_with_the_reason_and_the_batch_goes_on(
        returns_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    original = ScriptedProvider.choose

    def buggy(self: ScriptedProvider, request: Any) -> Any:
        if request.case_id == "x-bug":
            raise KeyError("provider bug")
        return original(self, request)

    monkeypatch.setattr(ScriptedProvider, "choose", buggy)
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {"id": "broken-1", "message": "ok", "amount": 5},
        {"id": "x-bug", "message": "bug"},
        {"id": "broken-2", "message": "ok", "amount": 5}]) + "\n")
    home = tmp_path / "home"
    code = main(["batch", str(returns_dir / "flow.yaml"), "--cases", str(cases),
                 "--home", str(home), "--json"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    runs = {r["case_id"]: r for r in json.loads(captured.out)["runs"]}
    assert runs["x-bug"]["status"] == "failed"
    assert "KeyError" in runs["x-bug"]["error"] and "node 'sort'" in runs["x-bug"]["error"]
    assert runs["broken-1"]["status"] == runs["broken-2"]["status"] == "completed"
    assert main(["resume", "--home", str(home), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


WEBHOOK_FLOW = """format_version: 1
name: Webhook approval
autonomy: operate
connector: {{kind: webhook, url: '{url}', deduplicates: false}}
case_fields: [{{name: message}}]
record_fields:
- {{name: status, type: enum, values: [open, approved]}}
nodes:
- {{id: start, kind: start}}
- {{id: approve, kind: action, set: {{status: approved}}}}
- {{id: done, kind: end, outcome: approved}}
edges:
- {{from: start, to: approve}}
- {{from: approve, to: done}}
"""


@pytest.fixture
def garbled_webhook() -> Iterator[str]:
    """A loopback server that reads a request and answers with a broken status line, so
    urllib raises http.client.BadStatusLine (an HTTPException: neither URLError nor
    OSError)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"garbage that is not HTTP\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/records"
    stop.set()
    thread.join(2)
    server.close()


def test_a_garbled_webhook_reply_becomes_the_outcome_unknown_task(
        tmp_path: Path, workspace: Workspace, garbled_webhook: str) -> None:
    flow = tmp_path / "webhook.yaml"
    flow.write_text(WEBHOOK_FLOW.format(url=garbled_webhook))
    run = workspace.engine().start(load_flow(flow), {"id": "w-1", "message": "hi"})
    assert run.status is RunStatus.blocked
    assert "outcome unknown" in (run.blocked_reason or "")
    [task] = workspace.store.tasks(run_id=run.id)
    assert task.packet.get("kind") == "outcome_unknown"
    assert "BadStatusLine" in task.reason or "RemoteDisconnected" in task.reason
    assert workspace.engine().resume_interrupted() == []


def test_a_run_whose_pinned_flow_has_an_invalid_regex_fails_once_and_resume_moves_on(
        returns_dir: Path, workspace: Workspace) -> None:
    """Runs pin their flow text; one written before limits were checked (a bad pattern)
    must fail with the reason, not crash or come back on every resume."""
    text = (returns_dir / "flow.yaml").read_text().replace(
        "bands: {act: 0.8, suggest: 0.5}",
        "bands: {act: 0.8, suggest: 0.5}\n    limits:\n      refund: {pattern: '([a-'}")
    run, _ = workspace.store.create_run(
        flow_text=text, flow_sha="old-flow", flow_name="Returns check", flow_path=None,
        case_id="c-9", context={"case": {"id": "c-9", "message": "x"}, "record": {},
                                "nodes": {}, "visits": {}})
    [result] = workspace.engine().resume_interrupted()
    assert result.id == run.id and result.status is RunStatus.failed
    assert "no longer loads" in (result.error or "")
    assert "not a valid regular expression" in (result.error or "")
    assert workspace.engine().resume_interrupted() == []
