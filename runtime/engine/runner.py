"""The durable engine: walks a run's plan, journaling each step before its effects.

Order of work for every step: execute (may call a model) → journal the step as `decided`
with the model's output and the record changes it allows → apply the changes through the
connector with the step's idempotency key → mark the step `done` and move the run on, in
one commit. A crash anywhere leaves either no step (it is simply executed again), a
decided step (its stored outcome is re-applied; the connector recognises the key), or a
done step. Observers hear about each event after it is committed.

Applying changes lives in `effects.py`; people's decisions and timeouts are settled by the
task desk (`task_desk.py`), which tells the engine which runs to continue.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from runtime.connectors.ports import ConnectorTables
from runtime.engine import events as ev
from runtime.engine.case_check import case_problems, check_case
from runtime.engine.effects import Blocked, Effects
from runtime.engine.failures import describe, from_the_store, invalid_output_handoff
from runtime.engine.faults import FaultPlan
from runtime.engine.handoff import build_packet
from runtime.engine.human_decision import HumanDecision
from runtime.engine.model_choice import (
    DEFAULT_MODEL,
    answers_at_once,
    embedding_model_for,
    pick_provider,
    provider_chooser,
    providers_for_walk,
)
from runtime.engine.plan import Plan, stage_for
from runtime.engine.plan_cache import PlanCache, resolved
from runtime.engine.step_journal import StepJournal, summary
from runtime.engine.steps import Handoff, MissingData, StepContext, StepOutcome, execute
from runtime.engine.task_desk import Settled, TaskDesk
from runtime.engine.units import Units
from runtime.errors import FlowError, InputError, JunctionError
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import AINodeBase, AnyNode, ClassifyNode, EndNode
from runtime.models.base import ModelProvider, ModelUnavailable, OutputInvalid
from runtime.store.base import RunStore
from runtime.store.rows import NewStep, RunRow, StepRow, TaskRow
from runtime.store.states import RunStatus

# Re-exported: callers across the runtime import these from the engine's front door.
__all__ = ["DEFAULT_MODEL", "GROUP_RUNS", "Engine", "case_problems", "check_case",
           "embedding_model_for", "pick_provider", "provider_chooser"]

log = logging.getLogger(__name__)

GROUP_RUNS = 64  # runs per commit in a batch (measured: bench/anchors/langgraph_side_by_side.py)


class Engine:
    def __init__(self, store: RunStore, connector_tables: ConnectorTables, *,
                 observers: Iterable[ev.Observer] = (), decided_by: str = "cli") -> None:
        """`connector_tables` is where connectors keep their own tables (the send ledger,
        the workspace record table)."""
        self.store = store
        self.observers = list(observers)
        self.decided_by = decided_by
        self.faults = FaultPlan.from_env()
        self.plans = PlanCache(store)
        self.desk = TaskDesk(store, self.plans)
        self.units = Units(store, self._deliver, self.observers)  # events wait for commit
        self.effects = Effects(store, connector_tables, self._emit, self.faults.passed,
                              lambda: self.units.listening)
        self.journal = StepJournal(store, self.effects, self.faults, self.units)

    # -- public API --------------------------------------------------------

    def start(self, loaded: LoadedFlow, case: dict[str, Any], *, batch_id: str | None = None,
              autonomy: str | None = None, model: str | None = None) -> RunRow:
        """Create a run for `case` and drive it until it blocks or ends."""
        with self.unit_of_work():
            run, created = self.create(loaded, case, batch_id=batch_id, autonomy=autonomy,
                                       model=model, claim=True)
            if created:
                return self._drive_fresh(run)
            return self._drive(run)  # the row as found, in this unit

    def _prepare_window(self, loaded: LoadedFlow, window: list[dict[str, Any]],
                        model: str | None) -> None:
        """Embed the window's case texts ahead (see batch_prepare); a failure here only
        means each step embeds its own text, as it would alone."""
        from runtime.engine.batch_prepare import prepare_window

        plan = self.plans.for_flow(loaded)
        try:
            prepare_window(plan, window, lambda node: self._embedding_provider(plan, node,
                                                                               model))
        except Exception as exc:
            log.info("could not embed the batch window ahead: %s", exc)

    def _embedding_provider(self, plan: Plan, node: ClassifyNode,
                            model: str | None) -> ModelProvider | None:
        if embedding_model_for(node, plan) is None:
            return None
        return pick_provider(plan, model, node)

    def run_batch(self, loaded: LoadedFlow, cases: Iterable[dict[str, Any]], *,
                  batch_id: str, autonomy: str | None = None, model: str | None = None,
                  group: int = GROUP_RUNS,
                  on_run: Callable[[RunRow, bool], None] | None = None) -> list[RunRow]:
        """Run every case of a batch, `group` runs per commit (group commit).

        A case that already has a run in this batch is not run again; its run is driven
        on only if it was interrupted (not finished, not waiting for a person).
        `on_run(run, ran)` hears about each case once its group is committed. A crash
        loses at most the runs of the group in flight, none of which had any effect
        outside the database; running the batch again runs them."""
        results: list[RunRow] = []
        waiting: list[tuple[RunRow, bool]] = []

        def commit_group() -> None:
            if waiting:
                self.faults.passed("group")  # crash drills: a full group, not yet committed
            self.units.end()
            for run, ran in waiting:
                if on_run is not None:
                    on_run(run, ran)
            waiting.clear()

        cases = list(cases)
        try:
            for index, case in enumerate(cases):
                if index % group == 0:
                    self._prepare_window(loaded, cases[index:index + group], model)
                self.units.begin()
                run, created = self.create(loaded, case, batch_id=batch_id,
                                           autonomy=autonomy, model=model, claim=True)
                ran = created or not (run.status.terminal or self._waits_on_person(run))
                if created:
                    run = self._drive_fresh(run)
                elif ran:
                    run = self._drive(run)  # the row as found, in this unit
                results.append(run)
                waiting.append((run, ran))
                if len(waiting) >= group:
                    commit_group()
        finally:
            commit_group()
        return results

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Let the store commit what follows together (see RunStore.begin_unit); observers
        hear the events once it is committed. Nested use joins the unit already open."""
        with self.units.scope():
            yield

    def _waits_on_person(self, run: RunRow) -> bool:
        return run.status is RunStatus.blocked and bool(self.store.tasks(run_id=run.id))

    def create(self, loaded: LoadedFlow, case: dict[str, Any], *, batch_id: str | None = None,
               autonomy: str | None = None, model: str | None = None,
               claim: bool = False) -> tuple[RunRow, bool]:
        """Create a queued run for `case` (or find the batch's run of it: second value
        False). `claim`: the caller drives it at once (`_drive_fresh`), so it is created
        already claimed by this process at the flow's start."""
        plan = self.plans.for_flow(loaded)
        case_id = check_case(plan, case)
        run, created = self.store.create_run(
            flow_text=loaded.text, flow_sha=loaded.sha256, flow_name=loaded.flow.name,
            flow_path=resolved(str(loaded.path)) if loaded.path else None, case_id=case_id,
            context={"case": case, "record": {}, "nodes": {}, "visits": {}},
            batch_id=batch_id, autonomy=autonomy, model_override=model,
            claim_at=plan.start if claim else None)
        if created:
            self._emit(ev.RunCreated(run_id=run.id, case_id=case_id, flow_name=run.flow_name,
                                     flow_sha=run.flow_sha))
        return run, created

    def case_problem(self, loaded: LoadedFlow, case: dict[str, Any]) -> str | None:
        """Why `case` cannot start a run of this flow, or None (nothing is created)."""
        try:
            check_case(self.plans.for_flow(loaded), case)
        except InputError as exc:
            return str(exc)
        return None

    def drive(self, run_id: str) -> RunRow:
        """Run until the run blocks or reaches a terminal state."""
        with self.unit_of_work():
            return self._drive(self.store.run(run_id))

    def _drive(self, run: RunRow) -> RunRow:
        """Drive `run`, a row read in the open unit of work: claim it, complete a step
        decided before a crash, walk on."""
        run_id = run.id
        if run.status.terminal:
            return run
        if run.status is RunStatus.blocked and self.store.tasks(run_id=run_id):
            return run
        try:
            plan = self.plan_for(run)
        except FlowError as exc:  # pinned text a newer version refuses (say, a bad regex)
            self.store.claim(run_id)
            return self._fail(run, "its flow no longer loads: " + str(exc).replace("\n", "; "))
        resumed = run.status is not RunStatus.queued
        run = self.store.claim(run_id, start_node=plan.start)
        if run.current_node is None:
            return self._settle_positionless(run)
        # a queued run has no steps yet: nothing decided to complete
        return self._guarded_walk(plan, run, resumed=resumed)

    def _drive_fresh(self, run: RunRow) -> RunRow:
        """Drive a run just created claimed (`create(claim=True)`) in the open unit: it has
        no steps, so there is nothing to claim, complete or count first."""
        return self._guarded_walk(self.plan_for(run), run, resumed=False)

    def _guarded_walk(self, plan: Plan, run: RunRow, *, resumed: bool) -> RunRow:
        """Walk `run` (claimed), turning what stops it into its state: blocked, failed, or
        the store's own error raised after the completed steps are journaled."""
        self._emit(ev.RunStarted(run_id=run.id, resumed=resumed))
        self.journal.reset()
        try:
            pending = self.store.open_step(run.id) if resumed else None
            if pending is not None and pending.status == "decided":
                run = self._complete(plan, run, pending)
                if run.status is not RunStatus.running:
                    return run
            return self._walk(plan, run, fresh=not resumed)
        except Blocked as stop:
            return stop.run
        except (JunctionError, sqlite3.Error):
            self._journal_or_undo(run)
            raise  # the store itself failing (say, locked) is not this run's fault
        except Exception as exc:  # a bug or surprise in one run must not poison the rest
            self._journal_or_undo(run)
            if from_the_store(exc):  # PostgreSQL's driver errors (not imported here)
                raise
            return self._fail(run, f"unexpected error: {describe(exc)}")
        except BaseException:
            self._journal_or_undo(run)
            raise

    def _journal_or_undo(self, run: RunRow) -> None:
        """Something unexpected stopped the walk: journal the steps that completed (with
        their record changes, already written in the unit), or, if even that fails, undo
        the unit so that no record change is ever committed without its step."""
        if not self.journal.pending:
            return
        try:
            self.journal.flush(run, run.context)
        except BaseException:
            self.journal.reset()
            self.units.undo()  # nothing of the unit happened: observers hear none of it
            raise

    def resume_interrupted(self, on_run: Callable[[RunRow], None] | None = None) -> list[RunRow]:
        """Continue every run whose process died, runs blocked on an unavailable model or
        connector, and runs whose human task timed out (they follow the timeout branch)."""
        results = self.expire_tasks()
        if on_run:
            for result in results:
                on_run(result)
        for run in self.store.interrupted_runs():
            result = self._safe_drive(run.id)
            results.append(result)
            if on_run:
                on_run(result)
        return results

    def decide(self, task_id: str, decision: HumanDecision,
               decided_by: str | None = None) -> tuple[TaskRow, bool, RunRow]:
        """Apply a person's decision and continue the run.

        Deciding the same thing twice is a no-op returning the first decision; deciding
        differently after someone else raises ConflictError. An edit that breaks a limit
        raises EditRefused (an InputError) and is logged as a guardrail hit.
        """
        settled = self.desk.decide(task_id, decision, decided_by or self.decided_by)
        if not settled.fresh:
            return settled.task, False, self.store.run(settled.run_id)
        return settled.task, True, self._continue(settled)

    def expire_tasks(self, at: datetime | None = None) -> list[RunRow]:
        """Human tasks past their due time follow their node's timeout branch (which never
        approves anything); returns the runs that went on."""
        return [self._continue(settled) for settled in self.desk.expire(at)]

    def cancel(self, run_id: str, reason: str = "cancelled by user") -> RunRow:
        run = self.store.cancel_run(run_id, reason)
        self._emit(ev.RunFinished(run_id=run_id, status=run.status.value, error=reason))
        return run

    def plan_for(self, run: RunRow) -> Plan:
        """The plan of the flow text the run was started with (never the file on disk)."""
        return self.plans.for_run(run)

    # -- the walk ----------------------------------------------------------

    def _continue(self, settled: Settled) -> RunRow:
        """A task the desk just settled: say so, then continue its run."""
        task = settled.task
        self._emit(ev.TaskDecided(run_id=task.run_id, task_id=task.id, node_id=task.node_id,
                                  decision=settled.decision))
        return self._safe_drive(task.run_id)

    def _safe_drive(self, run_id: str) -> RunRow:
        try:
            return self.drive(run_id)
        except JunctionError as exc:
            log.warning("run %s could not continue: %s", run_id, exc)
            return self.store.run(run_id)

    def _settle_positionless(self, run: RunRow) -> RunRow:
        """A running run with no position: its end step was journaled by a version that
        finished runs in two commits and crashed in between (complete it), or something
        else went wrong (fail it with the reason, so `resume` never loops on it)."""
        steps = self.store.steps(run.id)
        last = steps[-1] if steps else None
        if last is not None and last.kind == "end" and last.status == "done":
            outcome = (last.decision or {}).get("outcome")
            finished = self.store.finish_run(run.id, RunStatus.completed, outcome=outcome)
            self._emit(ev.RunFinished(run_id=run.id, status="completed", outcome=outcome))
            return finished
        return self._fail(run, "the run lost its position in the flow (no next step "
                               "recorded); start the case again")

    def _walk(self, plan: Plan, run: RunRow, *, fresh: bool = False) -> RunRow:
        """Execute and journal steps from the run's position until it ends or stops.
        `fresh`: the run had no steps before this walk, so the model calls each node made
        are counted here rather than read back from the journal."""
        context = run.context
        node_id = run.current_node
        provider_for = providers_for_walk(plan, run.model_override)
        calls_made: dict[str, int] = {}
        while node_id is not None:
            self.units.resume()  # again, if a durable write or an effect closed it
            node = plan.nodes[node_id]
            visit = int(context["visits"].get(node_id, 0)) + 1
            if node.max_visits and visit > node.max_visits:
                node_id = self._over_limit(plan, run, node, context)
                continue
            if isinstance(node, EndNode):
                return self._finish(plan, run, node, visit, context)
            if self.units.listening:
                self._emit(ev.StepStarted(run_id=run.id, node_id=node_id,
                                          kind=plan.labels[node_id], visit=visit))
            started = time.perf_counter()
            stage = stage_for(plan, node, run.autonomy)
            calls = 0
            if isinstance(node, AINodeBase):
                calls = calls_made.get(node_id, 0) if fresh else (
                    self.store.model_calls(run.id, node_id)
                    + self.journal.pending_calls(node_id))
            reopen = self.units.open and isinstance(node, AINodeBase) and not answers_at_once(
                provider_for, node)
            if reopen:  # never hold the write lock while a model thinks
                self.units.end()
            try:
                outcome = execute(node, StepContext(plan, run.id, run.case_id, context,
                                                    stage, provider_for,
                                                    model_calls=calls,
                                                    workspace=self.store.workspace_dir))
            except ModelUnavailable as exc:
                return self._block_on_model(run, node_id, exc)
            except OutputInvalid as exc:
                outcome = invalid_output_handoff(node, exc)
            except MissingData as exc:
                return self._fail(run, f"node '{node_id}': missing data: {exc}")
            except JunctionError as exc:
                return self._fail(run, f"node '{node_id}': {exc}")
            except Exception as exc:  # a provider or node bug fails this run, with why
                log.debug("node %s of run %s raised", node_id, run.id, exc_info=True)
                return self._fail(run, f"node '{node_id}': unexpected error: {describe(exc)}")
            finally:
                if reopen:
                    self.units.begin()
            elapsed = (time.perf_counter() - started) * 1000
            step = NewStep(run_id=run.id, node_id=node_id, kind=plan.labels[node_id],
                           visit=visit, status="decided", autonomy=stage.value,
                           attempt=int((outcome.model_call or {}).get("attempts", 1)),
                           inputs=outcome.inputs, model_call=outcome.model_call,
                           output=outcome.output,
                           decision=outcome.decision,
                           changes=outcome.changes, next_node=outcome.next_node,
                           verdicts=[v.to_json() for v in outcome.verdicts],
                           duration_ms=round(elapsed, 3))
            context["visits"][node_id] = visit
            if outcome.model_call:  # the call cap counts attempts (see store.model_calls)
                calls_made[node_id] = calls + int(outcome.model_call.get("attempts", 1) or 1)
            if outcome.handoff is not None:
                self.journal.flush(run, context)
                return self._block(plan, run, step, outcome, outcome.handoff, context)
            if outcome.next_node is None:
                return self._fail(run, f"node '{node_id}' has no edge to follow")
            self.journal.commit(plan, run, step, outcome, context)
            node_id = outcome.next_node
        return self.store.run(run.id)

    def _complete(self, plan: Plan, run: RunRow, step: StepRow) -> RunRow:
        """Finish a step that was decided before a crash or by a person."""
        context = run.context
        context["visits"][step.node_id] = step.visit
        context["nodes"][step.node_id] = step.output or {}
        entries = []
        if (step.decision or {}).get("outcome_checked_by"):
            self.effects.record_answer(plan, self.store.task(step.decision["task"]),
                                       step.decision)
        if step.changes:
            entries.append(self.effects.apply(plan, run, step.id, step.node_id, step.visit,
                                              step.changes, context))
        self.store.finish_step(step.id, run.id, advance={"current_node": step.next_node,
                                                         "context": context},
                               entries=entries)
        self._emit(ev.StepFinished(run_id=run.id, node_id=step.node_id, kind=step.kind,
                                   visit=step.visit, status="done",
                                   summary=summary(step.decision), next_node=step.next_node))
        if step.next_node is None:
            return self._fail(run, f"node '{step.node_id}' has no edge to follow")
        return self.store.run(run.id)

    def _block(self, plan: Plan, run: RunRow, step: NewStep, outcome: StepOutcome,
               handoff: Handoff, context: dict[str, Any]) -> RunRow:
        history = self.store.steps(run.id)
        due = None
        if handoff.due_hours:
            due = (datetime.now(UTC) + timedelta(hours=handoff.due_hours)).isoformat(
                timespec="milliseconds")
        packet = build_packet(plan, step.node_id, context, history, outcome, handoff,
                              step.autonomy or "", due_at=due)
        blocked = replace(step, status="blocked", next_node=None,
                          decision={"handoff": handoff.reason})
        _, task_id = self.store.block_with_task(blocked, reason=handoff.reason,
                                                allowed=handoff.allowed, packet=packet,
                                                due_at=due, context=context)
        self._emit(ev.RunBlocked(run_id=run.id, node_id=step.node_id, reason=handoff.reason,
                                 task_id=task_id))
        return self.store.run(run.id)

    def _block_on_model(self, run: RunRow, node_id: str, exc: Exception) -> RunRow:
        self.journal.flush(run, run.context)
        reason = f"model unavailable: {exc}"
        blocked = self.store.block_run(run.id, reason)
        self._emit(ev.RunBlocked(run_id=run.id, node_id=node_id, reason=reason))
        return blocked

    def _over_limit(self, plan: Plan, run: RunRow, node: AnyNode,
                    context: dict[str, Any]) -> str | None:
        target = plan.follow(node.id, "limit") if any(
            e.on == "limit" for e in plan.out[node.id]) else None
        if target is None:
            self._fail(run, f"node '{node.id}' was visited more than {node.max_visits} times")
            return None
        return target

    def _finish(self, plan: Plan, run: RunRow, node: EndNode, visit: int,
                context: dict[str, Any]) -> RunRow:
        """The end step, the steps waiting before it and the run's end: one commit."""
        step = NewStep(run_id=run.id, node_id=node.id, kind="end", visit=visit, status="done",
                       autonomy=stage_for(plan, node, run.autonomy).value,
                       decision={"action": "end", "outcome": node.outcome})
        context["visits"][node.id] = visit
        def ending(handle: Any) -> list[Any]:
            self.faults.passed("ending")  # crash drills: inside the completion's write
            return []

        fused, extras = self.journal.take_all()
        finished = self.store.record_end([*fused, step], advance={"current_node": None,
                                                                 "context": context},
                                         finish=(RunStatus.completed,
                                                 {"outcome": node.outcome}),
                                         within=ending, extras=[*extras, []])
        self.journal.announce()
        self._emit(ev.RunFinished(run_id=run.id, status="completed", outcome=node.outcome))
        return finished

    def _fail(self, run: RunRow, error: str) -> RunRow:
        self.journal.flush(run, run.context)
        current = self.store.run(run.id)
        if current.status.terminal:
            return current
        failed = self.store.finish_run(run.id, RunStatus.failed, error=error)
        self._emit(ev.RunFinished(run_id=run.id, status="failed", error=error))
        return failed

    # -- resources ---------------------------------------------------------

    def _emit(self, event: ev.Event) -> None:
        if self.observers:  # nobody listening (a batch from a script): nothing to queue
            self.units.emit(event)

    def _deliver(self, event: ev.Event) -> None:
        for observer in self.observers:
            try:
                observer.on_event(event)
            except Exception:  # an observer must never break a run
                log.exception("observer %r failed on %s", observer, type(event).__name__)
