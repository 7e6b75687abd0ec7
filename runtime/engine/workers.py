"""Running the cases of a batch on several threads, where the models allow it.

A batch with real models waits on the model, not on the engine: several cases in flight
keep a model server busy. Each worker thread has its own engine and its own store
connection (SQLite connections are not shared between threads); the store stays
consistent because every write is a short `BEGIN IMMEDIATE` transaction and the engine
never holds the write lock while a model thinks (see Engine.unit_of_work), so the workers
take turns at the lock and overlap on the model calls.

Whether threads help is a property of the models the flow uses: a model server (Ollama)
answers several requests at once and the scripted model answers from memory, but a
llama.cpp model or an embedding model is one object in this process that must not be
called from two threads at once, so such a batch runs on one worker and says why.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from runtime.engine.plan import Plan
from runtime.engine.runner import DEFAULT_MODEL, Engine, embedding_model_for
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import AINodeBase
from runtime.models.registry import split_ref
from runtime.settings import role_default
from runtime.store.rows import RunRow

#: Model kinds whose calls may overlap: a server that queues requests itself, or answers
#: kept in memory.
CONCURRENT_KINDS = frozenset({"ollama", "scripted"})


@dataclass(frozen=True)
class WorkerPlan:
    workers: int
    why: str


def plan_workers(plan: Plan, requested: int, model: str | None) -> WorkerPlan:
    """How many workers a batch of this flow may use, and a sentence saying why."""
    if requested <= 1:
        return WorkerPlan(1, "1 worker (as asked)")
    kinds = sorted(model_kinds(plan, model))
    single = [kind for kind in kinds if kind not in CONCURRENT_KINDS]
    if single:
        return WorkerPlan(1, f"1 worker: {', '.join(single)} models run one call at a time "
                             f"in this process (asked for {requested})")
    uses = ", ".join(kinds) or "no model"
    return WorkerPlan(requested, f"{requested} threads ({uses}: calls may overlap; "
                                 "the store takes one short write at a time)")


def model_kinds(plan: Plan, model: str | None) -> set[str]:
    """The kinds of model (`ollama`, `llamacpp`, …) the flow's AI nodes would call."""
    kinds: set[str] = set()
    scripted_override = model is not None and model.startswith("scripted")
    for node in plan.nodes.values():
        if not isinstance(node, AINodeBase):
            continue
        embedding = embedding_model_for(node, plan)
        if embedding and not scripted_override:
            kinds.add("embedding:" + split_ref(embedding)[0])
            continue
        ref = (model or getattr(node, "model", None) or plan.flow.default_model
               or role_default(node) or DEFAULT_MODEL)
        kinds.add(split_ref(ref)[0])
    return kinds


def run_concurrently(open_engine: Callable[[], tuple[Engine, Callable[[], None]]],
                     loaded: LoadedFlow, cases: Iterable[dict[str, Any]], *, batch_id: str,
                     workers: int, autonomy: str | None = None, model: str | None = None,
                     on_run: Callable[[RunRow, bool], None] | None = None) -> list[RunRow]:
    """Run the cases on `workers` threads, each with an engine from `open_engine` (which
    returns the engine and how to close what it opened). Results keep the cases' order."""
    todo: queue.Queue[tuple[int, dict[str, Any]]] = queue.Queue()
    items = list(cases)
    for index, case in enumerate(items):
        todo.put((index, case))
    results: list[RunRow | None] = [None] * len(items)
    errors: list[BaseException] = []
    report = threading.Lock()

    def heard(run: RunRow, ran: bool) -> None:
        if on_run is not None:
            with report:
                on_run(run, ran)

    def work() -> None:
        engine, close = open_engine()
        try:
            while not errors:
                try:
                    index, case = todo.get_nowait()
                except queue.Empty:
                    return
                # one case per unit: a worker holds the write lock only briefly
                [run] = engine.run_batch(loaded, [case], batch_id=batch_id,
                                         autonomy=autonomy, model=model, on_run=heard)
                results[index] = run
        except BaseException as exc:  # surfaced in the calling thread
            errors.append(exc)
        finally:
            close()

    threads = [threading.Thread(target=work, name=f"junction-worker-{n}", daemon=True)
               for n in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [run for run in results if run is not None]
