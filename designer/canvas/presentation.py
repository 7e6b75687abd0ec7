"""What a step or a connection shows on the canvas, computed from the model.

Graphics items receive these small value objects and never the node models themselves,
so the document stays the only source of truth and the words on the canvas can be tested
without painting anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from designer import nodes
from designer.nodes import Badge
from runtime.api import AnyNode, Edge, Flow, describe


@dataclass(frozen=True)
class NodeLook:
    node_id: str
    type_key: str  # node type key: "ai.classify", "human", …
    shape: str  # "pill" | "card" | "diamond"
    title: str
    caption: str
    badges: tuple[Badge, ...] = ()
    tooltip: str = ""
    problems: tuple[str, ...] = field(default=())
    glyph: str = "warning"  # a painter in canvas.glyphs
    accent: str = "#475467"


def node_look(node: AnyNode, header: Flow, problems: tuple[str, ...] = ()) -> NodeLook:
    """How a step looks, from its kind's record in designer.nodes (a kind without one
    still shows, with a plain look and a problem)."""
    record = nodes.record_for(node)
    badges = record.badges(node, header)
    if node.max_visits:
        badges.append(Badge(f"≤{node.max_visits}×", "neutral", "visit limit"))
    return NodeLook(
        node_id=node.id,
        type_key=record.key,
        shape=record.shape,
        title=display_title(node),
        caption=record.caption(record, node, header),
        badges=tuple(badges),
        tooltip=_tooltip(node, record),
        problems=(*record.problems, *problems),
        glyph=record.glyph,
        accent=record.accent,
    )


def display_title(node: AnyNode) -> str:
    """The title, or words for an untitled step (a start, an end's outcome) rather than
    its bare id."""
    if node.title:
        return node.title
    untitled = nodes.record_for(node).untitled
    return untitled(node) if untitled else node.id


def _tooltip(node: AnyNode, record: nodes.NodeRecord) -> str:
    lines = [f"<b>{node.label()}</b> <span style='color:#98A2B3'>({node.id})</span>",
             *record.facts(node), record.summary]
    if node.notes:
        lines.append(f"<i>{node.notes}</i>")
    return "<br>".join(lines)


@dataclass(frozen=True)
class EdgeLook:
    label: str
    tone: str  # "condition" | "otherwise" | "outcome" | "plain"
    tooltip: str = ""


MAX_LABEL = 30


OTHERWISE = "Otherwise"  # the UI's word for the file's `else: true` branch


def edge_look(edge: Edge) -> EdgeLook:
    """The label a person reads on a connection, in the UI's words: the option or
    condition it is taken on ("Refund", "Customer tier is enterprise"), "Otherwise", or
    the outcome it follows ("Approve"); the full condition is in the tooltip."""
    if edge.label:
        return EdgeLook(_short(edge.label), "outcome", edge.label)
    if edge.when is not None:
        text = describe(edge.when)
        words = _sentence(business_words(text))
        return EdgeLook(_short(words), "condition", f"When {_lower_first(words)}\n({text})")
    if edge.else_:
        return EdgeLook(OTHERWISE, "otherwise", "Taken when no other branch matches")
    if edge.on:
        words = _sentence(edge.on.replace("_", " "))
        return EdgeLook(words, "outcome", f"Followed when the step ends with “{edge.on}”")
    return EdgeLook("", "plain")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


_ANSWER_IS = re.compile(r"\b[a-z][a-z0-9_]*\.(?:label|decision) = ([^\s]+)")
_ANSWER_IN = re.compile(r"\b[a-z][a-z0-9_]*\.(?:label|decision) in \[([^\]]*)\]")
_FIELD = re.compile(r"\b(?:case|record)\.([a-z][a-z0-9_]*)")
_LIST = re.compile(r"\[([^\]]*)\]")
_IS = re.compile(r"([a-z][a-z0-9 ]*) = ([^\s()]+)")


def business_words(text: str) -> str:
    """A condition as an analyst says it: `intake.label = spam` is "spam",
    `case.customer_tier in ['pro', 'enterprise']` is "customer tier in pro or enterprise"."""
    def value(raw: str) -> str:  # an option or a value: `wrong_item` reads "wrong item"
        return raw.strip().strip("'\"").replace("_", " ")

    def either(items: str) -> str:
        return " or ".join(value(part) for part in items.split(","))

    text = _ANSWER_IN.sub(lambda m: either(m.group(1)), text)
    text = _ANSWER_IS.sub(lambda m: value(m.group(1)), text)
    text = _FIELD.sub(lambda m: m.group(1).replace("_", " "), text)
    text = _LIST.sub(lambda m: either(m.group(1)), text)
    return _IS.sub(lambda m: f"{m.group(1)} is {value(m.group(2))}", text)


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
