"""Checks several kinds share: guardrails that name real record fields and branches, a
model reference of a known provider, case fields an AI step reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from runtime.errors import Problem
from runtime.nodes.base import AINodeBase, FieldType, Guardrails, Limit
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


_TYPE_WORDS = {FieldType.number: "a number", FieldType.integer: "a whole number",
               FieldType.boolean: "true or false", FieldType.string: "text",
               FieldType.enum: "one of its values"}


def fixed_value_problem(name: str, value: Any, field_type: FieldType,
                        limit: Limit | None) -> str | None:
    """Why a value written in the flow itself (an action's `set`) could never be written:
    the wrong type for its record field, or outside the node's own limit. The engine's
    guardrails would refuse it on every run; `validate` says so up front."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    wrong = {FieldType.number: not numeric,
             FieldType.integer: not numeric or float(value) != int(value),
             FieldType.boolean: not isinstance(value, bool),
             FieldType.string: not isinstance(value, str),
             FieldType.enum: not isinstance(value, str)}.get(field_type, False)
    if wrong:
        return f"sets '{name}' to {value!r}, but '{name}' must be {_TYPE_WORDS[field_type]}"
    if limit is None:
        return None
    if numeric and limit.min is not None and value < limit.min:
        return f"sets '{name}' to {value}, below this step's limit (at least {limit.min:g})"
    if numeric and limit.max is not None and value > limit.max:
        return f"sets '{name}' to {value}, above this step's limit (at most {limit.max:g})"
    if limit.values is not None and value not in limit.values:
        return f"sets '{name}' to {value!r}, which this step's limit does not allow"
    if isinstance(value, str) and limit.max_length is not None and len(value) > limit.max_length:
        return (f"sets '{name}' to text longer than this step's limit "
                f"({limit.max_length} characters)")
    if isinstance(value, str) and limit.pattern is not None and re.fullmatch(
            limit.pattern, value) is None:
        return f"sets '{name}' to {value!r}, which does not match this step's pattern for it"
    return None
