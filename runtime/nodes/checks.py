"""Checks several kinds share: guardrails that name real record fields and branches, a
model reference of a known provider, case fields an AI step reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from runtime.errors import Problem
from runtime.nodes.base import AINodeBase, FieldType, Guardrails
from runtime.nodes.spec import CheckContext

MODEL_PREFIXES = ("ollama:", "llamacpp:", "scripted", "embeddings:")


def check_guardrails(nid: str, rails: Guardrails, ctx: CheckContext) -> Iterator[Problem]:
    flow = ctx.flow
    for name in list(rails.fields) + list(rails.limits):
        if flow.record_field(name) is None:
            yield Problem(f"guardrails name record field '{name}', which is not declared",
                          node=nid)
    for name, limit in rails.limits.items():
        field = flow.record_field(name)
        if field and field.type is FieldType.enum and limit.values:
            unknown = [v for v in limit.values if v not in (field.values or [])]
            if unknown:
                yield Problem(f"limit on '{name}' allows unknown values {unknown}", node=nid)
    labels = {e.on for e in ctx.outgoing(nid) if e.on}
    if rails.fallback != "human" and rails.fallback not in labels:
        yield Problem(f"fallback '{rails.fallback}' needs an outgoing edge with "
                      f"'on: {rails.fallback}'", node=nid)


def check_model(node: Any) -> Iterator[Problem]:
    model = getattr(node, "model", None)
    if model and not model.startswith(MODEL_PREFIXES):
        yield Problem(f"model '{model}' should start with ollama:, llamacpp: or scripted",
                      node=node.id)


def check_ai_node(node: AINodeBase, ctx: CheckContext) -> Iterator[Problem]:
    """What every AI role checks: its guardrails, its model, the case fields it reads."""
    yield from check_guardrails(node.id, node.guardrails, ctx)
    yield from check_model(node)
    for name in node.input:
        if ctx.flow.case_field(name) is None:
            yield Problem(f"input names case field '{name}', which is not declared",
                          node=node.id)
