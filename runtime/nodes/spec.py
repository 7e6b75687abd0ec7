"""`NodeSpec`: everything the runtime knows about one node kind, as data.

A kind's module (`runtime/nodes/<kind>.py`) declares one spec: its pydantic model, the
outputs it adds to a run (the field catalogue conditions and copies read), its checks
(whole-flow validation of that node), the fields that hold references to other nodes'
outputs (followed on rename and paste) and how it branches. The flow union, the loader's
tags, validation dispatch, the catalogue and reference rewriting are derived from the
registered specs; the engine registers an executor under the same key.

Keys read like the palette: the kind (`"start"`, `"human"`…), or `"ai.<role>"` for the
AI roles, which share the file kind `ai` and are told apart by `role`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from runtime.errors import Problem
from runtime.nodes.base import FieldType, NodeBase


@dataclass(frozen=True)
class FieldInfo:
    """One value conditions and copies may refer to (`case.x`, `record.x`, `node.output`)."""

    ref: str
    type: FieldType
    values: tuple[str, ...] = ()
    description: str = ""


class CheckContext(Protocol):
    """What a kind's checks may ask about the flow around its node."""

    @property
    def flow(self) -> Any: ...  # runtime.flow.schema.Flow (a higher layer)

    def outgoing(self, node_id: str) -> list[Any]: ...

    def edge_index(self, edge: Any) -> int: ...

    def condition_problems(self, condition: Any) -> list[str]: ...

    def is_known_field(self, ref: str) -> bool: ...


Branching = Literal["conditions", "labels", "single"]


def _no_outputs(node: Any) -> list[FieldInfo]:
    return []


def _no_checks(node: Any, ctx: CheckContext) -> Iterable[Problem]:
    return ()


def _no_labels(node: Any) -> list[str]:
    return []


@dataclass(frozen=True, kw_only=True)
class NodeSpec:
    """One node kind. Keyword arguments only, so a new attribute breaks nobody."""

    key: str
    model: type[NodeBase]
    outputs: Callable[[Any], list[FieldInfo]] = _no_outputs
    checks: Callable[[Any, CheckContext], Iterable[Problem]] = _no_checks
    references: Sequence[str] = ()  # fields whose values are `node.output` references
    branching: Branching = "single"  # conditions: decisions; labels: `on` per outcome
    labels: Callable[[Any], list[str]] = _no_labels  # the `on` labels a "labels" kind follows
    unique: bool = False  # at most one per flow (the start)

    @property
    def kind(self) -> str:
        return str(self.model.model_fields["kind"].default)

    @property
    def role(self) -> str | None:
        field = self.model.model_fields.get("role")
        return None if field is None else str(field.default)

    def __post_init__(self) -> None:
        expected = f"{self.kind}.{self.role}" if self.role else self.kind
        if self.key != expected:
            raise ValueError(f"a node spec's key must read '{expected}', not '{self.key}'")

    def problems(self, node: Any, ctx: CheckContext) -> Iterator[Problem]:
        yield from self.checks(node, ctx)
