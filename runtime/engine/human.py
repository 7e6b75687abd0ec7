"""People's side of a run: deciding tasks, and tasks that time out.

Every path ends in `RunStore.settle_task`, one IMMEDIATE transaction that either records
this decision or finds the one already there: a duplicate is a no-op returning the first
result, a different decision (or a timeout racing a person) loses with a ConflictError.
Only the call that actually decided a task continues the run, so two deciders never drive
the same run at once.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from runtime.connectors import ledger
from runtime.engine import events as ev
from runtime.engine.decisions import EditRefused, HumanDecision, resolve, resolve_timeout
from runtime.errors import ConflictError, InputError
from runtime.flow.schema import HumanNode
from runtime.store.audit import Entry
from runtime.store.runs import RunRow, TaskRow

if TYPE_CHECKING:
    from runtime.engine.runner import Engine

TIMEOUT_DECISION = {"action": "timeout"}


def decide(engine: Engine, task_id: str, decision: HumanDecision,
           decided_by: str) -> tuple[TaskRow, bool, RunRow]:
    store = engine.store
    task = store.task(task_id)
    update: dict[str, Any] = {}
    also = None
    if task.status == "open":
        if task.packet.get("kind") == "outcome_unknown":
            update, also = _unknown_outcome(engine, task, decision, decided_by)
        else:
            update = _resolution(engine, task, decision, decided_by)
    task, fresh = store.settle_task(task.id, decision=decision.key(),
                                    decided_by=decided_by, step_update=update,
                                    also=also)
    if not fresh:
        return task, False, store.run(task.run_id)
    engine.emit(ev.TaskDecided(run_id=task.run_id, task_id=task.id, node_id=task.node_id,
                               decision=decision.key()))
    return task, True, engine.safe_drive(task.run_id)


def _resolution(engine: Engine, task: TaskRow, decision: HumanDecision,
                decided_by: str) -> dict[str, Any]:
    run = engine.store.run(task.run_id)
    step = engine.store.step(task.step_id)
    try:
        resolution = resolve(engine.plan_for(run), task.node_id, task.packet,
                             step.output or {}, decision)
    except EditRefused as exc:
        engine.store.append_audit([Entry(
            "guardrail", f"person:{decided_by}", run_id=run.id, node_id=task.node_id,
            subject=exc.field, before=task.packet.get("proposal"), after={
                "rule": "human_edit", "outcome": "block", "field": exc.field,
                "reason": str(exc), "hit": True},
            data={"task": task.id, "decision": decision.key()})])
        raise
    return {"output": resolution.output, "changes": resolution.changes,
            "next_node": resolution.next_node,
            "decision": {**resolution.record, "task": task.id}}


def _unknown_outcome(engine: Engine, task: TaskRow, decision: HumanDecision,
                     decided_by: str) -> tuple[dict[str, Any], Any]:
    """A person says whether a change whose outcome was unknown landed: `applied` marks it
    done without sending it again, `resend` sends it again with the same key."""
    options = task.packet.get("options") or []
    if decision.action != "choose" or decision.choice not in options:
        raise InputError(f"say what happened to the change: --choose one of "
                         f"{', '.join(options)}")
    step = engine.store.step(task.step_id)
    connector = task.packet["connector"]
    status = "applied" if decision.choice == "applied" else "absent"

    def also(conn: sqlite3.Connection) -> None:
        ledger.resolve(conn, connector["name"], connector["idempotency_key"], status,
                       f"{decided_by} said: {decision.choice}")

    record = {**(step.decision or {}), "outcome_checked_by": decided_by,
              "outcome": decision.choice, "task": task.id}
    return {"decision": record}, also


def expire(engine: Engine, at: datetime | None = None) -> list[RunRow]:
    """Follow the timeout branch of every human task past its due time; returns the runs
    that went on. A timeout decides nothing: no edit, no approval."""
    stamp = (at or datetime.now(UTC)).isoformat(timespec="milliseconds")
    moved = []
    for task in engine.store.due_tasks(stamp):
        run = engine.store.run(task.run_id)
        plan = engine.plan_for(run)
        node = plan.nodes.get(task.node_id)
        if not isinstance(node, HumanNode) or node.timeout is None:
            continue
        resolution = resolve_timeout(plan, task.node_id)
        update = {"output": resolution.output, "changes": {},
                  "next_node": resolution.next_node,
                  "decision": {**resolution.record, "task": task.id}}
        try:
            _, fresh = engine.store.settle_task(
                task.id, decision=TIMEOUT_DECISION, decided_by="timeout",
                step_update=update, status="timed_out")
        except ConflictError:
            continue  # a person decided first; their decision stands
        if fresh:
            engine.emit(ev.TaskDecided(run_id=task.run_id, task_id=task.id,
                                       node_id=task.node_id, decision=TIMEOUT_DECISION))
            moved.append(engine.safe_drive(task.run_id))
    return moved
