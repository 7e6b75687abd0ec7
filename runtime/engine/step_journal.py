"""Journaling a walk's steps, fused where that is safe.

A step that changes nothing is only remembered and written with the next commit (a crash
before then redoes it; it had no effect anywhere). A record change in the store's own
database commits together with its step and audit rows. A model's answer that proposes
changes is committed as `decided` before they are applied, so a resumed run applies it and
never asks the model again. A change sent outside the database takes a durable (fsync)
commit of its own first. Observers hear about steps once they are committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from runtime.engine import events as ev
from runtime.engine.effects import Effects, InStoreChange
from runtime.engine.faults import FaultPlan
from runtime.engine.plan import Plan
from runtime.engine.steps import StepOutcome
from runtime.engine.units import Units
from runtime.store.base import RunStore
from runtime.store.rows import NewStep, RunRow


@dataclass
class Fused:
    """A completed step waiting for the next commit: what observers will hear, and the
    audit rows (and record change) of work already written for it in the open unit."""

    step: NewStep
    decision: dict[str, Any]
    entries: list[Any] = field(default_factory=list)
    change: InStoreChange | None = None


class StepJournal:
    def __init__(self, store: RunStore, effects: Effects, faults: FaultPlan,
                 units: Units) -> None:
        self.store, self.effects, self.faults, self.units = store, effects, faults, units
        self.pending: list[Fused] = []
        self._announcing: list[Fused] = []

    def reset(self) -> None:
        """A new walk: nothing waits."""
        self.pending, self._announcing = [], []

    def commit(self, plan: Plan, run: RunRow, step: NewStep, outcome: StepOutcome,
               context: dict[str, Any]) -> None:
        """Journal a step, fused with the steps before it where that is safe (see above)."""
        context["nodes"][step.node_id] = outcome.output
        advance = {"current_node": outcome.next_node, "context": context}
        if not outcome.changes:
            self.pending.append(Fused(done(step), outcome.decision))
            self.faults.passed("done")
        elif self.effects.joins_store(plan):
            self._commit_in_store(plan, run, step, outcome, context, advance)
        else:
            step_id = self.journal_decided(run, step, context, durable=True)
            entry = self.effects.apply(plan, run, step_id, step.node_id, step.visit,
                                       outcome.changes, context)
            self.faults.passed("effect")
            self.store.finish_step(step_id, run.id, advance=advance, entries=[entry])
            self.faults.passed("done")
            self.step_finished(step, outcome.decision)

    def _commit_in_store(self, plan: Plan, run: RunRow, step: NewStep, outcome: StepOutcome,
                         context: dict[str, Any], advance: dict[str, Any]) -> None:
        """A record change in the store's own database: one commit for the steps waiting,
        this step, the change and their audit rows. A step whose changes came from a
        model is journaled as decided first, so a crash keeps the model's answer (resume
        applies it instead of asking again); that commit needs no fsync, nothing outside
        the database depends on it."""
        change = self.effects.in_store(plan, run, step.node_id, step.visit, outcome.changes,
                                       context)
        self.units.resume()  # preparing the connector's tables may have ended it
        if not step.model_call and self.units.open:
            self.faults.passed("decided")  # crash drills: inside the unit, before the write
            made = self.store.work_in_unit(change.work, run_id=run.id)
            if made is not None:  # written in the open unit; journaled with its step later
                self.pending.append(Fused(done(step), outcome.decision, made, change))
                self.faults.passed("done")
                return
        if step.model_call:
            step_id = self.journal_decided(run, step, context, durable=False)
            self.units.resume()  # the decided step was committed on its own
            self.store.finish_step(step_id, run.id, advance=advance, within=change.work)
        else:
            def work(handle: Any) -> list[Any]:
                self.faults.passed("decided")  # crash drills: inside the transaction
                return change.work(handle)

            fused, extras = self._take_pending()
            self.store.record_steps([*fused, done(step)], advance=advance, within=work,
                                    extras=[*extras, []])
            self.announce()
        self.faults.passed("done")
        change.announce()
        self.step_finished(step, outcome.decision)

    def journal_decided(self, run: RunRow, step: NewStep, context: dict[str, Any], *,
                        durable: bool) -> int:
        """Commit the waiting steps and `step` as decided, the run positioned at it (a
        commit of its own even in a unit of work: a model's answer is kept before the
        changes it proposes are applied, so a resumed run applies it, never asks again)."""
        fused, extras = self._take_pending()
        ids = self.store.record_steps([*fused, step], durable=durable,
                                      extras=[*extras, []],
                                      advance={"current_node": step.node_id,
                                               "context": context})
        self.store.end_unit()  # committed even inside a group: the answer must survive
        self.announce()
        self.faults.passed("decided")
        return ids[-1]

    def flush(self, run: RunRow, context: dict[str, Any]) -> None:
        """Write the steps waiting to be fused, before the run stops or blocks."""
        if not self.pending:
            return
        last = self.pending[-1].step
        fused, extras = self._take_pending()
        self.store.record_steps(fused, extras=extras,
                                advance={"current_node": last.next_node, "context": context})
        self.announce()

    def take_all(self) -> tuple[list[NewStep], list[list[Any]]]:
        """The waiting steps and their audit rows, to be written by the caller's commit
        (observers hear about them at the next `announce`)."""
        return self._take_pending()

    def _take_pending(self) -> tuple[list[NewStep], list[list[Any]]]:
        waiting, self.pending = self.pending, []
        self._announcing.extend(waiting)
        return [item.step for item in waiting], [item.entries for item in waiting]

    def announce(self) -> None:
        """Observers hear about fused steps (and their record changes) once committed."""
        waiting, self._announcing = self._announcing, []
        for item in waiting:
            if item.change is not None:
                item.change.announce()
            self.step_finished(item.step, item.decision)

    def pending_calls(self, node_id: str) -> int:
        """Model calls a node made in steps not yet written (they count against its cap)."""
        return sum(int((step.model_call or {}).get("attempts", 1))
                   for step in (item.step for item in self.pending)
                   if step.node_id == node_id and step.model_call)

    def step_finished(self, step: NewStep, decision: dict[str, Any]) -> None:
        if not self.units.listening:  # nobody to tell: no event to build
            return
        self.units.emit(ev.StepFinished(run_id=step.run_id, node_id=step.node_id,
                                        kind=step.kind, visit=step.visit, status="done",
                                        summary=summary(decision), next_node=step.next_node,
                                        duration_ms=step.duration_ms or 0.0))


def done(step: NewStep) -> NewStep:
    return replace(step, status="done")


def summary(decision: dict[str, Any] | None) -> str:
    """A step's decision in one line, as observers show it."""
    if not decision:
        return ""
    return ", ".join(f"{k}={v}" for k, v in decision.items() if k != "by" and v not in (None, ""))
