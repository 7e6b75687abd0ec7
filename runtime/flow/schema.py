"""The flow file model (format version 1).

A flow is a directed graph written by hand or by the designer and kept in git, so the
model is strict (unknown keys are errors), field order is the order a person reads it
in, and serialising drops defaults so files stay short.

The node models live one per kind in `runtime.nodes` and are re-exported here; the
`nodes:` union is derived from that package's registry and rebuilt when a kind is
registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic.fields import FieldInfo

from runtime.flow.conditions import Condition
from runtime.nodes import registry
from runtime.nodes.action import ActionNode
from runtime.nodes.assist import AssistNode
from runtime.nodes.base import (
    AINodeBase,
    AutonomyStage,
    Bands,
    FieldType,
    Guardrails,
    Identifier,
    Limit,
    NodeBase,
    NodeId,
    Permission,
    Position,
    Strict,
)
from runtime.nodes.classify import ClassifyNode, Option
from runtime.nodes.decision import DecisionNode
from runtime.nodes.end import EndNode
from runtime.nodes.enforce import EnforceNode
from runtime.nodes.human import HumanNode, HumanTimeout
from runtime.nodes.start import StartNode

FORMAT_VERSION = 1


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


def _discriminator(word: str) -> Any:
    def read(value: Any) -> str | None:
        if isinstance(value, dict):
            return value.get(word)
        return getattr(value, word, None)

    return read


def node_union() -> Any:
    """The `nodes:` item type, derived from the registered node specs: a union tagged by
    `kind`, and for kinds with roles (ai) a nested union tagged by `role`."""
    members: list[Any] = []
    for kind in registry.kinds():
        specs = [s for s in registry.node_types() if s.kind == kind]
        if len(specs) == 1:  # a kind without roles (or with a single one)
            members.append(Annotated[specs[0].model, Tag(kind)])
            continue
        names = ", ".join(s.role or "" for s in specs)
        by_role: Any = Annotated[
            Union[tuple(Annotated[s.model, Tag(s.role or "")] for s in specs)],
            Discriminator(_discriminator("role"), custom_error_type="unknown_role",
                          custom_error_message=f"an {kind} node's role must be one of: {names}"),
        ]
        members.append(Annotated[by_role, Tag(kind)])
    kinds = ", ".join(registry.kinds())
    return Annotated[
        Union[tuple(members)],
        Discriminator(_discriminator("kind"), custom_error_type="unknown_kind",
                      custom_error_message=f"a node's kind must be one of: {kinds}"),
    ]


AnyNode = (
    StartNode | EndNode | ClassifyNode | AssistNode | EnforceNode | DecisionNode
    | HumanNode | ActionNode
)

if TYPE_CHECKING:
    Node = AnyNode  # the built-in kinds, for type checkers
else:
    Node = node_union()


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


def _rebuild_node_union() -> None:
    """Re-derive `Flow.nodes` after a kind was registered or removed (pydantic fixes a
    model's fields at class creation, so the field is replaced and the model rebuilt)."""
    item: Any = node_union()
    Flow.__pydantic_fields__["nodes"] = FieldInfo.from_annotated_attribute(
        list[item], Field(default_factory=list))
    Flow.model_rebuild(force=True)


registry.on_change(_rebuild_node_union)


__all__ = [  # the node models and their vocabulary live in runtime.nodes; read here too
    "FORMAT_VERSION", "AINodeBase", "ActionNode", "AnyNode", "AssistNode", "AutonomyStage",
    "Bands", "CaseField", "ClassifyNode", "Connector", "DecisionNode", "Edge", "EndNode",
    "EnforceNode", "FieldSpec", "FieldType", "Flow", "Guardrails", "HumanNode",
    "HumanTimeout", "Identifier", "Limit", "Node", "NodeBase", "NodeId", "Option",
    "Permission", "Position", "RecordField", "StartNode", "Strict", "node_kind_label",
    "node_union",
]


def node_kind_label(node: Any) -> str:
    """"ai/classify" for AI nodes, the kind otherwise: used in logs and tables."""
    role = getattr(node, "role", None)
    return f"{node.kind}/{role}" if role else node.kind
