"""The kinds of step a person can add, as plain data (orange-canvas-core's registry idea).

The palette, the canvas and the property panel all read this one list, so a new step kind
is one entry here plus its pydantic model in the runtime. The three AI roles are separate
entries with their own words because choosing the right role *is* the design decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from runtime.flow.schema import (
    ActionNode,
    AnyNode,
    AssistNode,
    ClassifyNode,
    DecisionNode,
    EndNode,
    EnforceNode,
    HumanNode,
    Option,
    StartNode,
)


@dataclass(frozen=True)
class NodeDescription:
    key: str  # "ai.classify": the palette's drag payload
    kind: str
    role: str | None
    title: str
    category: str
    summary: str  # one or two sentences: property panel header and palette tooltip
    id_stem: str
    model: type
    defaults: Callable[[], dict[str, Any]]
    blurb: str = ""  # a few words under the name in the palette

    def create(self, node_id: str, position: tuple[float, float] | None = None) -> AnyNode:
        data = {"id": node_id, "kind": self.kind, **self.defaults()}
        if self.role:
            data["role"] = self.role
        if position is not None:
            data["position"] = position
        return self.model.model_validate(data)


CATEGORIES = ("Start and finish", "AI steps", "Decisions and people", "Systems")

NODE_TYPES: tuple[NodeDescription, ...] = (
    NodeDescription(
        "start", "start", None, "Start", "Start and finish",
        "Where every run begins: the case arrives here.", "start", StartNode, dict,
        "Where every run begins."),
    NodeDescription(
        "end", "end", None, "End", "Start and finish",
        "Finishes the run with a named outcome (resolved, escalated…).", "done", EndNode,
        lambda: {"outcome": "done"}, "Finishes the run with an outcome."),
    NodeDescription(
        "ai.classify", "ai", "classify", "Classify", "AI steps",
        "Sorts the case into one of a few options (intent, urgency, risk) and says how "
        "sure it is.", "classify", ClassifyNode,
        lambda: {"title": "Classify", "question": "Which option fits this case?",
                 "options": [Option(name="first", description="when to choose it"),
                             Option(name="second", description="when to choose it")]},
        "Sorts the case into one of a few options."),
    NodeDescription(
        "ai.assist", "ai", "assist", "Assist", "AI steps",
        "Drafts a reply or next steps from your knowledge files for a person to use. "
        "Never changes anything.", "assist", AssistNode,
        lambda: {"title": "Draft a reply"}, "Drafts a reply for a person; never acts."),
    NodeDescription(
        "ai.enforce", "ai", "enforce", "Enforce", "AI steps",
        "Proposes changes to the record; guardrails decide what goes through and what a "
        "person must confirm.", "enforce", EnforceNode,
        lambda: {"title": "Update the record"}, "Proposes record changes within guardrails."),
    NodeDescription(
        "decision", "decision", None, "Decision", "Decisions and people",
        "Chooses a path with conditions on the case and earlier answers; always has an "
        "'otherwise' branch.", "decide", DecisionNode, lambda: {"title": "Decide"},
        "Chooses a path by conditions."),
    NodeDescription(
        "human", "human", None, "Human review", "Decisions and people",
        "Waits for a person to approve, reject or choose, with everything they need to "
        "decide.", "review", HumanNode, lambda: {"title": "Review"},
        "A person approves, rejects or chooses."),
    NodeDescription(
        "action", "action", None, "Action", "Systems",
        "Writes fixed or copied values to the system of record through a connector.",
        "act", ActionNode, lambda: {"title": "Update the record"},
        "Writes values to the system of record."),
)


BY_KEY = {d.key: d for d in NODE_TYPES}


def description(key: str) -> NodeDescription:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown step type '{key}'") from None


def description_for(node: object) -> NodeDescription:
    """The registry entry of an existing node (by kind, and role for AI nodes)."""
    role = getattr(node, "role", None)
    return BY_KEY[f"ai.{role}" if role else node.kind]  # type: ignore[attr-defined]


def unique_id(stem: str, taken: Iterable[str]) -> str:
    """`stem`, else `stem_2`, `stem_3`… — ids people can read in a YAML diff."""
    stem = slug(stem) or "step"
    used = set(taken)
    if stem not in used:
        return stem
    base = re.sub(r"_\d+$", "", stem) or stem
    number = 2
    while f"{base}_{number}" in used:
        number += 1
    return f"{base}_{number}"


def slug(text: str) -> str:
    """A valid node id from free text ("Approve refund!" → "approve_refund")."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if cleaned and not cleaned[0].isalpha():
        cleaned = f"step_{cleaned}"
    return cleaned[:64]
