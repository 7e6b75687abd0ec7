"""The chain that brings older flow files up to the current format version.

Each step is a pure function from the raw mapping of version N to version N+1. Files from
a newer Junction are refused rather than guessed at. Version 0 was the pre-release draft
format (`version:` instead of `format_version:`, `type:` instead of `kind:` on nodes,
`edges` written as `{from, to, condition}`); its fixtures stay frozen in the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.flow.schema import FORMAT_VERSION

Raw = dict[str, Any]


def _v0_to_v1(doc: Raw) -> Raw:
    out = {k: v for k, v in doc.items() if k != "version"}
    out["format_version"] = 1
    nodes = []
    for node in doc.get("nodes", []) or []:
        node = dict(node)
        if "type" in node and "kind" not in node:
            node["kind"] = node.pop("type")
        nodes.append(node)
    out["nodes"] = nodes
    edges = []
    for edge in doc.get("edges", []) or []:
        edge = dict(edge)
        if "condition" in edge:
            cond = edge.pop("condition")
            if cond == "else":
                edge["else"] = True
            else:
                edge["when"] = cond
        edges.append(edge)
    out["edges"] = edges
    return out


MIGRATIONS: dict[int, Callable[[Raw], Raw]] = {0: _v0_to_v1}


class UnsupportedVersion(ValueError):
    pass


def detect_version(doc: Raw) -> int:
    """`format_version` (or the v0 `version`); a file without either is taken as current."""
    version = doc.get("format_version", doc.get("version", FORMAT_VERSION))
    if isinstance(version, bool) or not isinstance(version, int):
        raise UnsupportedVersion(f"format_version must be a whole number, got {version!r}")
    return version


def migrate(doc: Raw) -> tuple[Raw, list[int]]:
    """Migrate to FORMAT_VERSION; returns the new mapping and the versions passed through."""
    version = detect_version(doc)
    if version > FORMAT_VERSION:
        raise UnsupportedVersion(
            f"format_version {version} is newer than this Junction supports "
            f"({FORMAT_VERSION}); update Junction to open this flow"
        )
    if version < 0:
        raise UnsupportedVersion(f"format_version {version} is not a valid version")
    steps = []
    while version < FORMAT_VERSION:
        doc = MIGRATIONS[version](doc)
        steps.append(version)
        version += 1
    return doc, steps
