"""Load, save and fingerprint flow files.

Loading is strict (see yamlio) and every schema error is translated into plain words with
the file, the line and the node id. Saving is canonical — field order from the model,
defaults left out — so load → save → load is stable and diffs stay small.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from runtime.errors import FlowError, Problem
from runtime.flow import yamlio
from runtime.flow.migrations import UnsupportedVersion, migrate
from runtime.flow.schema import Flow
from runtime.nodes import registry as node_registry


@dataclass(frozen=True)
class LoadedFlow:
    """A flow together with the exact text it came from (runs pin that text)."""

    flow: Flow
    text: str
    path: Path | None
    migrated_from: tuple[int, ...] = ()
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False)

    def line_of(self, *path: str | int) -> int | None:
        return self.lines.get(tuple(path))

    def node_line(self, node_id: str) -> int | None:
        for index, node in enumerate(self.flow.nodes):
            if node.id == node_id:
                return self.line_of("nodes", index)
        return None

    @property
    def display_name(self) -> str:
        return str(self.path) if self.path else "<flow>"

    @property
    def sha256(self) -> str:
        return text_hash(self.text)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_flow(path: str | Path) -> LoadedFlow:
    path = Path(path)
    text = yamlio.read_text(path)
    return parse_flow(text, filename=str(path), path=path)


def parse_flow(text: str, filename: str = "<flow>", path: Path | None = None) -> LoadedFlow:
    document = yamlio.parse(text, filename)
    if not isinstance(document.data, dict):
        raise FlowError([Problem("a flow file must be a mapping of keys", file=filename, line=1)])
    try:
        raw, steps = migrate(document.data)
    except UnsupportedVersion as exc:
        line = document.lines.get(("format_version",)) or document.lines.get(("version",))
        raise FlowError([Problem(str(exc), file=filename, line=line)]) from None
    try:
        flow = Flow.model_validate(raw)
    except ValidationError as exc:
        raise FlowError(schema_problems(exc, document, raw, filename)) from None
    return LoadedFlow(flow, text, path, tuple(steps), document.lines)


def schema_problems(
    exc: ValidationError, document: yamlio.LocatedDocument, raw: Any, filename: str
) -> list[Problem]:
    """Translate pydantic errors into located, plain-worded problems."""
    by_path: dict[tuple[str | int, ...], list[str]] = {}
    for error in exc.errors():
        path = _data_path(raw, error["loc"])
        message = _plain_message(error, path)
        if message not in by_path.setdefault(path, []):
            by_path[path].append(message)
    return [Problem(_one_message(messages), file=filename, line=document.line_for(path),
                    node=_node_id(raw, path), path=".".join(str(p) for p in path))
            for path, messages in by_path.items()]


_VALID_TYPE = re.compile(r"^(?P<head>.*)Input should be a valid (?P<type>\w+)(?P<tail>.*)$")


def _one_message(messages: list[str]) -> str:
    """One problem per value: a union's alternatives ("should be a valid string",
    "… a valid integer") become one sentence listing the accepted types."""
    if len(messages) == 1:
        return messages[0]
    matches = [_VALID_TYPE.match(m) for m in messages]
    if all(matches):
        head = matches[0]["head"]  # type: ignore[index]
        kinds = [m["type"] for m in matches if m]
        return f"{head}should be one of: {', '.join(dict.fromkeys(kinds))}"
    return "; ".join(messages)


def _data_path(raw: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop the union-tag components pydantic adds so the path matches the document."""
    path: list[str | int] = []
    current = raw
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and _is_key_error(part):
            path.append(part)
            current = None
        # otherwise: a discriminator tag such as 'ai' or 'classify'; skip it
    return tuple(path)


CONDITION_TAGS = frozenset({"compare", "all", "any", "not"})


def _is_key_error(part: str) -> bool:
    """A location part that is not a union tag names a key (the node kinds' tags come from
    the node registry, so a newly registered kind's errors land on its fields)."""
    return part not in node_registry.tags() | CONDITION_TAGS


def _node_id(raw: Any, path: tuple[str | int, ...]) -> str | None:
    if len(path) >= 2 and path[0] == "nodes" and isinstance(raw, dict):
        try:
            node = raw["nodes"][path[1]]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            return node["id"]
    return None


def _plain_message(error: Any, path: tuple[str | int, ...]) -> str:
    field = str(path[-1]) if path else "flow"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{field}'"
    if kind == "missing":
        return f"'{field}' is required"
    if kind == "string_pattern_mismatch":
        return (f"'{field}' must be lowercase letters, digits and underscores, "
                f"starting with a letter (got {error.get('input')!r})")
    if kind in ("unknown_kind", "unknown_role"):
        word = "kind" if kind == "unknown_kind" else "role"
        given = error.get("input", {}).get(word) if isinstance(error.get("input"), dict) else None
        return f"unknown node {word} {given!r}; " + str(error["msg"]).split("; ")[-1]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not path:
        return message
    if isinstance(path[-1], int):  # a list item: name the list and the item's position
        keys = [p for p in path if isinstance(p, str)]
        owner = keys[-1] if keys else "list"
        return f"'{owner}' item {path[-1] + 1}: {message}"
    return f"'{field}': {message}"


def dump_flow(flow: Flow) -> str:
    """The canonical text of a flow."""
    data = flow.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data = {"format_version": flow.format_version, **data}
    data["nodes"] = [_node_dict(node) for node in flow.nodes]
    return yamlio.dump(data)


def _node_dict(node: Any) -> dict[str, Any]:
    """Nodes always show id, kind and role first, even when they are defaults."""
    body = node.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    head = {"id": node.id, "kind": node.kind}
    if getattr(node, "role", None):
        head["role"] = node.role
    if "position" in body:
        body["position"] = [_number(v) for v in body["position"]]
    return {**head, **{k: v for k, v in body.items() if k not in head}}


def _number(value: float) -> float | int:
    rounded = round(float(value), 1)
    return int(rounded) if rounded.is_integer() else rounded


def save_flow(flow: Flow, path: str | Path) -> str:
    """Write atomically (temp file + rename) so a crash never leaves half a flow."""
    path = Path(path)
    text = dump_flow(flow)
    atomic_write(path, text)
    return text


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
