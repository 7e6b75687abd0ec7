"""Following a renamed node in the fields that refer to its outputs (`<node>.<output>`).

Which fields hold references is each kind's spec's `references`; rename and paste in the
designer, and anything else that renames nodes, go through here so a new kind with a
reference field is followed without new code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runtime.nodes import registry


def renamed_ref(ref: str, renames: Mapping[str, str]) -> str:
    """`old.label` → `new.label` when `old` was renamed; any other text unchanged."""
    head, dot, tail = ref.partition(".")
    return f"{renames[head]}{dot}{tail}" if dot and head in renames else ref


def rewrite_references(node: Any, change: Callable[[str], str]) -> Any:
    """The node with `change` applied to every reference its kind declares (the same
    object when nothing changes)."""
    update = {}
    for name in registry.spec_for(node).references:
        value = getattr(node, name)
        new = _map(value, change)
        if new != value:
            update[name] = new
    if not update:
        return node
    return type(node).model_validate({**node.model_dump(by_alias=True), **update})


def _map(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {k: _map(v, change) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_map(v, change) for v in value)
    return value
