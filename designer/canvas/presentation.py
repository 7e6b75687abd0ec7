"""What a step or a connection shows on the canvas, computed from the model.

Graphics items receive these small value objects and never the node models themselves,
so the document stays the only source of truth and the words on the canvas can be tested
without painting anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from designer import registry
from runtime.api import Flow, describe
from runtime.flow.schema import (
    ActionNode,
    AINodeBase,
    AnyNode,
    AssistNode,
    ClassifyNode,
    Edge,
    EndNode,
    EnforceNode,
    HumanNode,
    Permission,
)

SHAPES = {"start": "pill", "end": "pill", "decision": "diamond"}


@dataclass(frozen=True)
class Badge:
    text: str
    tone: str  # "neutral" | "accent" | "guard" | "autonomy" | "muted"
    tooltip: str = ""


@dataclass(frozen=True)
class NodeLook:
    node_id: str
    type_key: str  # registry key: "ai.classify", "human", …
    shape: str  # "pill" | "card" | "diamond"
    title: str
    caption: str
    badges: tuple[Badge, ...] = ()
    tooltip: str = ""
    problems: tuple[str, ...] = field(default=())


def node_look(node: AnyNode, header: Flow, problems: tuple[str, ...] = ()) -> NodeLook:
    kind = registry.description_for(node)
    return NodeLook(
        node_id=node.id,
        type_key=kind.key,
        shape=SHAPES.get(node.kind, "card"),
        title=display_title(node),
        caption=_caption(node, kind.title),
        badges=tuple(_badges(node, header)),
        tooltip=_tooltip(node, kind),
        problems=problems,
    )


def display_title(node: AnyNode) -> str:
    """The title, or words for an untitled start or end rather than its bare id."""
    if node.title:
        return node.title
    if node.kind == "start":
        return "Start"
    if isinstance(node, EndNode):
        return node.outcome.replace("_", " ").capitalize()
    return node.id


def _caption(node: AnyNode, type_title: str) -> str:
    if isinstance(node, EndNode):
        return f"outcome: {node.outcome}"
    if node.kind == "start":
        return ""
    if isinstance(node, AINodeBase):
        return f"AI · {type_title}"
    if isinstance(node, HumanNode):
        return f"Person · {node.assignee}"
    if isinstance(node, ActionNode):
        return f"Action → {node.connector}"
    return type_title


def _badges(node: AnyNode, header: Flow) -> list[Badge]:
    badges: list[Badge] = []
    if isinstance(node, ClassifyNode):
        badges.append(Badge(f"{len(node.options)} options", "neutral",
                            ", ".join(o.name for o in node.options)))
    if isinstance(node, EnforceNode | ActionNode):
        badges.extend(_field_badges(node))
    if isinstance(node, ClassifyNode | EnforceNode):
        bands = node.guardrails.bands
        badges.append(Badge(f"≥{bands.act:.2f}", "guard",
                            f"acts at ≥ {bands.act:.2f}, asks a person at ≥ "
                            f"{bands.suggest:.2f}, else {node.guardrails.fallback}"))
    if isinstance(node, AssistNode) and node.knowledge:
        badges.append(Badge(f"{len(node.knowledge)} source" + "s" * (len(node.knowledge) > 1),
                            "neutral", "\n".join(node.knowledge)))
    if isinstance(node, AINodeBase | ActionNode):
        stage = (node.autonomy or header.autonomy).value
        own = node.autonomy is not None
        name = {"observe": "Observe", "copilot": "Co-pilot", "operate": "Operate"}[stage]
        badges.append(Badge(name, "autonomy" if own else "muted",
                            f"autonomy: {name}" + ("" if own else " (the flow's stage)")))
    if isinstance(node, HumanNode):
        badges.extend(Badge(d, "neutral") for d in node.decisions)
    if node.max_visits:
        badges.append(Badge(f"≤{node.max_visits}×", "neutral", "visit limit"))
    return badges


def _field_badges(node: EnforceNode | ActionNode) -> list[Badge]:
    rails = node.guardrails
    if isinstance(node, ActionNode) and (node.set or node.copy_from):
        names = list(node.set) + list(node.copy_from)
        return [Badge(f"sets {len(names)}", "accent", "writes: " + ", ".join(names))]
    allowed = [n for n, p in rails.fields.items() if p is Permission.allow]
    suggested = [n for n, p in rails.fields.items() if p is Permission.suggest]
    badges = []
    if allowed:
        badges.append(Badge(f"✎ {len(allowed)}", "accent", "may write: " + ", ".join(allowed)))
    if suggested:
        badges.append(Badge(f"? {len(suggested)}", "guard",
                            "a person confirms: " + ", ".join(suggested)))
    if rails.confirm:
        badges.append(Badge("confirm", "guard", "a person always confirms this step"))
    return badges


def _tooltip(node: AnyNode, kind: registry.NodeDescription) -> str:
    lines = [f"<b>{node.label()}</b> <span style='color:#98A2B3'>({node.id})</span>",
             kind.summary]
    if isinstance(node, EndNode):
        lines.insert(1, f"Outcome: <b>{node.outcome}</b>")
    if node.notes:
        lines.append(f"<i>{node.notes}</i>")
    return "<br>".join(lines)


@dataclass(frozen=True)
class EdgeLook:
    label: str
    tone: str  # "condition" | "otherwise" | "outcome" | "plain"
    tooltip: str = ""


MAX_LABEL = 30


def edge_look(edge: Edge) -> EdgeLook:
    if edge.label:
        return EdgeLook(_short(edge.label), "outcome", edge.label)
    if edge.when is not None:
        text = describe(edge.when)
        return EdgeLook(_short(text), "condition", f"when {text}")
    if edge.else_:
        return EdgeLook("otherwise", "otherwise", "taken when no other branch matches")
    if edge.on:
        return EdgeLook(edge.on, "outcome", f"followed on '{edge.on}'")
    return EdgeLook("", "plain")


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
