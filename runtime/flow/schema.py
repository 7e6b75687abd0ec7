"""The flow file model (format version 1).

A flow is a directed graph written by hand or by the designer and kept in git, so the
model is strict (unknown keys are errors), field order is the order a person reads it
in, and serialising drops defaults so files stay short.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from runtime.flow.conditions import Condition
from runtime.flow.promotion import Promotion

FORMAT_VERSION = 1

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


class FieldSpec(Strict):
    """A typed field; `values` lists the choices of an enum."""

    name: Identifier
    type: FieldType = FieldType.string
    values: list[str] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _enum_has_values(self) -> FieldSpec:
        if self.type is FieldType.enum and not self.values:
            raise ValueError(f"enum field '{self.name}' needs a non-empty 'values' list")
        if self.type is not FieldType.enum and self.values is not None:
            raise ValueError(f"field '{self.name}' has 'values' but is not of type enum")
        return self


class CaseField(FieldSpec):
    required: bool = False


class RecordField(FieldSpec):
    pass


class Limit(Strict):
    """Bounds a proposed value must respect before anything is written."""

    min: float | None = None
    max: float | None = None
    values: list[str | int | float | bool] | None = None
    max_length: int | None = Field(default=None, ge=0)
    pattern: str | None = None


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


class StartNode(NodeBase):
    kind: Literal["start"] = "start"


class EndNode(NodeBase):
    kind: Literal["end"] = "end"
    outcome: Identifier


class Option(Strict):
    """One answer a classify node may give, described for the model and for people."""

    name: Identifier
    description: str = ""
    examples: list[str] = Field(default_factory=list)


class AINodeBase(NodeBase):
    kind: Literal["ai"] = "ai"
    model: str | None = None
    input: list[Identifier] = Field(default_factory=list)
    instructions: str = ""
    autonomy: AutonomyStage | None = None
    guardrails: Guardrails = Field(default_factory=Guardrails)
    promote: Promotion | None = None  # evidence needed to move up a stage (readiness)


class ClassifyNode(AINodeBase):
    role: Literal["classify"] = "classify"
    question: str = ""
    options: list[Option] = Field(min_length=2)
    method: Literal["auto", "llm", "embeddings"] = "auto"
    embedding_model: str | None = None
    temperature: float | None = Field(default=None, gt=0.0, le=10.0)

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        names = [o.name for o in options]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"option names must be unique; repeated: {', '.join(dupes)}")
        return options


class AssistNode(AINodeBase):
    role: Literal["assist"] = "assist"
    knowledge: list[str] = Field(default_factory=list)
    max_words: int = Field(default=200, ge=10, le=4000)


class EnforceNode(AINodeBase):
    role: Literal["enforce"] = "enforce"


def _ai_role(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("role")
    return getattr(value, "role", None)


AINode = Annotated[
    Union[
        Annotated[ClassifyNode, Tag("classify")],
        Annotated[AssistNode, Tag("assist")],
        Annotated[EnforceNode, Tag("enforce")],
    ],
    Discriminator(
        _ai_role,
        custom_error_type="unknown_role",
        custom_error_message="an ai node's role must be one of: classify, assist, enforce",
    ),
]


class DecisionNode(NodeBase):
    kind: Literal["decision"] = "decision"


class HumanTimeout(Strict):
    """After `hours` without a decision the run follows the edge labelled `on`."""

    hours: float = Field(gt=0)
    on: Identifier = "timeout"


class HumanNode(NodeBase):
    kind: Literal["human"] = "human"
    assignee: str = "reviewer"
    instructions: str = ""
    decisions: list[Identifier] = Field(default_factory=lambda: ["approve", "reject"])
    editable_fields: list[Identifier] = Field(default_factory=list)
    limits: dict[Identifier, Limit] = Field(default_factory=dict)  # bounds on people's edits
    timeout: HumanTimeout | None = None


class ActionNode(NodeBase):
    """Writes to the system of record: fixed values and/or values copied from the run."""

    kind: Literal["action"] = "action"
    connector: str = "records"
    set: dict[Identifier, str | int | float | bool] = Field(default_factory=dict)
    copy_from: dict[Identifier, str] = Field(default_factory=dict)
    autonomy: AutonomyStage | None = None
    guardrails: Guardrails = Field(default_factory=Guardrails)


def _node_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("kind")
    return getattr(value, "kind", None)


Node = Annotated[
    Union[
        Annotated[StartNode, Tag("start")],
        Annotated[EndNode, Tag("end")],
        Annotated[AINode, Tag("ai")],
        Annotated[DecisionNode, Tag("decision")],
        Annotated[HumanNode, Tag("human")],
        Annotated[ActionNode, Tag("action")],
    ],
    Discriminator(
        _node_kind,
        custom_error_type="unknown_kind",
        custom_error_message=(
            "a node's kind must be one of: start, ai, decision, human, action, end"
        ),
    ),
]

AnyNode = (
    StartNode | EndNode | ClassifyNode | AssistNode | EnforceNode | DecisionNode
    | HumanNode | ActionNode
)


class Edge(Strict):
    """A connection. Decision edges carry `when` or `else`; others may carry an `on` label
    naming the outcome they follow (a human decision, "fallback", "timeout", "limit")."""

    source: NodeId = Field(alias="from")
    target: NodeId = Field(alias="to")
    when: Condition | None = None
    else_: bool = Field(default=False, alias="else")
    on: Identifier | None = None
    label: str = ""

    @model_validator(mode="after")
    def _one_kind_of_guard(self) -> Edge:
        if self.when is not None and self.else_:
            raise ValueError("an edge has either 'when' or 'else', not both")
        if self.on is not None and (self.when is not None or self.else_):
            raise ValueError("an edge with 'on' cannot also have 'when' or 'else'")
        return self


class Connector(Strict):
    """Where record changes go. `sqlite` is the workspace table; others come from config.

    A webhook that honours the `Idempotency-Key` header says `deduplicates: true`, so a
    change whose outcome was lost is simply sent again; otherwise `reconcile_url` (GET,
    `{key}` replaced; 200 = applied, 404 = not) is asked first, and without it the run
    waits for a person instead of sending twice.
    """

    kind: Literal["sqlite", "csv", "jsonl", "webhook"] = "sqlite"
    path: str | None = None
    url: str | None = None
    token_key: str | None = None
    deduplicates: bool = False
    reconcile_url: str | None = None


class Flow(Strict):
    format_version: int = FORMAT_VERSION
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    autonomy: AutonomyStage = AutonomyStage.copilot
    default_model: str | None = None
    embedding_model: str | None = None
    connector: Connector = Field(default_factory=Connector)
    case_fields: list[CaseField] = Field(default_factory=list)
    record_fields: list[RecordField] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    # -- read helpers (no mutation: the designer edits through its document) --

    def node(self, node_id: str) -> AnyNode:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def node_ids(self) -> list[str]:
        return [n.id for n in self.nodes]

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def incoming(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    def case_field(self, name: str) -> CaseField | None:
        return next((f for f in self.case_fields if f.name == name), None)

    def record_field(self, name: str) -> RecordField | None:
        return next((f for f in self.record_fields if f.name == name), None)


def node_kind_label(node: Any) -> str:
    """"ai/classify" for AI nodes, the kind otherwise: used in logs and tables."""
    role = getattr(node, "role", None)
    return f"{node.kind}/{role}" if role else node.kind
