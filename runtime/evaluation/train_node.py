"""Train one embeddings classify node, and tell where its training stands.

`junction train` and the designer's "Train from decisions" share this: measure the three
methods by stratified k-fold on the labelled cases (written examples always train, never
test), fit the best on everything, write it as a sidecar beside the flow. Writing the flow
itself (pointing the node at the new sidecar) is the caller's: the command line saves the
file, the designer makes it an undoable edit of the open document.

`training_state` is what the designer's property panel shows for such a node: how many
written examples it has, which head it uses (when trained, how, on how many cases, its
held-out figures), and how many people's decisions are waiting to be learnt from.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.errors import InputError

if TYPE_CHECKING:
    from runtime.engine.plan import Plan
    from runtime.evaluation.calibration_data import Target
    from runtime.evaluation.training_data import Labelled
    from runtime.flow.loader import LoadedFlow
    from runtime.store.base import RunStore

#: Fewer labelled cases than this for any option and training is refused (`allow_few`
#: overrides, with a warning): k-fold figures on a handful of cases are noise.
MIN_PER_OPTION = 5
#: The designer offers "Train from decisions" once this many decisions are new since the
#: head was trained (or exist at all, for a node without a head).
MIN_NEW_DECISIONS = 10

WHY = {
    "examples": "the labelled cases did not beat the written examples on held-out cases",
    "centroid": "centroids shrunk toward the written examples generalised best: few "
                "parameters, so little to overfit on a small set",
    "logistic": "the logistic regression generalised best: it learns which directions of "
                "the embedding separate the options, not just where each option's middle is",
}


def enough_cases(node_id: str, names: list[str], cases: list[Labelled],
                 allow_few: bool) -> list[str]:
    """Warnings when an option has few labelled cases; refuses unless `allow_few`."""
    counts = Counter(c.label for c in cases)
    few = [f"{n} ({counts.get(n, 0)})" for n in names if counts.get(n, 0) < MIN_PER_OPTION]
    if not few:
        return []
    message = (f"node '{node_id}': fewer than {MIN_PER_OPTION} labelled cases for "
               f"{', '.join(few)}; held-out figures on so few cases are noise")
    if not allow_few:
        raise InputError(f"{message}. Add labelled cases, or pass --allow-few to train anyway")
    if sum(counts.values()) < 2 or len(counts) < 2:
        raise InputError(f"{message}; at least two labelled options are needed to train")
    return [message]


def train_node(plan: Plan, target: Target, cases: list[Labelled], *, flow_path: Path,
               folds: int = 5, allow_few: bool = False, dry_run: bool = False) -> dict[str, Any]:
    """Measure, pick and (unless `dry_run` or the examples won) write the sidecar.

    The report's `head` is the new sidecar's file name (beside `flow_path`), or None when
    nothing was written. The flow file is not touched."""
    from runtime.evaluation.head_training import (
        L2,
        METHODS,
        SHRINK,
        best_method,
        cross_validate,
        fit,
    )
    from runtime.evaluation.training_data import embed_training_set
    from runtime.models import registry
    from runtime.models.embedding_head import write_head

    node = target.node
    warnings = enough_cases(node.id, [o.name for o in node.options], cases, allow_few)
    provider = registry.resolve_embedding(target.model, plan.loaded.base_dir)
    embedder = getattr(provider, "embedder", None)
    if embedder is None:
        raise InputError(f"embedding model '{target.model}' cannot give embeddings to train on")
    data = embed_training_set(embedder, node, cases)
    bands = {"act": node.guardrails.bands.act, "suggest": node.guardrails.bands.suggest}
    results = {m: cross_validate(m, data, bands, folds) for m in METHODS}
    winner = best_method(results)
    sources = dict(Counter(c.source.split(":")[0].split(" ")[0] for c in cases))
    report: dict[str, Any] = {
        "node": node.id, "model": target.model, "labelled_cases": len(cases),
        "examples": len(data.anchor_labels), "sources": sources,
        "held_out": {m: f.to_json() for m, f in results.items()},
        "winner": winner, "why": WHY[winner], "warnings": warnings, "head": None,
    }
    if winner == "examples" or dry_run:
        return report
    fitted = fit(winner, data, folds)
    assert fitted.weights is not None
    details = {
        "method": winner,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training": {"written_examples": report["examples"], "labelled_cases": len(cases),
                     "per_option": dict(Counter(c.label for c in cases)),
                     "sources": sources},
        "settings": {"folds": folds, "shrink": SHRINK, "l2": L2},
        "held_out": results[winner].to_json(),
        "compared": {m: {"accuracy": f.accuracy, "ece": f.ece, "log_loss": f.log_loss}
                     for m, f in results.items()},
    }
    meta = write_head(flow_path, node, plan.flow, weights=fitted.weights,
                      temperature=fitted.temperature, details=details)
    report["head"] = meta.name
    return report


def train_from_decisions(loaded: LoadedFlow, node_id: str, store: RunStore, *,
                         folds: int = 5) -> dict[str, Any]:
    """The designer's "Train from decisions": people's decisions on the node's tasks (plus
    nothing else) as labelled cases; the sidecar is written beside the saved flow file."""
    from runtime.evaluation.calibration_data import targets
    from runtime.evaluation.training_data import deduplicated, from_decisions

    if loaded.path is None:
        raise InputError("save the flow first: a trained head is kept beside the flow file")
    plan = _plan_without_heads(loaded)
    [target] = targets(plan, node_id)
    cases = deduplicated(from_decisions(store, plan.loaded, target.node))
    return train_node(plan, target, cases, flow_path=loaded.path, folds=folds)


@dataclass(frozen=True)
class TrainingState:
    """Where one embeddings classify node's training stands, for people to read."""

    node_id: str
    examples: int
    decisions_available: int
    head: str | None = None
    trained_at: str | None = None
    method: str | None = None
    labelled_cases: int = 0
    decisions_used: int = 0
    held_out_accuracy: float | None = None
    held_out_ece: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def new_decisions(self) -> int:
        return max(0, self.decisions_available - self.decisions_used)

    @property
    def can_train_from_decisions(self) -> bool:
        return self.new_decisions >= MIN_NEW_DECISIONS


def training_state(loaded: LoadedFlow, node_id: str, store: RunStore) -> TrainingState:
    """Read the node's sidecar metadata (if any) and count people's decisions on it."""
    from runtime.evaluation.training_data import decided_cases
    from runtime.flow.schema import ClassifyNode

    node = loaded.flow.node(node_id)
    if not isinstance(node, ClassifyNode):
        raise InputError(f"'{node_id}' is not a classify step")
    examples = sum(len(o.examples) for o in node.options)
    names = {o.name for o in node.options}
    available = 0
    if loaded.path is not None:
        available = sum(1 for d in decided_cases(store, loaded.path, node_id)
                        if d["label"] in names)
    if not node.head:
        return TrainingState(node_id, examples, available)
    meta, problems = _read_meta(loaded.base_dir / node.head)
    training = meta.get("training") or {}
    held_out = meta.get("held_out") or {}
    return TrainingState(
        node_id, examples, available, head=node.head, trained_at=meta.get("trained_at"),
        method=meta.get("method"), labelled_cases=int(training.get("labelled_cases") or 0),
        decisions_used=int((training.get("sources") or {}).get("run") or 0),
        held_out_accuracy=_number(held_out.get("accuracy")),
        held_out_ece=_number(held_out.get("ece")), problems=problems)


def _read_meta(path: Path) -> tuple[dict[str, Any], list[str]]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [f"the trained head {path.name} is missing"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [f"the trained head {path.name} cannot be read: {exc}"]
    if not isinstance(meta, dict):
        return {}, [f"the trained head {path.name} is not a head file"]
    return meta, []


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _plan_without_heads(loaded: LoadedFlow) -> Plan:
    """A stale head must not block retraining: plan the flow as if no node had one."""
    from runtime.engine.plan import compile_plan

    return compile_plan(without_heads(loaded))


def without_heads(loaded: LoadedFlow) -> LoadedFlow:
    import dataclasses

    from runtime.flow.schema import ClassifyNode

    nodes = [n.model_copy(update={"head": None}) if isinstance(n, ClassifyNode) else n
             for n in loaded.flow.nodes]
    return dataclasses.replace(loaded, flow=loaded.flow.model_copy(update={"nodes": nodes}))
