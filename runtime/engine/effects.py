"""Applying a journaled step's record changes through the flow's connector.

The step is already committed as `decided` when this runs, so whatever happens here can be
picked up again. Three endings besides success:

- the connector could not be reached and nothing was sent → the run blocks as
  "connector unavailable"; `junction resume` tries again with the same idempotency key;
- the connector cannot tell whether the change landed → the run blocks with "record change
  outcome unknown" and a person says what happened (nothing is re-sent blindly);
- the connector refused the change → the run blocks as "connector unavailable" too, with
  the refusal, so the configuration can be fixed and the run resumed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime.connectors.base import (
    ApplyResult,
    Connector,
    ConnectorUnavailable,
    OutcomeUnknown,
    idempotency_key,
)
from runtime.connectors.ledgered import LedgeredConnector
from runtime.connectors.ports import ConnectorTables
from runtime.connectors.registry import open_connector
from runtime.engine import events as ev
from runtime.engine.handoff import unknown_outcome_packet
from runtime.engine.plan import Plan
from runtime.store.audit import Entry
from runtime.store.base import RunStore
from runtime.store.rows import RunRow, TaskRow

UNKNOWN_OPTIONS = ["applied", "resend"]


class InStoreChange:
    """A record change to apply inside the store's transaction for the step (the record
    table shares the store's database): `work` is handed to the store, which calls it with
    its open transaction; `result` is filled in when it ran. Nothing is sent anywhere, so
    the change, the step and their audit rows commit — or roll back — together."""

    def __init__(self, effects: Effects, plan: Plan, run: RunRow, node_id: str, visit: int,
                 changes: dict[str, Any], context: dict[str, Any]) -> None:
        self.effects, self.plan, self.run = effects, plan, run
        self.node_id, self.changes, self.context = node_id, changes, context
        self.key = idempotency_key(run.id, node_id, visit)
        self.result: ApplyResult | None = None

    def work(self, handle: Any) -> list[Entry]:
        connector = self.effects.connector(self.plan)
        self.result = connector.apply_within(handle, self.run.case_id,  # type: ignore[attr-defined]
                                             self.changes, self.key)
        if self.effects.checkpoint is not None:
            self.effects.checkpoint("effect")  # crash drills: written, not yet committed
        self.context["record"] = self.result.after
        return [change_entry(self.run, self.node_id, connector.name, self.key, self.changes,
                             self.result)]

    def announce(self) -> None:
        """Say the change happened (after the commit)."""
        if self.result is not None and self.effects.listening():
            self.effects.emit(ev.RecordChanged(
                run_id=self.run.id, node_id=self.node_id, case_id=self.run.case_id,
                changes=self.changes, idempotency_key=self.key,
                replayed=self.result.replayed))


class Blocked(Exception):
    """The run stopped at an effect; carries the run as it is now."""

    def __init__(self, run: RunRow) -> None:
        super().__init__(run.blocked_reason or "blocked")
        self.run = run


class Effects:
    def __init__(self, store: RunStore, tables: ConnectorTables,
                 emit: Callable[[ev.Event], None],
                 checkpoint: Callable[[str], None] | None = None,
                 listening: Callable[[], bool] = lambda: True) -> None:
        self.store = store
        self.tables = tables
        self.emit = emit
        self.listening = listening
        self.checkpoint = checkpoint
        self._connectors: dict[tuple[str, str], Connector] = {}
        self._prepared: set[tuple[str, int]] = set()
        self._by_plan: dict[int, tuple[Plan, Connector]] = {}

    def apply(self, plan: Plan, run: RunRow, step_id: int, node_id: str, visit: int,
              changes: dict[str, Any], context: dict[str, Any]) -> Entry:
        """Apply `changes`; returns the audit row to write when the step is marked done."""
        self.store.end_unit()  # the connector writes elsewhere: never wait on our lock
        connector = self.connector(plan)
        key = idempotency_key(run.id, node_id, visit)
        try:
            result = connector.apply(run.case_id, changes, key)
        except OutcomeUnknown as exc:
            raise self._unknown(plan, run, step_id, node_id, connector, key, changes,
                                str(exc)) from exc
        except ConnectorUnavailable as exc:
            reason = f"connector unavailable: {exc}"
            blocked = self.store.block_run(run.id, reason)
            self.emit(ev.RunBlocked(run_id=run.id, node_id=node_id, reason=reason))
            raise Blocked(blocked) from exc
        except Exception as exc:  # e.g. http.client.HTTPException: it may have landed
            detail = f"unexpected {type(exc).__name__}: {exc}".strip().rstrip(":")
            raise self._unknown(plan, run, step_id, node_id, connector, key, changes,
                                detail) from exc
        context["record"] = result.after
        self.emit(ev.RecordChanged(run_id=run.id, node_id=node_id, case_id=run.case_id,
                                   changes=changes, idempotency_key=key,
                                   replayed=result.replayed))
        return change_entry(run, node_id, connector.name, key, changes, result)

    def joins_store(self, plan: Plan) -> bool:
        """Whether the flow's connector writes tables in the store's own database, so its
        changes can commit inside the store's transaction for the step."""
        location = self.tables.location
        if location is None or location != self.store.database_path:
            return False
        connector = self.connector(plan)
        if not hasattr(connector, "apply_within"):
            return False
        key = ("prepared", id(connector))
        if key not in self._prepared:
            self.store.end_unit()  # creating its tables takes the write lock
            connector.prepare()  # type: ignore[attr-defined]
            self._prepared.add(key)
        return True

    def in_store(self, plan: Plan, run: RunRow, node_id: str, visit: int,
                 changes: dict[str, Any], context: dict[str, Any]) -> InStoreChange:
        return InStoreChange(self, plan, run, node_id, visit, changes, context)

    def _unknown(self, plan: Plan, run: RunRow, step_id: int, node_id: str,
                 connector: Connector, key: str, changes: dict[str, Any],
                 detail: str) -> Blocked:
        reason = f"record change outcome unknown: {detail}"
        sends = connector.sends(key) if isinstance(connector, LedgeredConnector) else None
        packet = unknown_outcome_packet(plan, node_id, run, self.store.steps(run.id),
                                        connector=connector.name, key=key, changes=changes,
                                        reason=reason, options=UNKNOWN_OPTIONS, sends=sends)
        task_id = self.store.open_task_on_step(step_id, reason=reason, allowed=["choose"],
                                               packet=packet)
        self.emit(ev.RunBlocked(run_id=run.id, node_id=node_id, reason=reason,
                                task_id=task_id))
        return Blocked(self.store.run(run.id))

    def record_answer(self, plan: Plan, task: TaskRow, decision: dict[str, Any]) -> None:
        """Tell the connector what a person said about a change whose outcome was unknown
        (`applied`: never send it again; `resend`: send it again with the same key).

        Called each time the decided step is completed, so a crash between the decision
        and this call loses nothing; the connector ignores an answer about a send that
        has since been repeated (see SendLedger.answer)."""
        self.store.end_unit()
        connector = self.connector(plan)
        asked = task.packet.get("connector") or {}
        if not isinstance(connector, LedgeredConnector) or asked.get("name") != connector.name:
            return
        connector.record_answer(str(asked["idempotency_key"]),
                                landed=decision.get("outcome") == "applied",
                                detail=f"{decision['outcome_checked_by']} said: "
                                       f"{decision.get('outcome')}",
                                sends=asked.get("sends"))

    def connector(self, plan: Plan) -> Connector:
        known = self._by_plan.get(id(plan))
        if known is not None and known[0] is plan:  # per-step work done once per plan
            return known[1]
        connector = self._open(plan)
        self._by_plan[id(plan)] = (plan, connector)
        return connector

    def _open(self, plan: Plan) -> Connector:
        config = plan.flow.connector
        base_dir: Path = plan.loaded.base_dir
        key = (config.model_dump_json(), str(base_dir))
        connector = self._connectors.get(key)
        if connector is None:
            connector = open_connector(config, self.tables, base_dir, plan.flow.record_fields)
            if self.checkpoint is not None and hasattr(connector, "checkpoint"):
                connector.checkpoint = self.checkpoint  # crash tests: "sent" fault point
            self._connectors[key] = connector
        return connector


def change_entry(run: RunRow, node_id: str, connector: str, key: str,
                 changes: dict[str, Any], result: ApplyResult) -> Entry:
    return Entry("record.change", f"connector:{connector}", run_id=run.id, node_id=node_id,
                 subject=run.case_id, before=result.before, after=result.after,
                 flow_sha=run.flow_sha,
                 data={"changes": changes, "idempotency_key": key,
                       "replayed": result.replayed, **result.details})
