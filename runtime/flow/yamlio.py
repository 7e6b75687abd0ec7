"""Strict, safe YAML reading that remembers where every value came from.

`yaml.safe_load` alone accepts duplicate keys silently and expands alias bombs; flows are
written by hand, so both must be clear errors naming the file and the line. We compose
the document with the safe loader and build Python values ourselves, recording the line
of every mapping key and sequence item so later schema errors can point at a line too.

Where libyaml (`CSafeLoader`) is installed, a well-formed file is read in one pass over
libyaml's event stream (`_read_events`): no node tree, no second pass for the depth check,
scalar tags resolved once per distinct value. A 2,000-step flow took ~1.7 s through the
composed tree and takes a fraction of that this way. Anything unusual — an alias, a
duplicate key, a strange tag, a document libyaml rejects — is read again by the careful
path (compose in pure Python, then `_Builder`), so every error message and line reads the
same on every machine; where libyaml is missing, the careful path does all of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runtime.errors import FlowError, Problem

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_VALUES = 200_000  # values built, counting every alias expansion
MAX_DEPTH = 64  # nesting levels; a flow needs ~6, and deeper input would exhaust the stack

PathKey = tuple[str | int, ...]

FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class LocatedDocument:
    """A parsed document plus the 1-based line of each value, keyed by its path."""

    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_for(self, path: PathKey) -> int | None:
        """The line of the deepest known ancestor of `path`."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Builder:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: dict[PathKey, int] = {}
        self.count = 0
        self.scalar_loader = yaml.SafeLoader("")

    def problem(self, node: yaml.Node, message: str) -> FlowError:
        return FlowError([Problem(message, file=self.filename, line=node.start_mark.line + 1)])

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.problem(
                node,
                f"the document expands to more than {MAX_VALUES:,} values "
                "(an alias bomb or a runaway file); refusing to load it",
            )
        self.lines.setdefault(path, node.start_mark.line + 1)
        if len(path) > MAX_DEPTH:
            raise self.problem(node, f"nested more than {MAX_DEPTH} levels deep; a flow "
                                     "file is never that deep, refusing to load it")
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
            raise self.problem(node, f"unsupported YAML tag {node.tag}")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.problem(key_node, "merge keys ('<<') are not allowed in flow files")
            key = self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise self.problem(
                    key_node, f"duplicate key '{key}' (first defined on line {seen[key]})"
                )
            seen[key] = line
            self.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key))
        return result

    def _key(self, node: yaml.Node) -> str:
        """Keys are names, taken literally: YAML 1.1 would turn `on:` or `no:` into booleans."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.problem(node, "a key must be a plain value, not a list or mapping")
        return str(node.value)

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.problem(node, "a key must be a plain value, not a list or mapping")
        constructor = yaml.SafeLoader.yaml_constructors.get(node.tag)
        if constructor is None:
            raise self.problem(node, f"unsupported YAML tag {node.tag}")
        try:
            return constructor(self.scalar_loader, node)
        except yaml.YAMLError as exc:
            raise self.problem(node, f"bad value: {exc}") from None


def read_text(path: Path) -> str:
    """Read a flow file, refusing oversized or non-UTF-8 files with a clear message."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FlowError([Problem("file not found", file=str(path))]) from None
    except OSError as exc:
        raise FlowError([Problem(f"cannot read the file ({exc.strerror or exc})",
                                 file=str(path))]) from None
    if path.is_dir():
        raise FlowError([Problem("is a folder, not a flow file", file=str(path))])
    if size > MAX_FILE_BYTES:
        raise FlowError([Problem(
            f"file is {size:,} bytes; flow files are limited to {MAX_FILE_BYTES:,} bytes",
            file=str(path),
        )])
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FlowError([Problem(f"not UTF-8 text ({exc.reason})", file=str(path))]) from None
    except OSError as exc:
        raise FlowError([Problem(f"cannot read the file ({exc.strerror or exc})",
                                 file=str(path))]) from None


def parse(text: str, filename: str) -> LocatedDocument:
    """Parse one YAML document strictly; every failure is a FlowError with a line."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise FlowError([Problem("document too large", file=filename)])
    if FAST_LOADER is not yaml.SafeLoader:
        try:
            data, lines = _read_events(yaml.parse(text, Loader=FAST_LOADER))
        except (_Unusual, yaml.YAMLError, RecursionError):
            pass  # the careful path below reads it again and says what is wrong
        else:
            if data is _NOTHING:
                raise FlowError([Problem("the file is empty", file=filename)])
            return LocatedDocument(data, lines)
    try:
        _check_depth(text, filename)
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or str(exc)
        raise FlowError([Problem(f"not valid YAML: {reason}", file=filename, line=line)]) from None
    except yaml.YAMLError as exc:
        raise FlowError([Problem(f"not valid YAML: {exc}", file=filename)]) from None
    except RecursionError:  # PyYAML composes recursively: very deep nesting ends here
        raise FlowError([Problem(f"nested too deeply to read (a flow file needs a few "
                                 f"levels; the limit is {MAX_DEPTH})", file=filename)]) from None
    if root is None:
        raise FlowError([Problem("the file is empty", file=filename)])
    builder = _Builder(filename)
    data = builder.build(root, ())
    return LocatedDocument(data, builder.lines)


class _Unusual(Exception):
    """The one-pass reader met something only the careful path reports precisely."""


_NOTHING: Any = object()
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Frame:
    """An open mapping or sequence while reading events, and the key awaiting a value."""

    __slots__ = ("container", "is_map", "key", "key_path", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: PathKey) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.path = path
        self.key: str | None = None
        self.key_path: PathKey = ()


class _Scalars:
    """Scalar values as the safe loader would construct them, each distinct plain value
    resolved and constructed once (a flow repeats `kind: ai`, `op: eq`… thousands of
    times)."""

    def __init__(self) -> None:
        self.loader = yaml.SafeLoader("")
        self.tags: dict[str, str] = {}
        self.values: dict[tuple[str, str], Any] = {}

    def tag_of(self, event: yaml.ScalarEvent) -> str:
        tag = event.tag
        if tag is not None and tag != "!":
            return tag
        if not event.implicit[0]:
            return _STR_TAG
        found = self.tags.get(event.value)
        if found is None:
            found = self.tags[event.value] = self.loader.resolve(
                yaml.ScalarNode, event.value, (True, False))
        return found

    def value_of(self, event: yaml.ScalarEvent) -> Any:
        tag = self.tag_of(event)
        if tag == _STR_TAG:
            return event.value
        key = (tag, event.value)
        if key in self.values:
            return self.values[key]
        constructor = yaml.SafeLoader.yaml_constructors.get(tag)
        if constructor is None or tag == _MERGE_TAG:
            raise _Unusual(tag)
        node = yaml.ScalarNode(tag, event.value, style=event.style)  # marks: errors re-read
        value = self.values[key] = constructor(self.loader, node)
        return value


def _read_events(events: Any) -> tuple[Any, dict[PathKey, int]]:
    """Values and line marks straight from the event stream, with the careful path's
    limits and marks; raises `_Unusual` for anything it leaves to the careful path.
    (Written for speed: one pass, type checks by identity, each path tuple built once.)"""
    scalars = _Scalars()
    lines: dict[PathKey, int] = {}
    stack: list[_Frame] = []
    root: Any = _NOTHING
    count = documents = 0
    scalar_event, mapping_start = yaml.ScalarEvent, yaml.MappingStartEvent
    starts = {scalar_event, mapping_start, yaml.SequenceStartEvent}
    ends = {yaml.MappingEndEvent, yaml.SequenceEndEvent}
    for event in events:
        kind = type(event)
        if kind in starts:
            line = event.start_mark.line + 1
            frame = stack[-1] if stack else None
            if frame is not None and frame.is_map and frame.key is None:
                if kind is not scalar_event or scalars.tag_of(event) == _MERGE_TAG:
                    raise _Unusual("key")
                key = event.value
                if key in frame.container:
                    raise _Unusual("duplicate key")
                frame.key = key
                frame.key_path = (*frame.path, key)
                lines[frame.key_path] = line
                continue
            if frame is None:
                path: PathKey = ()
                lines.setdefault(path, line)
            elif frame.is_map:
                path = frame.key_path  # its line is the key's, already recorded
            else:
                path = (*frame.path, len(frame.container))
                lines.setdefault(path, line)
            count += 1
            if count > MAX_VALUES or len(path) > MAX_DEPTH or len(stack) >= MAX_DEPTH:
                raise _Unusual("limits")
            value: Any
            if kind is scalar_event:
                value = scalars.value_of(event)
            else:
                if event.tag not in (None, "!") and event.tag not in _COLLECTION_TAGS:
                    raise _Unusual(event.tag)
                value = {} if kind is mapping_start else []
                stack.append(_Frame(value, path))
            if frame is None:
                root = value
            elif frame.is_map:
                frame.container[frame.key] = value  # type: ignore[call-overload,index]
                frame.key = None
            else:
                frame.container.append(value)  # type: ignore[union-attr]
        elif kind in ends:
            stack.pop()
        elif kind is yaml.AliasEvent:
            raise _Unusual("alias")
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual("documents")
    return root, lines


def _check_depth(text: str, filename: str) -> None:
    """Refuse deep nesting before composing: PyYAML's composer recurses once per level, so
    a few thousand brackets would exhaust the stack (and take seconds to unwind). The event
    stream is flat, and with libyaml it costs little."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=FAST_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise FlowError([Problem(f"nested more than {MAX_DEPTH} levels deep; a "
                                             "flow file is never that deep, refusing to "
                                             "load it", file=filename, line=line)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # not valid YAML: composing says why, in the same words everywhere


def _compose(text: str) -> yaml.Node | None:
    """The node tree, by libyaml when it can; a rejected document goes through the
    pure-Python loader so the error (and its wording) is the same everywhere."""
    if FAST_LOADER is not yaml.SafeLoader:
        try:
            return yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


_QUOTED_KEY = re.compile(r"^(\s*(?:- |\{)?)'(on|off|yes|no|y|n|true|false)':", re.MULTILINE)
_QUOTED_INLINE_KEY = re.compile(r"([{,] )'(on|off|yes|no|y|n|true|false)':")
FLOW_STYLE_WIDTH = 90


class _FlowDumper(yaml.SafeDumper):
    """Short lists of scalars and small flat mappings are written on one line
    (`values: [low, high]`, `- {from: a, to: b}`): how a person would write them."""


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _short(items: list[Any]) -> bool:
    return sum(len(str(v)) + 2 for v in items) < FLOW_STYLE_WIDTH and all(
        "\n" not in str(v) for v in items)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(_is_scalar(v) for v in data) and _short(data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flat = all(_is_scalar(v) for v in data.values())
    flow = bool(data) and flat and _short([*data, *data.values()]) and len(data) <= 4
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_float(dumper: yaml.SafeDumper, data: float) -> yaml.Node:
    """Whole numbers are written as people write them (`max: 200`, not `200.0`); the
    schema reads them back as the same number."""
    if data.is_integer() and abs(data) < 1e15:
        return dumper.represent_int(int(data))
    return dumper.represent_float(data)


_FlowDumper.add_representer(float, _represent_float)
_FlowDumper.add_representer(list, _represent_list)
_FlowDumper.add_representer(dict, _represent_dict)


def dump(data: Any) -> str:
    """Serialise in a stable, readable form: insertion order, unicode kept.

    PyYAML quotes keys such as `on` because YAML 1.1 reads them as booleans; our reader
    takes keys literally, so they are written plainly to keep files natural to edit.
    """
    text = yaml.dump(data, Dumper=_FlowDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
    text = _QUOTED_KEY.sub(r"\1\2:", text)
    return _QUOTED_INLINE_KEY.sub(r"\1\2:", text)
