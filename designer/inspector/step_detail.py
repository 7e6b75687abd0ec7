"""`StepDetail`: everything one recorded step says, laid out for a person reading it.

Inputs, the prompt sent, the model's raw reply, the parsed result, the probabilities as a
bar chart with whether the confidence was measured or self-reported, every guardrail
verdict with its reason, record changes before → after, who decided, timings, attempts
and tokens. Model and case text is shown as plain text only (QPlainTextEdit, QLabel with
PlainText format, table items): a reply containing HTML reads as the characters it is.
What the store did not record is said plainly: "not recorded".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.inspector.bars import ProbabilityBars
from designer.inspector.format import NOT_RECORDED, inline, local_time, milliseconds, plain
from runtime.api import StepFacts

CONFIDENCE_KINDS = {
    "measured": "measured from the model's own probabilities",
    "self-reported": "self-reported by the model — not a measured probability",
    "self_reported": "self-reported by the model — not a measured probability",
    "scripted": "written in a scripted answer file — not measured",
}
OUTCOME_WORDS = {"pass": "passed", "drop": "dropped", "block": "blocked", "hold": "held",
                 "apply": "applied", "suggest": "held for a person"}


def text_label(text: str, role: str | None = None) -> QLabel:
    """A label that never interprets its text as rich text."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setText(text)
    if role:
        label.setProperty("role", role)
    return label


class TextBox(QPlainTextEdit):
    """Read-only plain text sized to its content (up to a limit, then it scrolls)."""

    def __init__(self, text: str, max_lines: int = 14) -> None:
        super().__init__()
        self.setReadOnly(True)
        self.setPlainText(text)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lines = min(max_lines, max(1, text.count("\n") + 1 + len(text) // 110))
        self.setFixedHeight(int(self.fontMetrics().lineSpacing() * lines + 14))


def _table(headers: list[str], rows: list[list[str]], hits: list[bool] | None = None
           ) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setWordWrap(True)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if hits and hits[r]:
                item.setForeground(QBrush(theme.color(theme.DANGER)))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    for c in range(len(headers) - 1):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    table.resizeRowsToContents()
    height = header.height() + sum(table.rowHeight(r) for r in range(len(rows))) + 4
    table.setFixedHeight(max(height, 30))
    return table


class StepDetail(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.facts: StepFacts | None = None
        self.bars: ProbabilityBars | None = None
        self.sections: dict[str, QWidget] = {}
        self.show_nothing()

    # -- content -----------------------------------------------------------------------

    def show_nothing(self, text: str = "Choose a step on the left to see what it did.") -> None:
        self.facts, self.bars, self.sections = None, None, {}
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(text_label(text, "caption"))
        layout.addStretch(1)
        self.setWidget(body)

    def show_step(self, facts: StepFacts, title: str) -> None:
        self.facts, self.bars, self.sections = facts, None, {}
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(12, 8, 12, 12)
        self._layout.setSpacing(4)
        step = facts.step
        head = text_label(f"{step.seq}. {title}")
        head.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self._layout.addWidget(head)
        bits = [kind_words(step.kind), f"status {step.status}"]
        if step.autonomy:
            bits.append(f"stage {step.autonomy}")
        if step.visit > 1:
            bits.append(f"visit {step.visit}")
        self._layout.addWidget(text_label(" · ".join(bits), "caption"))
        if step.error:
            error = text_label(f"Error: {step.error}")
            error.setStyleSheet(f"color: {theme.DANGER}; font-weight: bold;")
            self._layout.addWidget(error)
        self._decision(facts)
        self._probabilities(facts)
        self._guardrails(facts)
        self._changes(facts)
        self._box("inputs", "What went in", facts.inputs)
        if step.kind.startswith("ai") or step.model_call:
            self._prompt(facts)
            self._box("reply", "The model's raw reply", facts.raw_reply)
        self._box("parsed", "Parsed result", facts.parsed)
        self._timing(facts)
        self._layout.addStretch(1)
        self.setWidget(body)

    def _section(self, key: str, title: str, widget: QWidget | None = None) -> None:
        heading = text_label(title.upper(), "section")
        heading.setContentsMargins(0, 10, 0, 0)
        self._layout.addWidget(heading)
        if widget is not None:
            self._layout.addWidget(widget)
            self.sections[key] = widget

    def _box(self, key: str, title: str, value: Any) -> None:
        if value is None:
            self._section(key, title, text_label(NOT_RECORDED, "caption"))
        else:
            self._section(key, title, TextBox(plain(value)))

    def _prompt(self, facts: StepFacts) -> None:
        if facts.prompt is None:
            self._section("prompt", "Prompt sent", text_label(NOT_RECORDED, "caption"))
            return
        text = "\n\n".join(f"[{m.get('role', '?')}]\n{m.get('content', '')}"
                           for m in facts.prompt)
        self._section("prompt", "Prompt sent", TextBox(plain(text), max_lines=18))

    def _decision(self, facts: StepFacts) -> None:
        step = facts.step
        lines = []
        decision = step.decision if isinstance(step.decision, dict) else {}
        if decision:
            lines.append(decision_words(decision))
        human = facts.human
        if human is not None:
            if human.status == "open":
                lines.append("Waiting for a person (the task is open in the inbox).")
            else:
                who = human.decided_by or "someone not recorded"
                when = local_time(human.decided_at)
                choice = ", ".join(f"{k} {inline(v, 60)}" for k, v in human.decision.items())
                lines.append(f"Decided by {who}{' at ' + when if when else ''} "
                             f"({human.status}): {choice or NOT_RECORDED}")
        elif step.kind == "human":
            lines.append(f"Human decision: {NOT_RECORDED}")
        if step.next_node:
            lines.append(f"Next step: {step.next_node}")
        text = "\n".join(line for line in lines if line)
        if text:
            self._section("decision", "Decision", text_label(text))

    def _probabilities(self, facts: StepFacts) -> None:
        if facts.probabilities is None and facts.confidence is None:
            return
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        kind = facts.confidence_kind
        how = CONFIDENCE_KINDS.get(kind or "", kind or "how it was obtained is not recorded")
        if facts.confidence is not None:
            confidence = text_label(f"Confidence {facts.confidence:.2f} — {how}")
            confidence.setStyleSheet("font-weight: bold;")
            layout.addWidget(confidence)
        if facts.probabilities:
            self.bars = ProbabilityBars()
            chosen = (facts.parsed or {}).get("label") if isinstance(facts.parsed, dict) else None
            self.bars.set_probabilities(facts.probabilities, chosen)
            layout.addWidget(self.bars)
        title = "Probabilities per option" if facts.probabilities else "Confidence"
        self._section("probabilities", title, box)

    def _guardrails(self, facts: StepFacts) -> None:
        if not facts.verdicts:
            if facts.step.kind.startswith("ai") or facts.step.kind == "action":
                self._section("guardrails", "Guardrails",
                              text_label("No guardrail verdict was recorded for this step.",
                                         "caption"))
            return
        hits = len(facts.hits)
        summary = (f"{hits} guardrail hit{'s' * (hits != 1)} — the AI was stopped or held "
                   "where marked in red" if hits else "Every guardrail passed.")
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        note = text_label(summary)
        if hits:
            note.setStyleSheet(f"color: {theme.DANGER}; font-weight: bold;")
        layout.addWidget(note)
        rows = [[v.rule.replace("_", " "), v.field or "—",
                 OUTCOME_WORDS.get(v.outcome, v.outcome), v.reason or NOT_RECORDED]
                for v in facts.verdicts]
        layout.addWidget(_table(["Rule", "Field", "Verdict", "Why"], rows,
                                [v.hit for v in facts.verdicts]))
        self._section("guardrails", "Guardrails", box)

    def _changes(self, facts: StepFacts) -> None:
        if not facts.changes:
            return
        rows = []
        for change in facts.changes:
            if not change.before_known:
                before = NOT_RECORDED
            elif change.before is None:
                before = "(empty)"
            else:
                before = inline(change.before, 80)
            rows.append([change.field, before, inline(change.after, 80)])
        self._section("changes", "Record changes (before → after)",
                      _table(["Field", "Before", "After"], rows))

    def _timing(self, facts: StepFacts) -> None:
        step = facts.step
        lines = [f"Started {local_time(step.started_at) or NOT_RECORDED}, "
                 f"took {milliseconds(step.duration_ms)}"]
        if step.model_call:
            tokens = ("not recorded" if facts.tokens_in is None and facts.tokens_out is None
                      else f"{facts.tokens_in or 0} in / {facts.tokens_out or 0} out")
            lines.append(f"Model: {facts.provider or '?'} · {inline(facts.model or '?', 70)}")
            lines.append(f"Model time {milliseconds(facts.latency_ms)} · attempts "
                         f"{facts.attempts} · tokens {tokens}")
        else:
            lines.append("No model was called in this step.")
        self._section("timing", "Timing, attempts and tokens", text_label("\n".join(lines)))


def kind_words(kind: str) -> str:
    if kind.startswith("ai/"):
        return f"AI step ({kind[3:]})"
    return {"start": "Start", "end": "End", "decision": "Decision", "human": "Person",
            "action": "Action"}.get(kind, kind)


def decision_words(decision: dict[str, Any]) -> str:
    """A step's recorded decision as a sentence ("The AI classified: label refund")."""
    if decision.get("handoff"):
        return f"Handed to a person: {inline(decision['handoff'], 300)}"
    by = decision.get("by")
    who = "The AI" if by == "ai" else (f"{str(by).capitalize()}" if by else "The flow")
    action = str(decision.get("action") or "decided")
    rest = ", ".join(f"{k} {inline(v, 60)}" for k, v in decision.items()
                     if k not in ("by", "action") and v not in (None, "", [], {}))
    return f"{who} {action}" + (f": {rest}" if rest else "")
