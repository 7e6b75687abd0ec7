"""The task desk: people's decisions on human tasks, and tasks that time out.

The desk settles a task and says what the engine must do next; it never drives a run,
emits an event or writes a connector's tables itself. Every path ends in
`RunStore.settle_task`, one transaction that either records this decision or finds the
one already there: a duplicate is a no-op returning the first result, a different
decision (or a timeout racing a person) loses with a ConflictError. Only a call that
actually decided a task (`Settled.fresh`) tells the engine to continue the run, so two
deciders never drive the same run at once.

A person's answer about a record change whose outcome was unknown (`applied` /
`resend`) is kept in the step's decision; the engine hands it to the connector when it
completes the step (see `Engine._complete`), so a crash in between loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runtime.engine.human_decision import (
    EditRefused,
    HumanDecision,
    resolve,
    resolve_timeout,
)
from runtime.engine.plan_cache import PlanCache
from runtime.errors import ConflictError, InputError
from runtime.flow.schema import HumanNode
from runtime.store.audit import Entry
from runtime.store.base import RunStore
from runtime.store.rows import TaskRow

TIMEOUT_DECISION = {"action": "timeout"}


@dataclass(frozen=True)
class Settled:
    """A task as it stands after a decision or timeout, and whether this call decided it
    (then the run was woken and the engine continues it)."""

    task: TaskRow
    fresh: bool
    decision: dict[str, Any]

    @property
    def run_id(self) -> str:
        return self.task.run_id


class TaskDesk:
    def __init__(self, store: RunStore, plans: PlanCache) -> None:
        self.store = store
        self.plans = plans

    def decide(self, task_id: str, decision: HumanDecision, decided_by: str) -> Settled:
        """Settle a task with a person's decision. Raises EditRefused (logged as a
        guardrail hit) for an edit that breaks a limit, InputError for a decision the task
        does not allow, ConflictError when someone decided differently first."""
        task = self.store.task(task_id)
        update: dict[str, Any] = {}
        if task.status == "open":
            if task.packet.get("kind") == "outcome_unknown":
                update = self._unknown_outcome(task, decision, decided_by)
            else:
                update = self._resolution(task, decision, decided_by)
        settled, fresh = self.store.settle_task(task.id, decision=decision.key(),
                                                decided_by=decided_by, step_update=update)
        return Settled(settled, fresh, decision.key())

    def expire(self, at: datetime | None = None) -> Iterator[Settled]:
        """Settle every human task past its due time by following its node's timeout
        branch, one at a time (the engine continues each run before the next is settled).
        A timeout decides nothing: no edit, no approval. Yields only tasks this call
        settled; a person who decided first keeps their decision."""
        stamp = (at or datetime.now(UTC)).isoformat(timespec="milliseconds")
        for task in self.store.due_tasks(stamp):
            plan = self.plans.for_run(self.store.run(task.run_id))
            node = plan.nodes.get(task.node_id)
            if not isinstance(node, HumanNode) or node.timeout is None:
                continue
            resolution = resolve_timeout(plan, task.node_id)
            update = {"output": resolution.output, "changes": {},
                      "next_node": resolution.next_node,
                      "decision": {**resolution.record, "task": task.id}}
            try:
                settled, fresh = self.store.settle_task(
                    task.id, decision=TIMEOUT_DECISION, decided_by="timeout",
                    step_update=update, status="timed_out")
            except ConflictError:
                continue  # a person decided first; their decision stands
            if fresh:
                yield Settled(settled, True, TIMEOUT_DECISION)

    def _resolution(self, task: TaskRow, decision: HumanDecision,
                    decided_by: str) -> dict[str, Any]:
        run = self.store.run(task.run_id)
        step = self.store.step(task.step_id)
        try:
            resolution = resolve(self.plans.for_run(run), task.node_id, task.packet,
                                 step.output or {}, decision)
        except EditRefused as exc:
            self.store.append_audit([Entry(
                "guardrail", f"person:{decided_by}", run_id=run.id, node_id=task.node_id,
                subject=exc.field, before=task.packet.get("proposal"), after={
                    "rule": "human_edit", "outcome": "block", "field": exc.field,
                    "reason": str(exc), "hit": True},
                data={"task": task.id, "decision": decision.key()})])
            raise
        return {"output": resolution.output, "changes": resolution.changes,
                "next_node": resolution.next_node,
                "decision": {**resolution.record, "task": task.id}}

    def _unknown_outcome(self, task: TaskRow, decision: HumanDecision,
                         decided_by: str) -> dict[str, Any]:
        """A person says whether a change whose outcome was unknown landed: `applied` marks
        it done without sending it again, `resend` sends it again with the same key."""
        options = task.packet.get("options") or []
        if decision.action != "choose" or decision.choice not in options:
            raise InputError(f"say what happened to the change: --choose one of "
                             f"{', '.join(options)}")
        step = self.store.step(task.step_id)
        record = {**(step.decision or {}), "outcome_checked_by": decided_by,
                  "outcome": decision.choice, "task": task.id}
        return {"decision": record}
