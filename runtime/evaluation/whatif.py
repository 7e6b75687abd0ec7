"""Replay stored classifications under other confidence bands (and another stage).

Nothing is run again: each stored step's recorded confidence goes through the same
guardrail code the engine uses (`route_classification`) with the new bands, and the
answer is compared with the truth (the dataset's expected option, or the option a person
chose). Pure: takes `AIStep` rows and truths, returns counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from runtime.flow.schema import AutonomyStage, Bands, Guardrails
from runtime.guardrails.policy import is_measured, route_classification


@dataclass
class Tally:
    cases: int = 0
    acting_alone: int = 0
    to_people: int = 0
    wrong_actions: int = 0  # acted alone with an answer that differs from the truth
    unlabelled_actions: int = 0  # acted alone where no truth is known


@dataclass
class WhatIf:
    before: Tally
    after: Tally
    per_option: dict[str, tuple[Tally, Tally]] = field(default_factory=dict)


@dataclass(frozen=True)
class Replayed:
    """One stored classification: its recorded answer and whether it acted alone, and the
    truth when known."""

    label: str | None
    confidence: float | None
    confidence_kind: str | None
    acted_alone: bool
    truth: str | None


def acts_alone(row: Replayed, rails: Guardrails, stage: AutonomyStage) -> bool:
    verdicts = route_classification(row.confidence, rails, stage,
                                    measured=is_measured(row.confidence_kind))
    return all(v.outcome == "pass" for v in verdicts)


def replay(rows: Sequence[Replayed], rails: Guardrails, *, act: float, suggest: float,
           stage: AutonomyStage) -> WhatIf:
    """Counts under the stored routing (before) and under the new bands and stage (after),
    overall and per answered option."""
    changed = rails.model_copy(update={"bands": Bands(act=act, suggest=suggest)})
    result = WhatIf(Tally(), Tally())
    for row in rows:
        after = acts_alone(row, changed, stage)
        option = row.label or "(none)"
        pair = result.per_option.setdefault(option, (Tally(), Tally()))
        for tally, alone in ((result.before, row.acted_alone), (pair[0], row.acted_alone),
                             (result.after, after), (pair[1], after)):
            _count(tally, row, alone)
    result.per_option = dict(sorted(result.per_option.items()))
    return result


def _count(tally: Tally, row: Replayed, alone: bool) -> None:
    tally.cases += 1
    if not alone:
        tally.to_people += 1
        return
    tally.acting_alone += 1
    if row.truth is None:
        tally.unlabelled_actions += 1
    elif row.label != row.truth:
        tally.wrong_actions += 1
