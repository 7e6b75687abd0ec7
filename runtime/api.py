"""The runtime's public API: what the CLI, the designer and scripts may use.

Everything else in `runtime` is internal and may change without notice.

Names are imported when first used (PEP 562 module `__getattr__`): importing this module
costs nothing, and `from runtime.api import Flow` loads the flow schema alone, not the
engine, the stores, networkx, httpx and keyring with it. The designer's window used to
wait ~1 s (seconds under load) for all of them before it could show. Type checkers and
import-linter read the same names from the `TYPE_CHECKING` imports below; a test checks
that those imports and `_LAZY` name the same things.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runtime import diagnostics, secrets, settings
    from runtime.cases import read_case, read_cases
    from runtime.connectors.ports import ConnectorTables
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
    from runtime.flow.yamlio import parse as parse_yaml
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
    from runtime.store.rows import RunCounts, RunPage, RunQuery, RunRow, StepRow, TaskQuery, TaskRow
    from runtime.store.sqlite import SqliteRunStore
    from runtime.store.states import RunStatus
    from runtime.team.dispatch import TeamQueue, decide_and_enqueue, team_queue
    from runtime.workspace import home_dir

# name → (module, attribute in it; None: the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    'diagnostics': ('runtime.diagnostics', None),
    'secrets': ('runtime.secrets', None),
    'settings': ('runtime.settings', None),
    'read_case': ('runtime.cases', 'read_case'),
    'read_cases': ('runtime.cases', 'read_cases'),
    'ConnectorTables': ('runtime.connectors.ports', 'ConnectorTables'),
    'Event': ('runtime.engine.events', 'Event'),
    'Observer': ('runtime.engine.events', 'Observer'),
    'RecordChanged': ('runtime.engine.events', 'RecordChanged'),
    'RunBlocked': ('runtime.engine.events', 'RunBlocked'),
    'RunCreated': ('runtime.engine.events', 'RunCreated'),
    'RunFinished': ('runtime.engine.events', 'RunFinished'),
    'RunStarted': ('runtime.engine.events', 'RunStarted'),
    'StepFinished': ('runtime.engine.events', 'StepFinished'),
    'StepStarted': ('runtime.engine.events', 'StepStarted'),
    'TaskDecided': ('runtime.engine.events', 'TaskDecided'),
    'EditRefused': ('runtime.engine.human_decision', 'EditRefused'),
    'HumanDecision': ('runtime.engine.human_decision', 'HumanDecision'),
    'compile_plan': ('runtime.engine.plan', 'compile_plan'),
    'AUTONOMY_STAGES': ('runtime.engine.replay', 'STAGES'),
    'ReplayProgress': ('runtime.engine.replay', 'ReplayProgress'),
    'ReplayRequest': ('runtime.engine.replay', 'ReplayRequest'),
    'replay': ('runtime.engine.replay', 'replay'),
    'runs_to_replay': ('runtime.engine.replay', 'runs_to_replay'),
    'Engine': ('runtime.engine.runner', 'Engine'),
    'case_problems': ('runtime.engine.runner', 'case_problems'),
    'register_executor': ('runtime.engine.steps', 'register_executor'),
    'unregister_executor': ('runtime.engine.steps', 'unregister_executor'),
    'EditableField': ('runtime.engine.task_form', 'EditableField'),
    'TaskForm': ('runtime.engine.task_form', 'TaskForm'),
    'TaskForms': ('runtime.engine.task_form', 'TaskForms'),
    'TrialResult': ('runtime.engine.trial', 'TrialResult'),
    'try_step': ('runtime.engine.trial', 'try_step'),
    'ConflictError': ('runtime.errors', 'ConflictError'),
    'FlowError': ('runtime.errors', 'FlowError'),
    'InputError': ('runtime.errors', 'InputError'),
    'JunctionError': ('runtime.errors', 'JunctionError'),
    'Problem': ('runtime.errors', 'Problem'),
    'BatchComparison': ('runtime.evaluation.compare_runs', 'BatchComparison'),
    'BatchSide': ('runtime.evaluation.compare_runs', 'BatchSide'),
    'NodeRow': ('runtime.evaluation.compare_runs', 'NodeRow'),
    'RunComparison': ('runtime.evaluation.compare_runs', 'RunComparison'),
    'StepSide': ('runtime.evaluation.compare_runs', 'StepSide'),
    'compare_batches': ('runtime.evaluation.compare_runs', 'compare_batches'),
    'compare_runs': ('runtime.evaluation.compare_runs', 'compare_runs'),
    'evaluate_flow': ('runtime.evaluation.desk', 'evaluate'),
    'recommend_act_band': ('runtime.evaluation.desk', 'recommend_act_band'),
    'stored_results': ('runtime.evaluation.desk', 'stored_results'),
    'Recommendation': ('runtime.evaluation.measures', 'Recommendation'),
    'MIN_NEW_DECISIONS': ('runtime.evaluation.train_node', 'MIN_NEW_DECISIONS'),
    'TrainingState': ('runtime.evaluation.train_node', 'TrainingState'),
    'train_from_decisions': ('runtime.evaluation.train_node', 'train_from_decisions'),
    'training_state': ('runtime.evaluation.train_node', 'training_state'),
    'AllOf': ('runtime.flow.conditions', 'AllOf'),
    'AnyOf': ('runtime.flow.conditions', 'AnyOf'),
    'Compare': ('runtime.flow.conditions', 'Compare'),
    'Condition': ('runtime.flow.conditions', 'Condition'),
    'Op': ('runtime.flow.conditions', 'Op'),
    'describe': ('runtime.flow.conditions', 'describe'),
    'evaluate': ('runtime.flow.conditions', 'evaluate'),
    'OPS_BY_TYPE': ('runtime.flow.fields', 'OPS_BY_TYPE'),
    'FieldInfo': ('runtime.flow.fields', 'FieldInfo'),
    'check_comparison': ('runtime.flow.fields', 'check_comparison'),
    'field_catalog': ('runtime.flow.fields', 'field_catalog'),
    'LoadedFlow': ('runtime.flow.loader', 'LoadedFlow'),
    'dump_flow': ('runtime.flow.loader', 'dump_flow'),
    'load_flow': ('runtime.flow.loader', 'load_flow'),
    'parse_flow': ('runtime.flow.loader', 'parse_flow'),
    'save_flow': ('runtime.flow.loader', 'save_flow'),
    'FORMAT_VERSION': ('runtime.flow.schema', 'FORMAT_VERSION'),
    'ActionNode': ('runtime.flow.schema', 'ActionNode'),
    'AINodeBase': ('runtime.flow.schema', 'AINodeBase'),
    'AnyNode': ('runtime.flow.schema', 'AnyNode'),
    'AssistNode': ('runtime.flow.schema', 'AssistNode'),
    'AutonomyStage': ('runtime.flow.schema', 'AutonomyStage'),
    'CaseField': ('runtime.flow.schema', 'CaseField'),
    'ClassifyNode': ('runtime.flow.schema', 'ClassifyNode'),
    'DecisionNode': ('runtime.flow.schema', 'DecisionNode'),
    'Edge': ('runtime.flow.schema', 'Edge'),
    'EndNode': ('runtime.flow.schema', 'EndNode'),
    'EnforceNode': ('runtime.flow.schema', 'EnforceNode'),
    'FieldType': ('runtime.flow.schema', 'FieldType'),
    'Flow': ('runtime.flow.schema', 'Flow'),
    'Guardrails': ('runtime.flow.schema', 'Guardrails'),
    'HumanNode': ('runtime.flow.schema', 'HumanNode'),
    'Option': ('runtime.flow.schema', 'Option'),
    'Permission': ('runtime.flow.schema', 'Permission'),
    'RecordField': ('runtime.flow.schema', 'RecordField'),
    'StartNode': ('runtime.flow.schema', 'StartNode'),
    'validate_flow': ('runtime.flow.validate', 'validate_flow'),
    'parse_yaml': ('runtime.flow.yamlio', 'parse'),
    'metrics_for': ('runtime.metrics.collect', 'metrics_for'),
    'assist_messages': ('runtime.models.prompts', 'assist_messages'),
    'classify_messages': ('runtime.models.prompts', 'classify_messages'),
    'enforce_messages': ('runtime.models.prompts', 'enforce_messages'),
    'ModelChoice': ('runtime.models.choices', 'ModelChoice'),
    'ModelChoices': ('runtime.models.choices', 'ModelChoices'),
    'model_choices': ('runtime.models.choices', 'model_choices'),
    'OllamaModels': ('runtime.models.readiness', 'OllamaModels'),
    'check_readiness': ('runtime.models.readiness', 'check_readiness'),
    'ollama_pulled': ('runtime.models.readiness', 'ollama_pulled'),
    'preload_model_backends': ('runtime.models.registry', 'preload_backends'),
    'rename_condition_values': ('runtime.nodes.references', 'rename_condition_values'),
    'renamed_ref': ('runtime.nodes.references', 'renamed_ref'),
    'renamed_values': ('runtime.nodes.references', 'renamed_values'),
    'rewrite_references': ('runtime.nodes.references', 'rewrite_references'),
    'node_type_key': ('runtime.nodes.registry', 'key_of'),
    'node_types': ('runtime.nodes.registry', 'node_types'),
    'register_node_type': ('runtime.nodes.registry', 'register'),
    'node_type': ('runtime.nodes.registry', 'spec'),
    'node_type_of': ('runtime.nodes.registry', 'spec_for'),
    'unregister_node_type': ('runtime.nodes.registry', 'unregister'),
    'NodeSpec': ('runtime.nodes.spec', 'NodeSpec'),
    'pid_alive': ('runtime.processes', 'pid_alive'),
    'RunReport': ('runtime.reports.run_export', 'RunReport'),
    'export_html': ('runtime.reports.run_export', 'export_html'),
    'export_json': ('runtime.reports.run_export', 'export_json'),
    'load_report': ('runtime.reports.run_export', 'load_report'),
    'report_json': ('runtime.reports.run_export', 'report_json'),
    'Change': ('runtime.reports.step_facts', 'Change'),
    'StepFacts': ('runtime.reports.step_facts', 'StepFacts'),
    'Verdict': ('runtime.reports.step_facts', 'Verdict'),
    'step_facts': ('runtime.reports.step_facts', 'step_facts'),
    'visible_controls': ('runtime.reports.step_facts', 'visible_controls'),
    'RunStore': ('runtime.store.base', 'RunStore'),
    'RunCounts': ('runtime.store.rows', 'RunCounts'),
    'RunPage': ('runtime.store.rows', 'RunPage'),
    'RunQuery': ('runtime.store.rows', 'RunQuery'),
    'RunRow': ('runtime.store.rows', 'RunRow'),
    'StepRow': ('runtime.store.rows', 'StepRow'),
    'TaskQuery': ('runtime.store.rows', 'TaskQuery'),
    'TaskRow': ('runtime.store.rows', 'TaskRow'),
    'SqliteRunStore': ('runtime.store.sqlite', 'SqliteRunStore'),
    'RunStatus': ('runtime.store.states', 'RunStatus'),
    'TeamQueue': ('runtime.team.dispatch', 'TeamQueue'),
    'decide_and_enqueue': ('runtime.team.dispatch', 'decide_and_enqueue'),
    'team_queue': ('runtime.team.dispatch', 'team_queue'),
    'home_dir': ('runtime.workspace', 'home_dir'),
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it (later uses are plain lookups)."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'runtime.api' has no attribute {name!r}") from None
    loaded = importlib.import_module(module)
    value = loaded if attribute is None else getattr(loaded, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
        file; default `JUNCTION_STORE`, else the settings file's `workspace.store`, else the
        folder's own SQLite file)."""
        from runtime.connectors.sqlite_tables import open_sqlite_tables
        from runtime.store.open import sqlite_path, store_url
        from runtime.urls import is_postgres_url
        from runtime.workspace import database_path, home_dir

        root = home_dir(home)
        url = store_url(store)
        run_store = _run_store(root, url)
        if url is not None and is_postgres_url(url):
            from runtime.connectors.pg_tables import open_pg_tables
            return cls(root, run_store, open_pg_tables(url))
        return cls(root, run_store, open_sqlite_tables(
            database_path(root) if url is None else sqlite_path(url)))

    def engine(self, observers: Sequence[Observer] = (),
               decided_by: str = "cli") -> Engine:
        from runtime.engine.runner import Engine

        return Engine(self.store, self.connectors, observers=observers,
                      decided_by=decided_by)

    def close(self) -> None:
        self.connectors.close()
        self.store.close()


def open_run_store(home: str | Path | None = None) -> RunStore:
    """The run store of a workspace alone (read-mostly views need no connectors): the
    team store when one is chosen (`JUNCTION_STORE`, the settings file), so the inspector
    shows the team's runs, else the folder's own SQLite file."""
    from runtime.store.open import store_url
    from runtime.workspace import home_dir

    return _run_store(home_dir(home), store_url(None))


def _run_store(root: Path, url: str | None) -> RunStore:
    from runtime.store.open import open_store
    from runtime.store.sqlite import SqliteRunStore
    from runtime.workspace import database_path

    if url is None:
        return SqliteRunStore(database_path(root))
    run_store = open_store(url)
    if run_store.workspace_dir is None:  # a server: this machine's folder keeps caches
        run_store.workspace_dir = root
    return run_store


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
    "TeamQueue",
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
    "decide_and_enqueue",
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
    "parse_yaml",
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
    "team_queue",
    "train_from_decisions",
    "training_state",
    "try_step",
    "unregister_executor",
    "unregister_node_type",
    "validate_flow",
    "visible_controls",
]
