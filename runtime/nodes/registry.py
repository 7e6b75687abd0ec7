"""The one list of node kinds, and lookups derived from it.

`NODE_TYPES` is the list; everything that differs per kind (the flow union, the loader's
tags, validation, the output catalogue, reference rewriting, and on the engine side the
executor table) reads it through the functions here. `register` adds a kind at run time —
for a kind shipped outside `runtime/nodes` or one a test declares — and tells the
listeners (the flow model rebuilds its node union) so nothing keeps a stale copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.nodes import action, assist, classify, decision, end, human, start
from runtime.nodes import enforce as enforce_kind
from runtime.nodes.spec import NodeSpec

NODE_TYPES: tuple[NodeSpec, ...] = (
    start.SPEC, classify.SPEC, assist.SPEC, enforce_kind.SPEC, decision.SPEC, human.SPEC,
    action.SPEC, end.SPEC,
)

_registered: dict[str, NodeSpec] = {spec.key: spec for spec in NODE_TYPES}
_listeners: list[Callable[[], None]] = []


def node_types() -> tuple[NodeSpec, ...]:
    """Every kind: the built-in ones in the order error messages list them, then
    registered ones."""
    return tuple(_registered.values())


def spec(key: str) -> NodeSpec:
    try:
        return _registered[key]
    except KeyError:
        raise KeyError(f"unknown node type '{key}'") from None


def key_of(node: Any) -> str:
    """`"ai.classify"` for an AI node, the kind otherwise (a node or its raw mapping)."""
    if isinstance(node, dict):
        kind, role = node.get("kind"), node.get("role")
    else:
        kind, role = getattr(node, "kind", None), getattr(node, "role", None)
    return f"{kind}.{role}" if role else str(kind)


def spec_for(node: Any) -> NodeSpec:
    return spec(key_of(node))


def kinds() -> tuple[str, ...]:
    """The values `kind:` may take, in first-registered order."""
    return tuple(dict.fromkeys(s.kind for s in _registered.values()))


def roles(kind: str) -> tuple[str, ...]:
    return tuple(s.role for s in _registered.values() if s.kind == kind and s.role)


def tags() -> frozenset[str]:
    """Every discriminator value pydantic may put into an error's location."""
    return frozenset(kinds()) | {s.role for s in _registered.values() if s.role}


def register(new: NodeSpec) -> None:
    """Add (or replace) a kind; every derived table follows."""
    if new.role and any(s.kind == new.kind and not s.role for s in _registered.values()):
        raise ValueError(f"kind '{new.kind}' has no roles; '{new.key}' cannot add one")
    _registered[new.key] = new
    _notify()


def unregister(key: str) -> None:
    if key in {s.key for s in NODE_TYPES}:
        raise ValueError(f"'{key}' is a built-in node type")
    if _registered.pop(key, None) is not None:
        _notify()


def on_change(listener: Callable[[], None]) -> None:
    """Call `listener` after every register/unregister."""
    _listeners.append(listener)


def _notify() -> None:
    for listener in _listeners:
        listener()
