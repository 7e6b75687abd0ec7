"""Run a labelled dataset through a flow as one resumable batch.

The batch id is derived from the flow *text*, the dataset file, the model and the stage,
so running the same evaluation again continues it (cases with a finished run, or a run
waiting for a person, are not run again) while editing the flow starts a fresh batch.

Cases run one after another: the engine shares one SQLite connection and one loaded model
per process, neither of which may be used from several threads, so `--workers` above 1
is refused with that reason rather than faked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.engine.plan import Plan
from runtime.engine.runner import Engine, check_case
from runtime.errors import InputError
from runtime.evaluation.evidence import EVAL_BATCH_PREFIX
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import ClassifyNode
from runtime.jsonl import read_objects
from runtime.store.base import RunStore
from runtime.store.rows import RunRow

EXPECTATION_KEYS = ("expected", "expected_outcome", "expected_record")


@dataclass(frozen=True)
class LabelledCase:
    """A dataset line: the case as the flow sees it, and what should come out of it."""

    line: int
    case: dict[str, Any]
    expected: dict[str, str]
    expected_outcome: str | None = None
    expected_record: dict[str, Any] | None = None

    @property
    def case_id(self) -> str:
        return str(self.case["id"])


def read_labelled(path: Path, plan: Plan) -> list[LabelledCase]:
    """Every case of the dataset, checked against the flow; all problems at once, each
    naming the file and line."""
    rows = read_objects(path, "dataset file", _line_problem)
    classify = {n.id: [o.name for o in n.options] for n in plan.flow.nodes
                if isinstance(n, ClassifyNode)}
    outcomes = {getattr(n, "outcome", None) for n in plan.flow.nodes if n.kind == "end"}
    records = {f.name for f in plan.flow.record_fields}
    problems: list[str] = []
    cases: list[LabelledCase] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        where = f"{path}:{number}"
        case = {k: v for k, v in row.items() if k not in EXPECTATION_KEYS}
        try:
            check_case(plan, case)
        except InputError as exc:
            problems.append(f"{where}: {exc}")
            continue
        case_id = str(case["id"])
        if case_id in seen:
            problems.append(f"{where}: case id '{case_id}' appears twice "
                            f"(first on line {seen[case_id]})")
            continue
        seen[case_id] = number
        expected = row.get("expected") or {}
        for node_id, label in expected.items():
            if node_id not in classify:
                problems.append(f"{where}: expected.{node_id}: the flow has no classify "
                                f"node '{node_id}' (it has: {', '.join(classify) or 'none'})")
            elif label not in classify[node_id]:
                problems.append(f"{where}: expected.{node_id}: '{label}' is not one of its "
                                f"options ({', '.join(classify[node_id])})")
        outcome = row.get("expected_outcome")
        if outcome is not None and outcome not in outcomes:
            problems.append(f"{where}: expected_outcome: '{outcome}' is not an outcome of "
                            f"the flow's end nodes ({', '.join(sorted(map(str, outcomes)))})")
        record = row.get("expected_record")
        for name in sorted(set(record or {}) - records):
            problems.append(f"{where}: expected_record.{name}: not a record field of the flow")
        cases.append(LabelledCase(number, case, dict(expected), outcome, record))
    if problems:
        raise InputError("\n".join(problems))
    if not cases:
        raise InputError(f"{path}: no cases in the dataset")
    return cases


def _line_problem(value: Any) -> str | None:
    if not isinstance(value, dict) or "id" not in value:
        return "each line must be a case object with an 'id'"
    for key, kind in (("expected", dict), ("expected_record", dict), ("expected_outcome", str)):
        if key in value and not isinstance(value[key], kind):
            return f"'{key}' must be {'an object' if kind is dict else 'a string'}"
    if not any(value.get(k) for k in EXPECTATION_KEYS):  # an empty {} labels nothing
        return ("a labelled case needs 'expected' ({\"NODE\": \"OPTION\"}), "
                "'expected_outcome' or 'expected_record'")
    return None


def eval_batch_id(loaded: LoadedFlow, dataset: Path, model: str | None,
                  autonomy: str | None) -> str:
    """Same flow text, dataset, model and stage → same batch (so it resumes)."""
    digest = hashlib.sha256(dataset.read_bytes()).hexdigest()
    key = f"{loaded.sha256}|{digest}|{model or ''}|{autonomy or ''}"
    return EVAL_BATCH_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass
class DatasetRun:
    batch_id: str
    runs: dict[str, RunRow] = field(default_factory=dict)  # case id → run
    already_done: int = 0
    ran: int = 0
    not_run: list[str] = field(default_factory=list)  # stopped by the model-call cap
    model_calls: int = 0


def run_dataset(engine: Engine, loaded: LoadedFlow, cases: list[LabelledCase], batch_id: str,
                *, model: str | None = None, autonomy: str | None = None,
                max_calls: int | None = None,
                on_case: Callable[[LabelledCase, RunRow], None] | None = None) -> DatasetRun:
    """Run each case into the batch unless it already finished there; stop starting new
    cases once `max_calls` model calls were made in this invocation."""
    store = engine.store
    result = DatasetRun(batch_id)
    existing = {r.case_id: r for r in store.runs(batch_id=batch_id)}
    for item in cases:
        run = existing.get(item.case_id)
        if run is not None and _settled(store, run):
            result.already_done += 1
        elif max_calls is not None and result.model_calls >= max_calls:
            result.not_run.append(item.case_id)
            continue
        else:
            if run is None:
                run, _ = engine.create(loaded, item.case, batch_id=batch_id,
                                       autonomy=autonomy, model=model)
            before = model_calls_of(store, run.id)
            run = engine.drive(run.id)
            result.model_calls += model_calls_of(store, run.id) - before
            result.ran += 1
        result.runs[item.case_id] = run
        if on_case is not None:
            on_case(item, run)
    return result


def _settled(store: RunStore, run: RunRow) -> bool:
    """Finished, or waiting for a person: running it again would change nothing."""
    return run.status.terminal or (run.status.value == "blocked"
                                   and bool(store.tasks(run_id=run.id)))


def model_calls_of(store: RunStore, run_id: str) -> int:
    return sum(store.model_calls(run_id, node) for node in
               {s.node_id for s in store.steps(run_id) if s.model_call})
