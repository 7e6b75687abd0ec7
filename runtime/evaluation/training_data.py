"""Where a head's training material comes from, embedded in batches.

- the node's **written examples** (and option descriptions): always training material;
- a **dataset** (`expected: {NODE: OPTION}` per case, the file calibration and batch
  evaluation read);
- **people's decisions** on the node's tasks (observe and co-pilot): the step stored the
  case text the node saw and the option the person chose.

Store reads live in `decided_cases`, one indexed query (`RunStore.decided_steps`) rather
than every run's steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from runtime.engine.plan import Plan
from runtime.engine.runner import check_case
from runtime.errors import InputError
from runtime.evaluation.head_training import TrainingSet
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import ClassifyNode
from runtime.models import prompts
from runtime.models.base import OptionSpec
from runtime.models.embedding_scoring import anchors
from runtime.store.base import RunStore


@dataclass(frozen=True)
class Labelled:
    """One labelled case text for a node, and where it came from (for messages)."""

    text: str
    label: str
    source: str


def from_dataset(plan: Plan, node: ClassifyNode, path: Path,
                 rows: list[tuple[int, dict[str, Any]]]) -> list[Labelled]:
    """Cases naming an expected option for `node`; every bad line is reported at once."""
    names = [o.name for o in node.options]
    found, problems = [], []
    for number, row in rows:
        expected = row["expected"].get(node.id)
        if expected is None:
            continue
        if expected not in names:
            problems.append(f"{path}:{number}: expected '{expected}' for node '{node.id}' "
                            f"is not one of its options ({', '.join(names)})")
            continue
        case = {k: v for k, v in row.items() if k != "expected"}
        try:
            check_case(plan, case)
        except InputError as exc:
            problems.append(f"{path}:{number}: {exc}")
            continue
        text = prompts.case_text(node, plan.flow, case)
        if not text.strip():
            problems.append(f"{path}:{number}: the case has no text for node '{node.id}'")
            continue
        found.append(Labelled(text, expected, f"{path.name}:{number}"))
    if problems:
        raise InputError("\n".join(problems))
    return found


def decided_cases(store: RunStore, flow_path: Path, node_id: str) -> list[dict[str, Any]]:
    """{run, case, text, label} for every step of `node_id`, in runs of this flow file, whose
    option a person chose (observe mode, co-pilot, low confidence). The only store read."""
    found = []
    for step in store.decided_steps(str(flow_path.resolve()), node_id):
        decision = step.decision if isinstance(step.decision, dict) else {}
        inputs = step.inputs if isinstance(step.inputs, dict) else {}
        text = inputs.get("text")
        if decision.get("label") and isinstance(text, str) and text.strip():
            found.append({"run": step.run_id, "case": step.case_id, "text": text,
                          "label": decision["label"]})
    return found


def from_decisions(store: RunStore, loaded: LoadedFlow, node: ClassifyNode) -> list[Labelled]:
    """People's decisions on the node's tasks, as labelled cases (unknown options skipped:
    the node's options changed since)."""
    if loaded.path is None:
        return []
    names = {o.name for o in node.options}
    return [Labelled(d["text"], d["label"], f"run {d['run']}")
            for d in decided_cases(store, loaded.path, node.id) if d["label"] in names]


def deduplicated(cases: list[Labelled]) -> list[Labelled]:
    """One case per text (the first source wins): a message decided twice or present in
    both the dataset and the decisions must not count twice in training nor in the figures."""
    seen: dict[str, Labelled] = {}
    for case in cases:
        seen.setdefault(case.text.strip(), case)
    return list(seen.values())


def embed_training_set(embedder: Any, node: ClassifyNode,
                       cases: list[Labelled]) -> TrainingSet:
    """Embed the anchors and the case texts in one batched pass each."""
    names = [o.name for o in node.options]
    anchor_texts, anchor_labels = [], []
    for j, option in enumerate(node.options):
        spec = OptionSpec(name=option.name, description=option.description,
                          examples=option.examples)
        for text in anchors(spec):
            anchor_texts.append(text)
            anchor_labels.append(j)
    anchor_vectors = embedder.embed(anchor_texts)
    dims = int(anchor_vectors.shape[1])
    case_vectors = (embedder.embed([c.text for c in cases]) if cases
                    else np.zeros((0, dims), dtype=np.float32))
    return TrainingSet(names, np.asarray(anchor_vectors, dtype=np.float64),
                       np.array(anchor_labels, dtype=np.int64),
                       np.asarray(case_vectors, dtype=np.float64),
                       np.array([names.index(c.label) for c in cases], dtype=np.int64))
