"""`decision`: chooses a branch by conditions on the case, the record and earlier outputs;
the first `when` that holds is taken, else the one `else` edge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from runtime.errors import Problem
from runtime.nodes.base import NodeBase
from runtime.nodes.spec import CheckContext, NodeSpec


class DecisionNode(NodeBase):
    kind: Literal["decision"] = "decision"


def check_decision(node: DecisionNode, ctx: CheckContext) -> Iterator[Problem]:
    nid = node.id
    out = ctx.outgoing(nid)
    elses = [e for e in out if e.else_]
    if not elses:
        yield Problem("decision has no 'else' branch: add an edge with 'else: true'", node=nid)
    if len(elses) > 1:
        yield Problem("decision has more than one 'else' branch", node=nid)
    for edge in out:
        if edge.when is None and not edge.else_:
            yield Problem(f"branch to '{edge.target}' has neither 'when' nor 'else'", node=nid)
        if edge.on is not None:
            yield Problem(f"branch to '{edge.target}': decisions use 'when', not 'on'",
                          node=nid)
        if edge.when is not None:
            where = f"edges.{ctx.edge_index(edge)}.when"
            for message in ctx.condition_problems(edge.when):
                yield Problem(f"branch to '{edge.target}': {message}", node=nid, path=where)


SPEC = NodeSpec(key="decision", model=DecisionNode, checks=check_decision,
                branching="conditions")
