"""The runtime's public API: what the CLI, the designer and scripts may use.

Everything else in `runtime` is internal and may change without notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime import diagnostics, secrets, settings
from runtime.engine.decisions import HumanDecision
from runtime.engine.events import (
    Event,
    Observer,
    RecordChanged,
    RunBlocked,
    RunCreated,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    TaskDecided,
)
from runtime.engine.plan import compile_plan
from runtime.engine.runner import Engine
from runtime.engine.states import RunStatus
from runtime.errors import ConflictError, FlowError, InputError, JunctionError, Problem
from runtime.flow.conditions import Condition, describe, evaluate
from runtime.flow.fields import OPS_BY_TYPE, FieldInfo, check_comparison, field_catalog
from runtime.flow.loader import LoadedFlow, dump_flow, load_flow, parse_flow, save_flow
from runtime.flow.schema import FORMAT_VERSION, Flow
from runtime.flow.validate import validate_flow
from runtime.models.prompts import assist_messages, classify_messages, enforce_messages
from runtime.processes import pid_alive
from runtime.store.runs import RunRow, RunStore, StepRow, TaskRow
from runtime.workspace import database_path, home_dir


@dataclass
class Workspace:
    """One workspace: its folder, its store and an engine over it."""

    home: Path
    store: RunStore

    @classmethod
    def open(cls, home: str | Path | None = None) -> Workspace:
        root = home_dir(home)
        return cls(root, RunStore(database_path(root)))

    def engine(self, observers: Sequence[Observer] = (),
               decided_by: str = "cli") -> Engine:
        return Engine(self.store, observers=observers, decided_by=decided_by)

    def close(self) -> None:
        self.store.close()


__all__ = [
    "FORMAT_VERSION",
    "OPS_BY_TYPE",
    "Condition",
    "ConflictError",
    "Engine",
    "Event",
    "FieldInfo",
    "Flow",
    "FlowError",
    "HumanDecision",
    "InputError",
    "JunctionError",
    "LoadedFlow",
    "Observer",
    "Problem",
    "RecordChanged",
    "RunBlocked",
    "RunCreated",
    "RunFinished",
    "RunRow",
    "RunStarted",
    "RunStatus",
    "RunStore",
    "StepFinished",
    "StepRow",
    "StepStarted",
    "TaskDecided",
    "TaskRow",
    "Workspace",
    "assist_messages",
    "check_comparison",
    "classify_messages",
    "compile_plan",
    "describe",
    "diagnostics",
    "dump_flow",
    "enforce_messages",
    "evaluate",
    "field_catalog",
    "home_dir",
    "load_flow",
    "parse_flow",
    "pid_alive",
    "save_flow",
    "secrets",
    "settings",
    "validate_flow",
]
