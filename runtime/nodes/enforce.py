"""`ai.enforce`: proposes structured record changes; the guardrails decide what is
written, what a person confirms and what is refused."""

from __future__ import annotations

from typing import Literal

from runtime.nodes.base import AINodeBase, FieldType
from runtime.nodes.checks import check_ai_node
from runtime.nodes.spec import FieldInfo, NodeSpec


class EnforceNode(AINodeBase):
    role: Literal["enforce"] = "enforce"


def enforce_outputs(node: EnforceNode) -> list[FieldInfo]:
    return [
        FieldInfo(f"{node.id}.confidence", FieldType.number, (), "confidence of the proposal"),
        FieldInfo(f"{node.id}.applied", FieldType.boolean, (), "whether changes were applied"),
    ]


SPEC = NodeSpec(key="ai.enforce", model=EnforceNode, outputs=enforce_outputs,
                checks=check_ai_node)
