"""Human tasks: the packet, decisions (duplicate, conflicting, refused edits), timeouts,
restarts while blocked, and the guardrails that send a step to a person."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from guard_support import records

from paths import REPO
from runtime.api import ConflictError, HumanDecision, InputError, RunStatus, Workspace, load_flow
from runtime.engine.human_decision import EditRefused
from runtime.models import registry


def start(review: Path, workspace: Workspace, case_id: str = "c-1", **extra: Any) -> Any:
    case = {"id": case_id, "message": "The lamp arrived broken", "amount": 40, **extra}
    return workspace.engine().start(load_flow(review / "flow.yaml"), case)


def test_the_packet_tells_the_whole_story(review: Path, workspace: Workspace) -> None:
    run = start(review, workspace, "too-much")
    [task] = workspace.store.tasks(run_id=run.id)
    packet = task.packet
    assert task.node_id == "propose" and "above the maximum 100" in task.reason
    assert "message: The lamp arrived broken" in packet["case_summary"]
    assert [h["node"] for h in packet["history"]] == ["start", "sort"]
    assert packet["ai"]["proposal"] == {"refund": 400} and packet["ai"]["confidence"] == 0.9
    assert packet["guardrails"][0]["rule"] == "value_limit" and packet["guardrail_hits"] == 1
    assert packet["proposal"] == {} and packet["editable"] == ["refund"]
    assert packet["allowed"] == ["approve", "edit", "reject"] and packet["autonomy"] == "operate"
    assert any("edit refund" in tip for tip in packet["suggested_next_steps"])

    engine = workspace.engine()
    engine.decide(task.id, HumanDecision(action="edit", values={"refund": 80}))
    [review_task] = workspace.store.tasks(run_id=run.id)
    packet = review_task.packet
    assert packet["actions_taken"] == [{"node": "propose", "changes": {"refund": 80}}]
    assert packet["on_timeout"] == {"branch": "timeout", "approves": False}
    assert packet["due_at"] == review_task.due_at is not None


def test_an_edit_that_breaks_a_limit_is_refused_and_logged(review: Path,
                                                           workspace: Workspace) -> None:
    run = start(review, workspace, "too-much")
    [task] = workspace.store.tasks(run_id=run.id)
    engine = workspace.engine(decided_by="mo")
    with pytest.raises(EditRefused, match="above the maximum 100"):
        engine.decide(task.id, HumanDecision(action="edit", values={"refund": 400}))
    with pytest.raises(EditRefused, match="cannot be set on this task"):
        engine.decide(task.id, HumanDecision(action="edit", values={"status": "approved"}))
    with pytest.raises(InputError, match="not a decision this task allows"):
        engine.decide(task.id, HumanDecision(action="choose", choice="refund"))
    assert workspace.store.task(task.id).status == "open" and records(workspace) == {}
    refused = [r for r in workspace.store.audit_rows()
               if r["kind"] == "guardrail" and r["actor"] == "person:mo"]
    assert [r["after"]["rule"] for r in refused] == ["human_edit", "human_edit"]
    assert all(r["after"]["hit"] for r in refused)

    _, fresh, after = engine.decide(task.id, HumanDecision(action="edit",
                                                           values={"refund": 100}))
    assert fresh and after.status is RunStatus.blocked  # now at the human review
    assert records(workspace)["too-much"] == {"refund": 100}


def test_duplicate_decisions_return_the_first_result(review: Path,
                                                     workspace: Workspace) -> None:
    run = start(review, workspace)
    [task] = workspace.store.tasks(run_id=run.id)
    engine = workspace.engine()
    first, fresh, after = engine.decide(task.id, HumanDecision(action="approve"))
    again, fresh_again, still = engine.decide(task.id, HumanDecision(action="approve"))
    assert fresh and not fresh_again and again.decided_at == first.decided_at
    assert after.status is still.status is RunStatus.completed
    steps = workspace.store.steps(run.id)
    assert [s.node_id for s in steps].count("pay") == 1
    with pytest.raises(ConflictError, match="already decided"):
        engine.decide(task.id, HumanDecision(action="reject"))


@pytest.mark.parametrize("same", [False, True], ids=["conflicting", "duplicate"])
def test_two_people_deciding_at_once_exactly_one_wins(same: bool, review: Path,
                                                      home: Path) -> None:
    first = Workspace.open(home)
    run = start(review, first)
    [task] = first.store.tasks(run_id=run.id)
    decisions = [HumanDecision(action="approve"),
                 HumanDecision(action="approve" if same else "reject")]
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def decide(index: int) -> None:
        workspace = Workspace.open(home)  # each person has their own connection
        try:
            barrier.wait()
            results[index] = workspace.engine(decided_by=f"p{index}").decide(
                task.id, decisions[index])
        except ConflictError as exc:
            results[index] = exc
        finally:
            workspace.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if same:
        assert sorted(r[1] for r in results) == [False, True]
    else:
        losers = [r for r in results if isinstance(r, ConflictError)]
        winners = [r for r in results if not isinstance(r, ConflictError)]
        assert len(losers) == 1 and len(winners) == 1 and winners[0][1] is True
        assert "already decided" in str(losers[0])
    final = first.store.run(run.id)
    assert final.status is RunStatus.completed
    assert [s.node_id for s in first.store.steps(run.id)].count("review") == 1
    assert first.store.verify_audit().ok
    first.close()


def test_conflicting_decisions_from_two_processes(review: Path, home: Path) -> None:
    workspace = Workspace.open(home)
    run = start(review, workspace)
    [task] = workspace.store.tasks(run_id=run.id)
    workspace.close()
    env = {**os.environ, "JUNCTION_HOME": str(home)}
    procs = [subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "decide", task.id,
                               flag, "--by", name], cwd=REPO, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for flag, name in (("--approve", "ana"), ("--reject", "bo"))]
    outputs = [p.communicate(timeout=60) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 4], outputs
    loser = outputs[[p.returncode for p in procs].index(4)][1]
    assert "conflict:" in loser and "already decided" in loser
    again = Workspace.open(home)
    decided = again.store.task(task.id)
    assert decided.decided_by in ("ana", "bo")
    outcome = again.store.run(run.id).outcome
    assert outcome == ("paid" if decided.decided_by == "ana" else "refused")
    again.close()


def test_a_timeout_follows_its_branch_and_approves_nothing(review: Path,
                                                          workspace: Workspace) -> None:
    run = start(review, workspace)
    [task] = workspace.store.tasks(run_id=run.id)
    engine = workspace.engine()
    assert engine.expire_tasks(datetime.now(UTC) + timedelta(hours=23)) == []
    [moved] = engine.expire_tasks(datetime.now(UTC) + timedelta(hours=25))
    assert moved.id == run.id and moved.status is RunStatus.completed
    assert moved.outcome == "escalated"
    assert records(workspace)["c-1"] == {"refund": 40, "status": "escalated"}
    expired = workspace.store.task(task.id)
    assert expired.status == "timed_out" and expired.decided_by == "timeout"
    step = workspace.store.step(expired.step_id)
    assert step.decision["approved"] is False and step.changes == {}
    with pytest.raises(ConflictError, match="timed out"):
        engine.decide(task.id, HumanDecision(action="approve"))
    assert "pay" not in [s.node_id for s in workspace.store.steps(run.id)]


def test_junction_tasks_expire_and_resume_follow_timeouts(review: Path, home: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    from runtime.cli.main import main

    workspace = Workspace.open(home)
    runs = [start(review, workspace, f"c-{i}") for i in range(2)]
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds")
    with sqlite3.connect(home / "junction.db") as db:  # as if an hour had gone by
        db.execute("UPDATE tasks SET due_at=?", (past,))
    workspace.close()
    registry.clear_cache()
    assert main(["tasks", "--expire", "--home", str(home)]) == 0
    assert "followed the timeout branch" in capsys.readouterr().out
    again = Workspace.open(home)
    assert {again.store.run(r.id).outcome for r in runs} == {"escalated"}
    assert again.store.tasks() == []
    again.close()


def test_a_run_blocked_on_a_person_survives_a_restart(review: Path, home: Path) -> None:
    first = Workspace.open(home)
    run = start(review, first, "too-much")
    first.close()
    registry.clear_cache()

    second = Workspace.open(home)
    assert second.engine().resume_interrupted() == []  # waiting on a person: not resumed
    [task] = second.store.tasks(run_id=run.id)
    _, fresh, after = second.engine().decide(task.id, HumanDecision(action="edit",
                                                                    values={"refund": 60}))
    assert fresh and after.status is RunStatus.blocked and after.current_node == "review"
    [human] = second.store.tasks(run_id=run.id)
    _, _, done = second.engine().decide(human.id, HumanDecision(action="approve"))
    assert done.outcome == "paid"
    assert records(second)["too-much"] == {"refund": 60, "status": "approved"}
    second.close()


def test_low_confidence_follows_the_fallback_branch_but_not_in_observe(
        review: Path, workspace: Workspace) -> None:
    flow = load_flow(review / "flow.yaml")
    engine = workspace.engine()
    run = engine.start(flow, {"id": "unsure", "message": "hm"})
    assert run.outcome == "asked_for_more"
    sort = next(s for s in workspace.store.steps(run.id) if s.node_id == "sort")
    assert sort.decision["action"] == "fallback" and sort.verdicts[0]["hit"]
    observed = engine.start(flow, {"id": "unsure", "message": "hm"}, autonomy="observe")
    [task] = workspace.store.tasks(run_id=observed.id)
    assert "below the suggest band" in task.reason and "observe" in task.reason


@pytest.mark.parametrize("policy,expect", [("human", "blocked"), ("continue", "blocked"),
                                           ("fail", "failed")])
def test_missing_data_does_what_the_node_says(policy: str, expect: str, review: Path,
                                             workspace: Workspace) -> None:
    text = (review / "flow.yaml").read_text()
    for anchor in ("    fallback: ask_more\n", "    fields: {refund: allow}\n"):
        text = text.replace(anchor, f"{anchor}    on_missing_data: {policy}\n")
    (review / "flow.yaml").write_text(text)
    run = workspace.engine().start(load_flow(review / "flow.yaml"), {"id": "empty"})
    assert run.status.value == expect
    tasks = workspace.store.tasks(run_id=run.id)
    if policy == "human":
        [task] = tasks
        assert task.reason.startswith("missing data") and task.allowed == ["choose"]
    if policy == "continue":  # both AI steps skipped; the human review still waits
        assert [t.node_id for t in tasks] == ["review"]
        skipped = [s.node_id for s in workspace.store.steps(run.id)
                   if (s.decision or {}).get("action") == "skipped"]
        assert skipped == ["sort", "propose"]
    if policy == "fail":
        assert "missing data" in (run.error or "") and tasks == []


def test_confirm_actions_always_wait_for_a_person(review: Path,
                                                 workspace: Workspace) -> None:
    text = (review / "flow.yaml").read_text().replace(
        "  set: {status: approved}\n", "  set: {status: approved}\n  guardrails: {confirm: true}\n")
    (review / "flow.yaml").write_text(text)
    run = start(review, workspace)
    [human] = workspace.store.tasks(run_id=run.id)
    _, _, after = workspace.engine().decide(human.id, HumanDecision(action="approve"))
    assert after.status is RunStatus.blocked
    [confirm] = workspace.store.tasks(run_id=run.id)
    assert confirm.node_id == "pay" and "always needs a person" in confirm.reason
    assert records(workspace)["c-1"] == {"refund": 40}
    workspace.engine().decide(confirm.id, HumanDecision(action="approve"))
    assert records(workspace)["c-1"] == {"refund": 40, "status": "approved"}


def test_a_node_stops_asking_the_model_at_its_call_limit(tmp_path: Path,
                                                        workspace: Workspace) -> None:
    flow = tmp_path / "loop.yaml"
    flow.write_text(LOOP_FLOW)
    (tmp_path / "loop-answers.yaml").write_text(
        "nodes:\n  guess: {values: {secret: '42'}, confidence: 0.9}\n")
    run = workspace.engine().start(load_flow(flow), {"id": "l-1", "message": "hi"})
    guesses = [s for s in workspace.store.steps(run.id) if s.node_id == "guess"]
    assert [bool(s.model_call) for s in guesses] == [True, True, False]
    [task] = workspace.store.tasks(run_id=run.id)
    assert "already made 2 model call(s)" in task.reason and "limit 2" in task.reason


LOOP_FLOW = """
format_version: 1
name: Call cap
autonomy: operate
default_model: scripted:loop-answers.yaml
case_fields: [{name: message}]
record_fields: [{name: code}]
nodes:
- {id: start, kind: start}
- id: guess
  kind: ai
  role: enforce
  max_visits: 5
  guardrails:
    fields: {code: allow}
    limits: {code: {pattern: '[0-9]+'}}
    max_calls: 2
- {id: check, kind: decision}
- {id: done, kind: end, outcome: done}
edges:
- {from: start, to: guess}
- {from: guess, to: check}
- from: check
  to: done
  when: {field: guess.applied, op: eq, value: true}
- {from: check, to: guess, else: true}
"""
