"""The vocabulary every node kind is written in: strict models, identifiers, field types,
autonomy stages, guardrails, and the fields all nodes share.

It sits at the bottom of the runtime (below `runtime.flow`) so each kind's module can
declare its model without importing the flow document that lists the kinds.
"""

from __future__ import annotations

import math
import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runtime.nodes.promotion import Promotion

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
NodeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, validate_assignment=True
    )


class FieldType(str, Enum):
    string = "string"
    number = "number"
    integer = "integer"
    boolean = "boolean"
    enum = "enum"


class AutonomyStage(str, Enum):
    """How far the AI may act on its own; guardrails always bound every stage."""

    observe = "observe"
    copilot = "copilot"
    operate = "operate"


class Permission(str, Enum):
    allow = "allow"
    suggest = "suggest"
    deny = "deny"


class Limit(Strict):
    """Bounds a proposed value must respect before anything is written."""

    min: float | None = None
    max: float | None = None
    values: list[str | int | float | bool] | None = None
    max_length: int | None = Field(default=None, ge=0)
    pattern: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Limit:
        """A limit that can never hold, or that would crash the run checking it, is a flow
        error found by `validate`, not a surprise at run time."""
        problems = []
        for name in ("min", "max"):
            bound = getattr(self, name)
            if bound is not None and not math.isfinite(bound):
                problems.append(f"'{name}' must be a finite number, got {bound}")
        if self.min is not None and self.max is not None and self.min > self.max:
            problems.append(f"'min' ({self.min:g}) is above 'max' ({self.max:g}): "
                            "no value could pass")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                problems.append(f"'pattern' is not a valid regular expression ({exc})")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Bands(Strict):
    """Confidence bands: act at or above `act`, suggest at or above `suggest`, else fallback."""

    act: float = Field(default=0.85, ge=0.0, le=1.0)
    suggest: float = Field(default=0.6, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.suggest > self.act:
            raise ValueError(
                f"the suggest band ({self.suggest}) must not be above the act band ({self.act})"
            )
        return self


class Guardrails(Strict):
    """Limits enforced in code on what an AI or action step may do.

    Fields not listed in `fields` are denied. `fallback` is "human" (hand the step to a
    person) or the `on` label of one of the node's outgoing edges.
    """

    fields: dict[Identifier, Permission] = Field(default_factory=dict)
    limits: dict[Identifier, Limit] = Field(default_factory=dict)
    bands: Bands = Field(default_factory=Bands)
    fallback: str = "human"
    confirm: bool = False
    max_calls: int = Field(default=3, ge=1, le=50)
    retries: int = Field(default=2, ge=0, le=10)
    on_missing_data: Literal["human", "fail", "continue"] = "human"


Position = tuple[float, float]


class NodeBase(Strict):
    id: NodeId
    title: str = ""
    notes: str = ""
    position: Position | None = None
    max_visits: int | None = Field(default=None, ge=1, le=1000)

    def label(self) -> str:
        return self.title or self.id


class AINodeBase(NodeBase):
    """What every AI role shares: a model, the case fields it reads, plain instructions,
    an optional autonomy override and its guardrails."""

    kind: Literal["ai"] = "ai"
    model: str | None = None
    input: list[Identifier] = Field(default_factory=list)
    instructions: str = ""
    autonomy: AutonomyStage | None = None
    guardrails: Guardrails = Field(default_factory=Guardrails)
    promote: Promotion | None = None  # evidence needed to move up a stage (readiness)
