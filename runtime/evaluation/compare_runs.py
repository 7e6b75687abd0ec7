"""Two runs, or two batches, side by side: what differs per step.

The trainer's question is "what changes if this flow runs at another stage or with another
model?". Per node (and visit) each side says which branch it took, the label and confidence
of an AI step, whether the step went through alone or waited for a person, and which
record changes it applied; an aspect that differs is named, so a view can highlight it.
Two batches are paired by case id and summed up: how many cases reached a person, how many
record changes were applied, and where the two sides agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from runtime.store.base import RunStore
from runtime.store.rows import RunRow, StepRow

ASPECTS = ("branch", "label", "person", "changes")


@dataclass(frozen=True)
class StepSide:
    """One side of one node visit."""

    branch: str | None          # the node the step led to (None: the run stopped here)
    label: str | None           # an AI classification's label
    confidence: float | None
    waited: bool                # a person was (or is being) asked at this step
    decided_by: str | None      # "human" once a person decided, "ai"/None otherwise
    changes: dict[str, Any]     # record changes this step applied
    status: str


@dataclass(frozen=True)
class NodeRow:
    node_id: str
    visit: int
    left: StepSide | None
    right: StepSide | None
    differences: tuple[str, ...]  # the ASPECTS that differ (all of them when one is missing)


@dataclass(frozen=True)
class RunComparison:
    left: RunRow
    right: RunRow
    rows: list[NodeRow]

    @property
    def same_outcome(self) -> bool:
        """Both ended the same way, or both wait at the same step."""
        return _where(self.left) == _where(self.right)

    @property
    def same_labels(self) -> bool:
        return not any("label" in row.differences for row in self.rows
                       if row.left is not None and row.right is not None)

    @property
    def differs(self) -> bool:
        return any(row.differences for row in self.rows) or not self.same_outcome


@dataclass(frozen=True)
class BatchSide:
    """What one batch did over its cases."""

    batch_id: str
    cases: int
    reached_person: int          # cases with at least one step that waited for a person
    changes_applied: int         # steps that applied record changes
    completed: int
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchComparison:
    left: BatchSide
    right: BatchSide
    pairs: list[RunComparison]    # cases both batches ran, in the left batch's order
    only_left: list[str]          # case ids one side lacks
    only_right: list[str]

    @property
    def same_outcome(self) -> int:
        return sum(1 for pair in self.pairs if pair.same_outcome)

    @property
    def same_labels(self) -> int:
        return sum(1 for pair in self.pairs if pair.same_labels)

    @property
    def identical(self) -> int:
        return sum(1 for pair in self.pairs if not pair.differs)


def _where(run: RunRow) -> tuple[str, str | None, str | None]:
    waiting_at = None if run.status.terminal else run.current_node
    return run.status.value, run.outcome, waiting_at


def step_side(step: StepRow) -> StepSide:
    output = step.output if isinstance(step.output, dict) else {}
    decision = step.decision if isinstance(step.decision, dict) else {}
    waited = step.status == "blocked" or "task" in decision or "handoff" in decision
    applied = step.changes if step.status == "done" and isinstance(step.changes, dict) else {}
    confidence = output.get("confidence")
    return StepSide(
        branch=step.next_node if step.status == "done" else None,
        label=output.get("label"), confidence=confidence if isinstance(
            confidence, int | float) else None,
        waited=waited, decided_by=decision.get("by"), changes=dict(applied or {}),
        status=step.status)


def _differences(left: StepSide | None, right: StepSide | None) -> tuple[str, ...]:
    if left is None or right is None:
        return ASPECTS
    found = []
    if left.branch != right.branch:
        found.append("branch")
    if left.label != right.label:
        found.append("label")
    if left.waited != right.waited:
        found.append("person")
    if left.changes != right.changes:
        found.append("changes")
    return tuple(found)


def compare_runs(store: RunStore, left_id: str, right_id: str) -> RunComparison:
    left, right = store.find_run(left_id), store.find_run(right_id)
    return _compare(left, store.steps(left.id), right, store.steps(right.id))


def _compare(left: RunRow, left_steps: list[StepRow], right: RunRow,
             right_steps: list[StepRow]) -> RunComparison:
    sides: dict[tuple[str, int], list[StepSide | None]] = {}
    order: list[tuple[str, int]] = []
    for index, steps in enumerate((left_steps, right_steps)):
        for step in steps:
            key = (step.node_id, step.visit)
            if key not in sides:
                sides[key] = [None, None]
                order.append(key)
            sides[key][index] = step_side(step)
    rows = [NodeRow(node, visit, sides[(node, visit)][0], sides[(node, visit)][1],
                    _differences(sides[(node, visit)][0], sides[(node, visit)][1]))
            for node, visit in order]
    return RunComparison(left, right, rows)


def compare_batches(store: RunStore, left_batch: str, right_batch: str) -> BatchComparison:
    left_runs, right_runs = store.runs(batch_id=left_batch), store.runs(batch_id=right_batch)
    steps = {run.id: store.steps(run.id) for run in (*left_runs, *right_runs)}
    by_case = {run.case_id: run for run in right_runs}
    pairs = [_compare(run, steps[run.id], by_case[run.case_id], steps[by_case[run.case_id].id])
             for run in left_runs if run.case_id in by_case]
    left_cases = {run.case_id for run in left_runs}
    return BatchComparison(
        _batch_side(left_batch, left_runs, steps), _batch_side(right_batch, right_runs, steps),
        pairs, only_left=[r.case_id for r in left_runs if r.case_id not in by_case],
        only_right=[r.case_id for r in right_runs if r.case_id not in left_cases])


def _batch_side(batch_id: str, runs: list[RunRow],
                steps: dict[str, list[StepRow]]) -> BatchSide:
    sides = {run.id: [step_side(s) for s in steps[run.id]] for run in runs}
    return BatchSide(
        batch_id=batch_id, cases=len(runs),
        reached_person=sum(1 for run in runs if any(s.waited for s in sides[run.id])),
        changes_applied=sum(1 for run in runs for s in sides[run.id] if s.changes),
        completed=sum(1 for run in runs if run.status.value == "completed"),
        outcomes=dict(Counter(run.outcome or run.status.value for run in runs)))
