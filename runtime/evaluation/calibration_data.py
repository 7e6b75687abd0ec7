"""Where calibration's labelled scores come from, and where the fitted value goes.

Two sources of truth about the right answer:

- a **dataset**: a JSON-lines file of cases, each with the flow's case fields plus
  `expected: {NODE_ID: OPTION}` (the same file later serves batch evaluation);
- **people's decisions**: classify steps a person decided (observe mode, or low
  confidence in any mode). Their stored similarities are refitted as they are — nothing
  is re-embedded — so this works long after the runs finished.

The fitted temperature is written back with `save_flow`, so the file stays canonical and
its diff is exactly one `temperature:` line per node.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from runtime.engine.plan import Plan
from runtime.engine.runner import check_case, embedding_model_for
from runtime.errors import InputError
from runtime.evaluation.calibration import LabelledScores
from runtime.flow.loader import LoadedFlow, load_flow, save_flow
from runtime.flow.schema import ClassifyNode
from runtime.jsonl import read_objects
from runtime.models import prompts, registry
from runtime.models.base import ChooseRequest, OptionSpec
from runtime.store.base import RunStore


@dataclass(frozen=True)
class Target:
    """A classify node that can be calibrated: `model` is its embedding model, or — for
    `kind == "llm"` — the generative model whose option log-probabilities are tempered."""

    node: ClassifyNode
    model: str
    kind: str = "embeddings"


def targets(plan: Plan, node_id: str | None = None, *,
            include_llm: bool = False) -> list[Target]:
    """The flow's embedding classify nodes — and with `include_llm` its generative ones —
    or the one asked for, checked."""
    found = []
    for node in plan.flow.nodes:
        if not isinstance(node, ClassifyNode) or node_id not in (None, node.id):
            continue
        model = embedding_model_for(node, plan)
        if model is not None:
            found.append(Target(node, model))
        elif include_llm:
            found.append(Target(node, generative_model(plan, node), "llm"))
        elif node_id is not None:
            raise InputError(f"node '{node_id}' does not use the embeddings method (set "
                             "`method: embeddings` and an `embedding_model`)")
    if node_id is not None and not found:
        raise InputError(f"the flow has no classify node '{node_id}'")
    if not found and include_llm:
        raise InputError("the flow has no classify node")
    if not found:
        raise InputError("the flow has no classify node that uses the embeddings method; "
                         "only those have a temperature to calibrate")
    return found


def generative_model(plan: Plan, node: ClassifyNode) -> str:
    from runtime.engine.runner import DEFAULT_MODEL

    return node.model or plan.flow.default_model or DEFAULT_MODEL


# -- from a dataset ------------------------------------------------------------

def read_dataset(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, case) for every case; every malformed line is reported at once."""
    return read_objects(path, "dataset file", _dataset_problem)


def _dataset_problem(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("expected"), dict):
        return ("each line is a case object with an 'expected' object, e.g. "
                '{"id": "D-1", "message": "…", "expected": {"intake": "refund"}}')
    return None


def scores_from_dataset(plan: Plan, target: Target, path: Path,
                        rows: list[tuple[int, dict[str, Any]]]) -> LabelledScores:
    """Score every case that names an expected option for this node."""
    provider = registry.resolve_embedding(target.model, plan.loaded.base_dir)
    score = getattr(provider, "score", None)
    if score is None:
        raise InputError(f"embedding model '{target.model}' cannot report similarities")
    node = target.node
    names = [o.name for o in node.options]
    options = [OptionSpec(name=o.name, description=o.description, examples=o.examples)
               for o in node.options]
    matrix, labels, ids = [], [], []
    for case_id, text, expected in _labelled_cases(plan, node, path, rows):
        similarities = score(text, options).similarities
        matrix.append([similarities[n] for n in names])
        labels.append(names.index(expected))
        ids.append(case_id)
    return _labelled(names, matrix, labels, ids)


def logprob_scores_from_dataset(plan: Plan, target: Target, path: Path,
                                rows: list[tuple[int, dict[str, Any]]]) -> LabelledScores:
    """Ask the generative model every labelled case, as a run would, and keep the log of
    its measured option probabilities (before any temperature)."""
    provider = registry.resolve(target.model, plan.loaded.base_dir)
    node = target.node
    names = [o.name for o in node.options]
    options = [OptionSpec(name=o.name, description=o.description, examples=o.examples)
               for o in node.options]
    matrix, labels, ids = [], [], []
    for case_id, text, expected in _labelled_cases(plan, node, path, rows):
        result = provider.choose(ChooseRequest(
            node_id=node.id, case_id=case_id, text=text, options=options, method="llm",
            messages=prompts.classify_messages(node, text)))
        if result.call.confidence_kind != "measured":
            raise InputError(f"node '{node.id}': '{target.model}' gives "
                             f"{result.call.confidence_kind} confidence, not measured option "
                             "probabilities; there is no temperature to calibrate")
        matrix.append(_logs(result.probabilities, names))
        labels.append(names.index(expected))
        ids.append(case_id)
    return _labelled(names, matrix, labels, ids)


def _labelled_cases(plan: Plan, node: ClassifyNode, path: Path,
                    rows: list[tuple[int, dict[str, Any]]]) -> Iterator[tuple[str, str, str]]:
    """(case id, the text the node reads, expected option) for every dataset row that names
    an expected option for `node`; a bad row is an error naming its line."""
    names = [o.name for o in node.options]
    for number, row in rows:
        expected = row["expected"].get(node.id)
        if expected is None:
            continue
        if expected not in names:
            raise InputError(f"{path}:{number}: expected '{expected}' for node '{node.id}' "
                             f"is not one of its options ({', '.join(names)})")
        case = {k: v for k, v in row.items() if k != "expected"}
        try:
            case_id = check_case(plan, case)
        except InputError as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
        yield case_id, prompts.case_text(node, plan.flow, case), expected


def _logs(probabilities: dict[str, Any], names: list[str]) -> list[float]:
    return [math.log(max(float(probabilities.get(n, 0.0)), 1e-12)) for n in names]


# -- from people's decisions -----------------------------------------------------

def scores_from_decisions(store: RunStore, loaded: LoadedFlow,
                          target: Target) -> LabelledScores:
    """Classify steps of this flow file a person decided, with the similarities the node
    computed at the time; steps whose options no longer match the flow are skipped."""
    where = str(loaded.path.resolve()) if loaded.path else None
    names = [o.name for o in target.node.options]
    matrix, labels, ids = [], [], []
    for run in store.runs():
        if where is None or run.flow_path != where:
            continue
        for step in store.steps(run.id):
            label, similarities = _human_label(step, target.node.id)
            if label in names and set(names) <= set(similarities):
                matrix.append([float(similarities[n]) for n in names])
                labels.append(names.index(label))
                ids.append(run.case_id)
    return _labelled(names, matrix, labels, ids)


def logprob_scores_from_decisions(store: RunStore, loaded: LoadedFlow,
                                  target: Target) -> LabelledScores:
    """Generative classify steps a person decided, with the model's measured option
    probabilities (before any temperature) as log scores."""
    where = str(loaded.path.resolve()) if loaded.path else None
    names = [o.name for o in target.node.options]
    matrix, labels, ids = [], [], []
    for run in store.runs():
        if where is None or run.flow_path != where:
            continue
        for step in store.steps(run.id):
            decision, output = step.decision or {}, step.output or {}
            if (step.node_id != target.node.id or decision.get("by") != "human"
                    or output.get("confidence_kind") != "measured"
                    or decision.get("label") not in names):
                continue
            details = (step.model_call or {}).get("details") or {}
            probs = details.get("untempered_probabilities") or output.get("probabilities")
            if isinstance(probs, dict) and set(names) <= set(probs):
                matrix.append(_logs(probs, names))
                labels.append(names.index(decision["label"]))
                ids.append(run.case_id)
    return _labelled(names, matrix, labels, ids)


def _human_label(step: Any, node_id: str) -> tuple[str | None, dict[str, Any]]:
    decision = step.decision or {}
    if step.node_id != node_id or decision.get("by") != "human":
        return None, {}
    details = (step.model_call or {}).get("details") or {}
    return decision.get("label"), details.get("similarities") or {}


def _labelled(names: list[str], matrix: list[list[float]], labels: list[int],
              ids: list[str]) -> LabelledScores:
    scores = np.array(matrix, dtype=np.float64).reshape(len(matrix), len(names))
    return LabelledScores(names, scores, np.array(labels, dtype=np.int64), ids)


# -- writing ---------------------------------------------------------------------

def write_temperatures(path: Path, temperatures: dict[str, float]) -> str:
    """Set `temperature` on the named classify nodes and save the flow canonically."""
    loaded = load_flow(path)
    nodes = [node.model_copy(update={"temperature": temperatures[node.id]})
             if node.id in temperatures else node for node in loaded.flow.nodes]
    # Re-validate the whole flow (not just assign): the temperature must pass the schema.
    flow = type(loaded.flow).model_validate(
        loaded.flow.model_copy(update={"nodes": nodes}).model_dump(by_alias=True))
    return save_flow(flow, path)
