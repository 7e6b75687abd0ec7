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


def renamed_values(old: Any, new: Any) -> dict[str, dict[str, str]]:
    """Values of a node's outputs renamed in place between two versions of it: an option
    `refund` edited to `refunds` gives `{"intake.label": {"refund": "refunds"}}`.

    Position tells a rename from a replacement: the list keeps its length, the old name is
    gone and the new one is new. An added or removed option renames nothing.
    """
    spec = registry.spec_for(new)
    before = {info.ref.partition(".")[2]: info.values
              for info in registry.spec_for(old).outputs(old)}
    found: dict[str, dict[str, str]] = {}
    for info in spec.outputs(new):
        output = info.ref.partition(".")[2]
        mapping = _positional(before.get(output, ()), info.values)
        if mapping:
            found[f"{new.id}.{output}"] = mapping
    labels = _positional(tuple(registry.spec_for(old).labels(old)), tuple(spec.labels(new)))
    if labels:
        found[""] = labels  # the `on` labels of the node's own outgoing edges
    return found


def _positional(old: tuple[str, ...], new: tuple[str, ...]) -> dict[str, str]:
    if len(old) != len(new) or not old:
        return {}
    return {a: b for a, b in zip(old, new, strict=True)
            if a != b and a not in new and b not in old}


def rename_condition_values(data: Any, ref: str, mapping: Mapping[str, str]) -> Any:
    """A dumped condition tree with the values compared to `ref` renamed by `mapping`."""
    if isinstance(data, list):
        return [rename_condition_values(v, ref, mapping) for v in data]
    if not isinstance(data, dict):
        return data
    out = {k: rename_condition_values(v, ref, mapping) for k, v in data.items()}
    if out.get("field") == ref:
        value = out.get("value")
        if isinstance(value, str):
            out["value"] = mapping.get(value, value)
        elif isinstance(value, list):
            out["value"] = [mapping.get(v, v) if isinstance(v, str) else v for v in value]
    return out
