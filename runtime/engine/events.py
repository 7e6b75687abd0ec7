"""Typed events the engine emits. The store journals them first; then observers
(the CLI printer, the GUI's worker bridge, metrics) see them. Fields are keyword-only so
adding one never breaks an observer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, kw_only=True)
class Event:
    run_id: str


@dataclass(frozen=True, kw_only=True)
class RunCreated(Event):
    case_id: str
    flow_name: str
    flow_sha: str


@dataclass(frozen=True, kw_only=True)
class RunStarted(Event):
    resumed: bool = False


@dataclass(frozen=True, kw_only=True)
class StepStarted(Event):
    node_id: str
    kind: str
    visit: int


@dataclass(frozen=True, kw_only=True)
class StepFinished(Event):
    node_id: str
    kind: str
    visit: int
    status: str
    summary: str
    next_node: str | None = None
    duration_ms: float = 0.0


@dataclass(frozen=True, kw_only=True)
class RecordChanged(Event):
    node_id: str
    case_id: str
    changes: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""
    replayed: bool = False


@dataclass(frozen=True, kw_only=True)
class RunBlocked(Event):
    node_id: str
    reason: str
    task_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class TaskDecided(Event):
    task_id: str
    node_id: str
    decision: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RunFinished(Event):
    status: str
    outcome: str | None = None
    error: str | None = None


class Observer(Protocol):
    def on_event(self, event: Event) -> None: ...
