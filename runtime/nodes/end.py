"""`end`: finishes a run with a named outcome (counted in the metrics)."""

from __future__ import annotations

from typing import Literal

from runtime.nodes.base import Identifier, NodeBase
from runtime.nodes.spec import NodeSpec


class EndNode(NodeBase):
    kind: Literal["end"] = "end"
    outcome: Identifier


SPEC = NodeSpec(key="end", model=EndNode)
