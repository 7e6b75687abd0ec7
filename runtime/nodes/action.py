"""`action`: writes fixed values and values copied from the run to the system of record,
through the flow's connector and inside its guardrails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from runtime.errors import Problem
from runtime.nodes.base import AutonomyStage, FieldType, Guardrails, Identifier, NodeBase
from runtime.nodes.checks import check_guardrails, check_model, fixed_value_problem
from runtime.nodes.spec import CheckContext, NodeSpec


class ActionNode(NodeBase):
    """Writes to the system of record: fixed values and/or values copied from the run."""

    kind: Literal["action"] = "action"
    connector: str = "records"
    set: dict[Identifier, str | int | float | bool] = Field(default_factory=dict)
    copy_from: dict[Identifier, str] = Field(default_factory=dict)
    autonomy: AutonomyStage | None = None
    guardrails: Guardrails = Field(default_factory=Guardrails)


def check_action(node: ActionNode, ctx: CheckContext) -> Iterator[Problem]:
    flow = ctx.flow
    yield from check_guardrails(node.id, node.guardrails, ctx)
    yield from check_model(node)
    for name, value in node.set.items():
        field = flow.record_field(name)
        if field is None:
            yield Problem(f"sets record field '{name}', which is not declared", node=node.id)
        elif field.type is FieldType.enum and value not in (field.values or []):
            yield Problem(f"sets '{name}' to '{value}', which is not one of its values",
                          node=node.id, path=f"set.{name}")
        else:
            problem = fixed_value_problem(name, value, field.type,
                                          node.guardrails.limits.get(name))
            if problem:
                yield Problem(problem, node=node.id, path=f"set.{name}")
    for name, ref in node.copy_from.items():
        if flow.record_field(name) is None:
            yield Problem(f"copies into record field '{name}', which is not declared",
                          node=node.id)
        if not ctx.is_known_field(ref):
            yield Problem(f"copies from '{ref}', which is not a known field", node=node.id)


SPEC = NodeSpec(key="action", model=ActionNode, checks=check_action,
                references=("copy_from",))
