"""The runtime's public API: what the CLI, the designer and scripts may use.

Everything else in `runtime` is internal and may change without notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime import diagnostics, secrets, settings
from runtime.cases import read_case, read_cases
from runtime.connectors.ports import ConnectorTables
from runtime.connectors.sqlite_tables import open_sqlite_tables
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
from runtime.engine.human_decision import EditRefused, HumanDecision
from runtime.engine.plan import compile_plan
from runtime.engine.replay import STAGES as AUTONOMY_STAGES
from runtime.engine.replay import ReplayProgress, ReplayRequest, replay, runs_to_replay
from runtime.engine.runner import Engine, case_problems
from runtime.engine.steps import register_executor, unregister_executor
from runtime.engine.task_form import EditableField, TaskForm, TaskForms
from runtime.engine.trial import TrialResult, try_step
from runtime.errors import ConflictError, FlowError, InputError, JunctionError, Problem
from runtime.evaluation.compare_runs import (
    BatchComparison,
    BatchSide,
    NodeRow,
    RunComparison,
    StepSide,
    compare_batches,
    compare_runs,
)
from runtime.evaluation.desk import evaluate as evaluate_flow
from runtime.evaluation.desk import recommend_act_band, stored_results
from runtime.evaluation.measures import Recommendation
from runtime.evaluation.train_node import (
    MIN_NEW_DECISIONS,
    TrainingState,
    train_from_decisions,
    training_state,
)
from runtime.flow.conditions import AllOf, AnyOf, Compare, Condition, Op, describe, evaluate
from runtime.flow.fields import OPS_BY_TYPE, FieldInfo, check_comparison, field_catalog
from runtime.flow.loader import LoadedFlow, dump_flow, load_flow, parse_flow, save_flow
from runtime.flow.schema import (
    FORMAT_VERSION,
    ActionNode,
    AINodeBase,
    AnyNode,
    AssistNode,
    AutonomyStage,
    CaseField,
    ClassifyNode,
    DecisionNode,
    Edge,
    EndNode,
    EnforceNode,
    FieldType,
    Flow,
    Guardrails,
    HumanNode,
    Option,
    Permission,
    RecordField,
    StartNode,
)
from runtime.flow.validate import validate_flow
from runtime.metrics.collect import metrics_for
from runtime.models.choices import ModelChoice, ModelChoices, model_choices
from runtime.models.prompts import assist_messages, classify_messages, enforce_messages
from runtime.models.readiness import OllamaModels, check_readiness, ollama_pulled
from runtime.models.registry import preload_backends as preload_model_backends
from runtime.nodes.references import (
    rename_condition_values,
    renamed_ref,
    renamed_values,
    rewrite_references,
)
from runtime.nodes.registry import key_of as node_type_key
from runtime.nodes.registry import node_types
from runtime.nodes.registry import register as register_node_type
from runtime.nodes.registry import spec as node_type
from runtime.nodes.registry import spec_for as node_type_of
from runtime.nodes.registry import unregister as unregister_node_type
from runtime.nodes.spec import NodeSpec
from runtime.processes import pid_alive
from runtime.reports.run_export import (
    RunReport,
    export_html,
    export_json,
    load_report,
    report_json,
)
from runtime.reports.step_facts import Change, StepFacts, Verdict, step_facts, visible_controls
from runtime.store.base import RunStore
from runtime.store.open import open_store, sqlite_path, store_url
from runtime.store.rows import RunCounts, RunPage, RunQuery, RunRow, StepRow, TaskQuery, TaskRow
from runtime.store.sqlite import SqliteRunStore
from runtime.store.states import RunStatus
from runtime.workspace import database_path, home_dir


@dataclass
class Workspace:
    """One workspace: its folder, its store, the connectors' own tables, and an engine
    over them."""

    home: Path
    store: RunStore
    connectors: ConnectorTables

    @classmethod
    def open(cls, home: str | Path | None = None, store: str | None = None) -> Workspace:
        """The workspace folder `home`; its runs in `store` (a postgresql:// URL or a SQLite
        file; default `JUNCTION_STORE`, else the folder's own SQLite file)."""
        root = home_dir(home)
        url = store_url(store)
        if url is None:
            path = database_path(root)
            return cls(root, SqliteRunStore(path), open_sqlite_tables(path))
        run_store = open_store(url)
        if run_store.workspace_dir is None:  # a server: this machine's folder keeps caches
            run_store.workspace_dir = root
            from runtime.connectors.pg_tables import open_pg_tables
            return cls(root, run_store, open_pg_tables(url))
        return cls(root, run_store, open_sqlite_tables(sqlite_path(url)))

    def engine(self, observers: Sequence[Observer] = (),
               decided_by: str = "cli") -> Engine:
        return Engine(self.store, self.connectors, observers=observers,
                      decided_by=decided_by)

    def close(self) -> None:
        self.connectors.close()
        self.store.close()


def open_run_store(home: str | Path | None = None) -> RunStore:
    """The run store of a workspace alone (read-mostly views need no connectors)."""
    return SqliteRunStore(database_path(home_dir(home)))


__all__ = [
    "AUTONOMY_STAGES",
    "FORMAT_VERSION",
    "MIN_NEW_DECISIONS",
    "OPS_BY_TYPE",
    "AINodeBase",
    "ActionNode",
    "AllOf",
    "AnyNode",
    "AnyOf",
    "AssistNode",
    "AutonomyStage",
    "BatchComparison",
    "BatchSide",
    "CaseField",
    "Change",
    "ClassifyNode",
    "Compare",
    "Condition",
    "ConflictError",
    "DecisionNode",
    "Edge",
    "EditRefused",
    "EditableField",
    "EndNode",
    "EnforceNode",
    "Engine",
    "Event",
    "FieldInfo",
    "FieldType",
    "Flow",
    "FlowError",
    "Guardrails",
    "HumanDecision",
    "HumanNode",
    "InputError",
    "JunctionError",
    "LoadedFlow",
    "ModelChoice",
    "ModelChoices",
    "NodeRow",
    "NodeSpec",
    "Observer",
    "OllamaModels",
    "Op",
    "Option",
    "Permission",
    "Problem",
    "Recommendation",
    "RecordChanged",
    "RecordField",
    "ReplayProgress",
    "ReplayRequest",
    "RunBlocked",
    "RunComparison",
    "RunCounts",
    "RunCreated",
    "RunFinished",
    "RunPage",
    "RunQuery",
    "RunReport",
    "RunRow",
    "RunStarted",
    "RunStatus",
    "RunStore",
    "SqliteRunStore",
    "StartNode",
    "StepFacts",
    "StepFinished",
    "StepRow",
    "StepSide",
    "StepStarted",
    "TaskDecided",
    "TaskForm",
    "TaskForms",
    "TaskQuery",
    "TaskRow",
    "TrainingState",
    "TrialResult",
    "Verdict",
    "Workspace",
    "assist_messages",
    "case_problems",
    "check_comparison",
    "check_readiness",
    "classify_messages",
    "compare_batches",
    "compare_runs",
    "compile_plan",
    "describe",
    "diagnostics",
    "dump_flow",
    "enforce_messages",
    "evaluate",
    "evaluate_flow",
    "export_html",
    "export_json",
    "field_catalog",
    "home_dir",
    "load_flow",
    "load_report",
    "metrics_for",
    "model_choices",
    "node_type",
    "node_type_key",
    "node_type_of",
    "node_types",
    "ollama_pulled",
    "open_run_store",
    "parse_flow",
    "pid_alive",
    "preload_model_backends",
    "read_case",
    "read_cases",
    "recommend_act_band",
    "register_executor",
    "register_node_type",
    "rename_condition_values",
    "renamed_ref",
    "renamed_values",
    "replay",
    "report_json",
    "rewrite_references",
    "runs_to_replay",
    "save_flow",
    "secrets",
    "settings",
    "step_facts",
    "stored_results",
    "train_from_decisions",
    "training_state",
    "try_step",
    "unregister_executor",
    "unregister_node_type",
    "validate_flow",
    "visible_controls",
]
