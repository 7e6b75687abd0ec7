"""Promotion criteria of an AI node: the evidence it needs before it may move up a stage.

Written in the flow file under the node's `promote:` key, e.g.
`promote: {copilot: {precision: 0.95, min_cases: 50}, operate: {precision: 0.98,
agreement: 0.95, min_cases: 200}}`. A stage left out, or a figure left out of a stage,
takes the default below; `junction readiness` judges the evidence against them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StageCriteria(BaseModel):
    """What a node must show for one stage. `precision` is measured on the cases that
    would act alone at the node's act band; `agreement` is how often people, deciding
    beside the AI in observe mode, chose what it proposed."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    precision: float | None = Field(default=None, ge=0.0, le=1.0)
    agreement: float | None = Field(default=None, ge=0.0, le=1.0)
    min_cases: int | None = Field(default=None, ge=1)


class Promotion(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    copilot: StageCriteria | None = None
    operate: StageCriteria | None = None


DEFAULTS = {
    "copilot": StageCriteria(precision=0.95, min_cases=50),
    "operate": StageCriteria(precision=0.98, agreement=0.95, min_cases=200),
}


def criteria_for(promotion: Promotion | None, stage: str) -> StageCriteria:
    """The node's criteria for `stage`, each missing figure taken from the defaults."""
    default = DEFAULTS[stage]
    given = getattr(promotion, stage, None) if promotion is not None else None
    if given is None:
        return default
    return default.model_copy(update=given.model_dump(exclude_none=True))
