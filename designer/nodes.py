"""One UI record per node kind, keyed like the runtime's node specs (`runtime.nodes`).

Everything the designer shows differently per kind is written here, in one keyword-only
record: the words (title, category, summary, blurb), the id a new step gets, its default
values, its glyph and accent colour, its shape on the canvas, the rows of its property
form, the caption, badges and facts its card shows, and for AI roles the prompt preview.
The palette, the canvas, the property panel and the editor read only these records, so a
new kind is its runtime spec, its executor and one record here (and a glyph painter if
none of the existing glyphs fits). A kind the runtime knows but this module does not is
still shown — with a plain look and a problem saying so — never dropped from the canvas.

Pure Python: no Qt, so the records can be tested and reviewed on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.api import (
    ActionNode,
    AnyNode,
    EnforceNode,
    Flow,
    NodeSpec,
    Option,
    Permission,
    assist_messages,
    classify_messages,
    enforce_messages,
    node_type,
    node_type_key,
    node_types,
)

CATEGORIES = ("Start and finish", "AI steps", "Decisions and people", "Systems")

# Property rows every kind shares; a record lists its own rows between them.
COMMON_HEAD = ("title",)
COMMON_TAIL = ("max_visits", "notes")
AI_TAIL = ("model", "autonomy", "guardrails")
RAIL_TAIL = ("on_missing_data", "max_calls", "retries")

RowSpec = str | tuple[str, ...]  # a field, or fields edited together ("fields", "limits")


@dataclass(frozen=True)
class Badge:
    text: str
    tone: str  # "neutral" | "accent" | "guard" | "autonomy" | "muted"
    tooltip: str = ""


def _no_badges(node: Any, header: Flow) -> list[Badge]:
    return []


def _no_facts(node: Any) -> list[str]:
    return []


def _own_title(record: NodeRecord, node: Any, header: Flow) -> str:
    return record.title


@dataclass(frozen=True, kw_only=True)
class NodeRecord:
    """How one node kind looks and is edited. `key` is the runtime spec's key."""

    key: str
    title: str
    category: str
    summary: str  # one or two sentences: property panel header and palette tooltip
    blurb: str  # a few words under the name in the palette
    id_stem: str  # a new step's id: `classify`, `classify_2`…
    glyph: str  # a painter in designer.canvas.glyphs.GLYPHS
    accent: str  # the kind's colour (#RRGGBB)
    rows: Sequence[RowSpec]  # the property form, in reading order
    guardrail_rows: Sequence[RowSpec] = ()  # the guardrails card, for kinds that have one
    shape: str = "card"  # "card" | "pill" | "diamond"
    defaults: Callable[[], dict[str, Any]] = dict
    caption: Callable[[NodeRecord, Any, Flow], str] = _own_title
    badges: Callable[[Any, Flow], list[Badge]] = _no_badges
    facts: Callable[[Any], list[str]] = _no_facts  # extra tooltip lines
    untitled: Callable[[Any], str] | None = None  # what an untitled step shows
    prompt: Callable[[Any, Flow, str], list[Any]] | None = None  # messages a model is sent
    palette: bool = True  # offered in the palette (a fallback record is not)
    problems: tuple[str, ...] = field(default=())  # shown on every step of this kind

    @property
    def spec(self) -> NodeSpec:
        return node_type(self.key)

    @property
    def is_ai(self) -> bool:
        return self.spec.kind == "ai"

    @property
    def display_name(self) -> str:
        """The kind's name in headers and the palette: AI roles say they are AI."""
        return f"AI · {self.title}" if self.is_ai else self.title

    def create(self, node_id: str, position: tuple[float, float] | None = None) -> AnyNode:
        spec = self.spec
        data: dict[str, Any] = {"id": node_id, "kind": spec.kind, **self.defaults()}
        if spec.role:
            data["role"] = spec.role
        if position is not None:
            data["position"] = position
        node: AnyNode = spec.model.model_validate(data)  # type: ignore[assignment]
        return node


# -- captions, badges and facts of the built-in kinds ------------------------------------


def _ai_caption(record: NodeRecord, node: Any, header: Flow) -> str:
    return f"AI · {record.title}"


def _autonomy_badge(node: Any, header: Flow) -> Badge:
    stage = (node.autonomy or header.autonomy).value
    own = node.autonomy is not None
    name = {"observe": "Observe", "copilot": "Co-pilot", "operate": "Operate"}[stage]
    return Badge(name, "autonomy" if own else "muted",
                 f"autonomy: {name}" + ("" if own else " (the flow's stage)"))


def _bands_badge(node: Any) -> Badge:
    bands = node.guardrails.bands
    return Badge(f"≥{bands.act:.2f}", "guard",
                 f"acts at ≥ {bands.act:.2f}, asks a person at ≥ {bands.suggest:.2f}, "
                 f"else {node.guardrails.fallback}")


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


def _classify_badges(node: Any, header: Flow) -> list[Badge]:
    return [Badge(f"{len(node.options)} options", "neutral",
                  ", ".join(o.name for o in node.options)),
            _bands_badge(node), _autonomy_badge(node, header)]


def _assist_badges(node: Any, header: Flow) -> list[Badge]:
    badges = []
    if node.knowledge:
        badges.append(Badge(f"{len(node.knowledge)} source" + "s" * (len(node.knowledge) > 1),
                            "neutral", "\n".join(node.knowledge)))
    return [*badges, _autonomy_badge(node, header)]


def _enforce_badges(node: Any, header: Flow) -> list[Badge]:
    return [*_field_badges(node), _bands_badge(node), _autonomy_badge(node, header)]


def _action_badges(node: Any, header: Flow) -> list[Badge]:
    return [*_field_badges(node), _autonomy_badge(node, header)]


def _human_badges(node: Any, header: Flow) -> list[Badge]:
    return [Badge(d, "neutral") for d in node.decisions]


def _classify_prompt(node: Any, flow: Flow, case: str) -> list[Any]:
    return classify_messages(node, case)


def _assist_prompt(node: Any, flow: Flow, case: str) -> list[Any]:
    knowledge = (["«the best-matching paragraphs of " + ", ".join(node.knowledge) + "»"]
                 if node.knowledge else [])
    return assist_messages(node, case, knowledge)


def _enforce_prompt(node: Any, flow: Flow, case: str) -> list[Any]:
    fields = [n for n, p in node.guardrails.fields.items() if p is not Permission.deny]
    return enforce_messages(node, flow, case, fields)


def _end_title(node: Any) -> str:
    return str(node.outcome).replace("_", " ").capitalize()


# -- the records ---------------------------------------------------------------------------

NODE_RECORDS: tuple[NodeRecord, ...] = (
    NodeRecord(
        key="start", title="Start", category="Start and finish",
        summary="Where every run begins: the case arrives here.",
        blurb="Where every run begins.", id_stem="start",
        glyph="start", accent="#079455", shape="pill",
        rows=("title", "notes"),
        caption=lambda record, node, header: "",
        untitled=lambda node: "Start"),
    NodeRecord(
        key="end", title="End", category="Start and finish",
        summary="Finishes the run with a named outcome (resolved, escalated…).",
        blurb="Finishes the run with an outcome.", id_stem="done",
        glyph="end", accent="#475467", shape="pill",
        defaults=lambda: {"outcome": "done"},
        rows=("title", "outcome", "notes"),
        caption=lambda record, node, header: f"outcome: {node.outcome}",
        facts=lambda node: [f"Outcome: <b>{node.outcome}</b>"],
        untitled=_end_title),
    NodeRecord(
        key="ai.classify", title="Classify", category="AI steps",
        summary="Sorts the case into one of a few options (intent, urgency, risk) and says "
                "how sure it is.",
        blurb="Sorts the case into one of a few options.", id_stem="classify",
        glyph="classify", accent="#7F56D9",
        defaults=lambda: {"title": "Classify", "question": "Which option fits this case?",
                          "options": [Option(name="first"),
                                      Option(name="second")]},
        rows=(*COMMON_HEAD, "question", "options", "input", "instructions", "method",
              "embedding_model", "temperature", *AI_TAIL, *COMMON_TAIL),
        guardrail_rows=("bands", "fallback", "confirm", *RAIL_TAIL),
        caption=_ai_caption, badges=_classify_badges, prompt=_classify_prompt),
    NodeRecord(
        key="ai.assist", title="Assist", category="AI steps",
        summary="Drafts a reply or next steps from your knowledge files for a person to "
                "use. Never changes anything.",
        blurb="Drafts a reply for a person; never acts.", id_stem="assist",
        glyph="assist", accent="#1570EF",
        defaults=lambda: {"title": "Draft a reply"},
        rows=(*COMMON_HEAD, "instructions", "input", "knowledge", "max_words", *AI_TAIL,
              *COMMON_TAIL),
        guardrail_rows=RAIL_TAIL,
        caption=_ai_caption, badges=_assist_badges, prompt=_assist_prompt),
    NodeRecord(
        key="ai.enforce", title="Enforce", category="AI steps",
        summary="Proposes changes to the record; guardrails decide what goes through and "
                "what a person must confirm.",
        blurb="Proposes record changes within guardrails.", id_stem="enforce",
        glyph="enforce", accent="#DC6803",
        defaults=lambda: {"title": "Update the record"},
        rows=(*COMMON_HEAD, "instructions", "input", *AI_TAIL, *COMMON_TAIL),
        guardrail_rows=(("fields", "limits"), "bands", "fallback", "confirm", *RAIL_TAIL),
        caption=_ai_caption, badges=_enforce_badges, prompt=_enforce_prompt),
    NodeRecord(
        key="decision", title="Decision", category="Decisions and people",
        summary="Chooses a path with conditions on the case and earlier answers; always "
                "has an 'otherwise' branch.",
        blurb="Chooses a path by conditions.", id_stem="decide",
        glyph="decision", accent="#0E9384", shape="diamond",
        defaults=lambda: {"title": "Decide"},
        rows=(*COMMON_HEAD, *COMMON_TAIL)),
    NodeRecord(
        key="human", title="Human review", category="Decisions and people",
        summary="Waits for a person to approve, reject or choose, with everything they "
                "need to decide.",
        blurb="A person approves, rejects or chooses.", id_stem="review",
        glyph="human", accent="#C11574",
        defaults=lambda: {"title": "Review"},
        rows=(*COMMON_HEAD, "assignee", "instructions", "decisions", "editable_fields",
              "limits", "timeout", *COMMON_TAIL),
        caption=lambda record, node, header: f"Person · {node.assignee}",
        badges=_human_badges),
    NodeRecord(
        key="action", title="Action", category="Systems",
        summary="Writes fixed or copied values to the system of record through a "
                "connector.",
        blurb="Writes values to the system of record.", id_stem="act",
        glyph="action", accent="#4E5BA6",
        defaults=lambda: {"title": "Update the record"},
        rows=(*COMMON_HEAD, "connector", "set", "copy_from", "autonomy", "guardrails",
              *COMMON_TAIL),
        guardrail_rows=(("fields", "limits"), "confirm", "fallback", "on_missing_data"),
        caption=lambda record, node, header: f"Action → {node.connector}",
        badges=_action_badges),
)

_records: dict[str, NodeRecord] = {r.key: r for r in NODE_RECORDS}

FALLBACK_GLYPH = "warning"
FALLBACK_ACCENT = "#475467"


def records() -> tuple[NodeRecord, ...]:
    """Every record, built-in first, in palette order."""
    return tuple(_records.values())


def record(key: str) -> NodeRecord:
    """The record of a palette key; KeyError for a key the runtime does not know."""
    if key in _records:
        return _records[key]
    node_type(key)  # raises KeyError("unknown node type …") for a key nobody knows
    return fallback_record(key)


def record_for(node: Any) -> NodeRecord:
    return record(node_type_key(node))


def record_for_model(model: type) -> NodeRecord:
    return next(r for r in records() if r.spec.model is model)


def fallback_record(key: str) -> NodeRecord:
    """A plain look for a kind the runtime knows and the designer does not: the step is
    shown and editable (every field as a generic row), with a problem on its card."""
    spec = node_type(key)
    rows = tuple(name for name in spec.model.model_fields
                 if name not in ("id", "kind", "role", "position"))
    return NodeRecord(
        key=key, title=key, category="Other", summary=f"A '{key}' step.", blurb="",
        id_stem=re.sub(r"[^a-z0-9]+", "_", key), glyph=FALLBACK_GLYPH,
        accent=FALLBACK_ACCENT, rows=rows, palette=False,
        problems=(f"the designer has no record for node type '{key}'; it is shown with "
                  "a plain look",))


def register(new: NodeRecord) -> None:
    """Add (or replace) the record of a kind registered in the runtime."""
    node_type(new.key)
    _records[new.key] = new


def unregister(key: str) -> None:
    if key in {r.key for r in NODE_RECORDS}:
        raise ValueError(f"'{key}' is a built-in node type")
    _records.pop(key, None)


def missing_records() -> list[str]:
    """Runtime node types without a designer record (a test keeps this empty)."""
    return [s.key for s in node_types() if s.key not in _records]


# -- ids ---------------------------------------------------------------------------------


def unique_id(stem: str, taken: Iterable[str]) -> str:
    """`stem`, else `stem_2`, `stem_3`… — ids people can read in a YAML diff."""
    stem = slug(stem) or "step"
    # A set is used as it is: pasting 2,000 steps copied a 4,000-id set per step.
    used = taken if isinstance(taken, set | frozenset) else set(taken)
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
