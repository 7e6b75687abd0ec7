"""Evaluation and metrics for a caller that is not the command line (the designer).

Each function takes the workspace folder and opens its own store: the designer calls them
from a worker thread, and a SQLite connection belongs to the thread that opened it.
`evaluate` is a generator — it yields (cases done, cases in all) as each case settles and
returns the result (the same dict `junction eval` writes as result.json) — so the caller
can show progress and stop between cases; finished cases are kept in their batch, so an
evaluation started again continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime.connectors.sqlite_tables import open_sqlite_tables
from runtime.engine.plan import compile_plan
from runtime.engine.runner import Engine
from runtime.evaluation import measures
from runtime.evaluation.dataset_run import eval_batch_id, read_labelled, run_dataset
from runtime.evaluation.evidence import run_facts
from runtime.evaluation.result import build_result
from runtime.flow.loader import LoadedFlow
from runtime.store.sqlite import SqliteRunStore
from runtime.workspace import database_path

Progress = tuple[int, int]


def evaluate(home: Path, loaded: LoadedFlow, dataset: Path, *, model: str | None = None,
             autonomy: str | None = None,
             stop: Callable[[], bool] = lambda: False) -> Generator[Progress, None,
                                                                      dict[str, Any]]:
    """Run the dataset's cases through the flow (an evaluation batch) and build the result;
    the result is also saved under the workspace's evaluations folder, where
    `junction readiness` and `stored_results` find it."""
    cases = read_labelled(dataset, compile_plan(loaded))
    store = SqliteRunStore(database_path(home))
    tables = open_sqlite_tables(database_path(home))
    try:
        engine = Engine(store, tables, decided_by="designer-eval")
        batch_id = eval_batch_id(loaded, dataset, model, autonomy)
        total = len(cases)
        yield 0, total
        runs: dict[str, Any] = {}
        not_run: list[str] = []
        for index, item in enumerate(cases):
            if stop():
                not_run = [c.case_id for c in cases[index:]]
                break
            one = run_dataset(engine, loaded, [item], batch_id, model=model,
                              autonomy=autonomy)
            runs.update(one.runs)
            yield index + 1, total
        facts = {case_id: run_facts(store, run) for case_id, run in runs.items()}
        digest = hashlib.sha256(dataset.read_bytes()).hexdigest()
        result = build_result(loaded, str(dataset), digest, batch_id,
                              [c for c in cases if c.case_id in runs], facts, model=model,
                              autonomy=autonomy, not_run=not_run,
                              generated_at=datetime.now(UTC).isoformat(timespec="seconds"))
    finally:
        tables.close()
        store.close()
    folder = home / "evaluations" / batch_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return result


def stored_results(home: Path, flow_path: Path) -> list[dict[str, Any]]:
    """Saved evaluation results of this flow file in the workspace, oldest first."""
    where = str(flow_path.resolve())
    found = []
    for path in sorted((home / "evaluations").glob("*/result.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and (data.get("flow") or {}).get("path") == where:
            found.append(data)
    return sorted(found, key=lambda d: str(d.get("generated_at")))


def recommend_act_band(result: dict[str, Any], node_id: str, target: float,
                       min_cases: int = 30) -> measures.Recommendation:
    """The lowest act band meeting `target` precision on this evaluation's answers."""
    rows = [measures.Prediction(c["answers"][node_id]["label"],
                                c["answers"][node_id]["confidence"], c["expected"][node_id])
            for c in result.get("per_case", [])
            if node_id in c.get("expected", {}) and node_id in c.get("answers", {})]
    return measures.recommend_band(rows, target, min_cases)
