"""The result of an evaluation: figures per AI node and end to end, as a JSON document
with stable fields (documented in README.md, "Evaluating a flow").

Built from the dataset's expectations and the stored facts of each case's run
(`evidence.RunFacts`); pure apart from hashing, so tests can build it from hand-made rows.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict
from typing import Any

from runtime.evaluation import measures as m
from runtime.evaluation.dataset_run import LabelledCase
from runtime.evaluation.evidence import AIStep, RunFacts
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import ClassifyNode

RESULT_FORMAT = "junction-eval/1"


def node_predictions(cases: list[LabelledCase], facts: dict[str, RunFacts],
                     node_id: str) -> tuple[list[m.Prediction], list[AIStep]]:
    """The AI's answer at `node_id` beside the expected option, for every labelled case
    whose run reached the node (first visit)."""
    predictions, steps = [], []
    for item in cases:
        truth = item.expected.get(node_id)
        run = facts.get(item.case_id)
        if truth is None or run is None:
            continue
        step = next((s for s in run.steps if s.node_id == node_id), None)
        if step is None:
            continue
        predictions.append(m.Prediction(step.label, step.confidence, truth))
        steps.append(step)
    return predictions, steps


def node_figures(node: ClassifyNode, cases: list[LabelledCase],
                 facts: dict[str, RunFacts]) -> dict[str, Any]:
    options = [o.name for o in node.options]
    rows, steps = node_predictions(cases, facts, node.id)
    kinds = Counter(s.confidence_kind or "none" for s in steps)
    cal = m.calibration(rows)
    act = node.guardrails.bands.act
    at_band = m.coverage_at(rows, act)
    return {
        "node": node.id, "role": "classify", "cases": len(rows),
        "accuracy": m.accuracy(rows),
        "bands": {"act": act, "suggest": node.guardrails.bands.suggest},
        "at_act_band": _point(at_band),
        "confusion": {"options": options, "answers": [*options, "(other)"],
                      "matrix": m.confusion(rows, options)},
        "per_option": [asdict(s) for s in m.per_option(rows, options)],
        "risk_coverage": [_point(p) for p in m.risk_coverage(rows)],
        "calibration": {"ece": cal.ece, "cases": cal.cases,
                        "bins": [asdict(b) for b in cal.bins]},
        "confidence_kinds": dict(sorted(kinds.items())),
        "measured_share": m.ratio(kinds.get("measured", 0) + kinds.get("scripted", 0),
                                  len(steps)),
        "wrong_routes_stopped": sum(1 for r, s in zip(rows, steps, strict=True)
                                    if not r.correct and not s.acted_alone),
        "wrong_acted_alone": sum(1 for r, s in zip(rows, steps, strict=True)
                                 if not r.correct and s.acted_alone),
    }


def _point(p: m.CoveragePoint) -> dict[str, Any]:
    return {"threshold": p.threshold, "acting": p.acting, "right": p.right,
            "wrong": p.wrong, "total": p.total, "coverage": p.coverage,
            "precision": p.precision}


def end_to_end(cases: list[LabelledCase], facts: dict[str, RunFacts]) -> dict[str, Any]:
    runs = [facts[c.case_id] for c in cases if c.case_id in facts]
    with_outcome = [(c, facts[c.case_id]) for c in cases
                    if c.expected_outcome is not None and c.case_id in facts]
    outcome_right = sum(1 for c, f in with_outcome if f.outcome == c.expected_outcome)
    record_right = record_wrong = prevented = 0
    for item in cases:
        run = facts.get(item.case_id)
        if run is None or not item.expected_record:
            continue
        wrong = {k for k, v in item.expected_record.items() if run.record.get(k) != v}
        record_wrong += bool(wrong)
        record_right += not wrong
        prevented += _prevented(run, item.expected_record)
    hits: Counter[str] = Counter(h for f in runs for s in f.steps for h in s.hits)
    contained = sum(1 for f in runs if f.status == "completed" and not f.person_involved)
    return {
        "runs": len(runs),
        "statuses": dict(sorted(Counter(f.status for f in runs).items())),
        "outcomes": dict(sorted(Counter(f.outcome or f.status for f in runs).items())),
        "outcome_cases": len(with_outcome), "outcome_right": outcome_right,
        "outcome_accuracy": m.ratio(outcome_right, len(with_outcome)),
        "records_checked": record_right + record_wrong,
        "records_right": record_right, "records_wrong": record_wrong,
        "containment": m.ratio(contained, len(runs)),
        "escalation": m.ratio(sum(f.person_involved for f in runs), len(runs)),
        "guardrail_hits": dict(sorted(hits.items())),
        "wrong_writes_prevented": prevented,
    }


def _prevented(run: RunFacts, expected: dict[str, Any]) -> int:
    """Proposed values that were wrong and that a guardrail kept out of the record."""
    count = 0
    for step in run.steps:
        for name, value in step.proposal.items():
            if name in expected and value != expected[name] and name in step.held_fields:
                count += 1
    return count


def prompt_fingerprint(node: Any) -> str:
    """What the model is told at this node, hashed: a changed prompt shows in --compare."""
    parts = [getattr(node, "instructions", ""), getattr(node, "question", "")]
    for option in getattr(node, "options", []):
        parts += [option.name, option.description, *option.examples]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def build_result(loaded: LoadedFlow, dataset: str, dataset_sha: str, batch_id: str,
                 cases: list[LabelledCase], facts: dict[str, RunFacts], *,
                 model: str | None, autonomy: str | None, not_run: list[str],
                 generated_at: str) -> dict[str, Any]:
    flow = loaded.flow
    classify = [n for n in flow.nodes if isinstance(n, ClassifyNode)]
    models = sorted({s.model for f in facts.values() for s in f.steps if s.model})
    return {
        "format": RESULT_FORMAT,
        "generated_at": generated_at,
        "flow": {"name": flow.name,
                 "path": str(loaded.path.resolve()) if loaded.path else None,
                 "sha": loaded.sha256},
        "dataset": {"path": dataset, "sha": dataset_sha, "cases": len(cases)},
        "batch_id": batch_id,
        "model": model, "models_used": models,
        "autonomy": autonomy or flow.autonomy.value,
        "prompts": {n.id: prompt_fingerprint(n) for n in flow.nodes if n.kind == "ai"},
        "cases": {"total": len(cases), "run": len(facts), "not_run": len(not_run),
                  "waiting_for_person": sum(1 for f in facts.values()
                                            if f.status == "blocked")},
        "nodes": [node_figures(n, cases, facts) for n in classify
                  if any(n.id in c.expected for c in cases)],
        "end_to_end": end_to_end(cases, facts),
        "per_case": [_case_row(c, facts.get(c.case_id)) for c in cases],
    }


def _case_row(item: LabelledCase, run: RunFacts | None) -> dict[str, Any]:
    answers = {} if run is None else {
        s.node_id: {"label": s.label, "confidence": s.confidence, "acted_alone": s.acted_alone}
        for s in run.steps if s.role == "classify"}
    return {"case_id": item.case_id, "run_id": None if run is None else run.run_id,
            "status": None if run is None else run.status,
            "outcome": None if run is None else run.outcome,
            "expected": item.expected, "expected_outcome": item.expected_outcome,
            "answers": answers}
