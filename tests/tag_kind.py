"""A node kind declared outside `runtime/nodes`, to prove a kind is one registration on
each side: its model, outputs, check and references (the spec) and its executor, here in
one test module; the designer's record is in tests/designer/test_node_records.py.

`tag` marks a run with a fixed value (a later decision may branch on it) and may copy a
reason next to it from a field of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from runtime.api import (
    NodeSpec,
    Problem,
    register_executor,
    register_node_type,
    unregister_executor,
    unregister_node_type,
)
from runtime.engine.plan import flat_values
from runtime.engine.steps import StepContext, StepOutcome
from runtime.nodes.base import FieldType, Identifier, NodeBase
from runtime.nodes.spec import CheckContext, FieldInfo


class TagNode(NodeBase):
    kind: Literal["tag"] = "tag"
    value: Identifier
    reason_from: str | None = None  # a field of the run: case.x, record.x or node.output


def tag_outputs(node: TagNode) -> list[FieldInfo]:
    return [FieldInfo(f"{node.id}.value", FieldType.enum, (node.value,), "the tag"),
            FieldInfo(f"{node.id}.reason", FieldType.string, (), "why it was tagged")]


def check_tag(node: TagNode, ctx: CheckContext) -> Iterator[Problem]:
    if node.reason_from and not ctx.is_known_field(node.reason_from):
        yield Problem(f"takes its reason from '{node.reason_from}', which is not a known "
                      "field", node=node.id)


def run_tag(node: TagNode, ctx: StepContext) -> StepOutcome:
    reason = flat_values(ctx.context).get(node.reason_from) if node.reason_from else None
    return StepOutcome(output={"value": node.value, "reason": reason},
                       next_node=ctx.plan.follow(node.id),
                       decision={"action": "tagged", "value": node.value})


SPEC = NodeSpec(key="tag", model=TagNode, outputs=tag_outputs, checks=check_tag,
                references=("reason_from",))


@contextmanager
def tag_kind_registered() -> Iterator[NodeSpec]:
    register_node_type(SPEC)
    register_executor(SPEC.key, run_tag)
    try:
        yield SPEC
    finally:
        unregister_executor(SPEC.key)
        unregister_node_type(SPEC.key)


TAG_FLOW = """\
format_version: 1
name: Tagging
case_fields:
- {name: message, required: true}
- {name: tier, type: enum, values: [free, pro]}
nodes:
- {id: start, kind: start}
- {id: mark, kind: tag, value: vip, reason_from: case.tier}
- {id: route, kind: decision}
- {id: vip_done, kind: end, outcome: vip}
- {id: done, kind: end, outcome: resolved}
edges:
- {from: start, to: mark}
- {from: mark, to: route}
- {from: route, to: vip_done, when: {field: mark.value, op: eq, value: vip}}
- {from: route, to: done, else: true}
"""
