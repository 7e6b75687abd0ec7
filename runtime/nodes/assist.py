"""`ai.assist`: drafts a reply or next steps from local knowledge files; never acts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runtime.nodes.base import AINodeBase, FieldType
from runtime.nodes.checks import check_ai_node
from runtime.nodes.spec import FieldInfo, NodeSpec


class AssistNode(AINodeBase):
    role: Literal["assist"] = "assist"
    knowledge: list[str] = Field(default_factory=list)
    max_words: int = Field(default=200, ge=10, le=4000)


def assist_outputs(node: AssistNode) -> list[FieldInfo]:
    return [FieldInfo(f"{node.id}.draft", FieldType.string, (), "the drafted text")]


SPEC = NodeSpec(key="ai.assist", model=AssistNode, outputs=assist_outputs,
                checks=check_ai_node)
