"""`start`: where every run begins; a flow has exactly one."""

from __future__ import annotations

from typing import Literal

from runtime.nodes.base import NodeBase
from runtime.nodes.spec import NodeSpec


class StartNode(NodeBase):
    kind: Literal["start"] = "start"


SPEC = NodeSpec(key="start", model=StartNode, unique=True)
