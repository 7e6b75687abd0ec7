"""The handoff packet laid out for reading, in the order a person decides by.

What the step is and why it waits, the case, the AI's proposal with its confidence (and
whether that figure was measured or only self-reported) and each option's probability,
the guardrails that fired and why, the steps so far, the changes already made, what to
do next and when it is due. Everything that comes from a model or a case is shown as
plain text: a reply containing "<b>" shows those characters, it never turns bold.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.inbox.task_list import TaskLine, short_time

CONFIDENCE_KINDS = {
    "measured": "measured from the model's probabilities",
    "scripted": "scripted answer (a repeatable demo, not a live model)",
    "self_reported": "self-reported by the model — not a measured probability",
    "none": "no confidence given",
}
OUTCOMES = {"block": "blocked", "drop": "dropped", "hold": "held for a person",
            "suggest": "suggested only", "pass": "passed", "apply": "applied"}


def plain(text: Any, *, soft: bool = False, name: str = "") -> QLabel:
    """A label that never interprets its text (model and case text are plain text)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText("" if text is None else str(text))
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if soft:
        label.setStyleSheet(f"color: {theme.INK_SOFT};")
    if name:
        label.setObjectName(name)
    return label


def values_text(values: dict[str, Any] | None) -> str:
    return "\n".join(f"{key}: {value}" for key, value in (values or {}).items()) or "—"


def _confidence_text(ai: dict[str, Any]) -> str:
    confidence = ai.get("confidence")
    kind = CONFIDENCE_KINDS.get(str(ai.get("confidence_kind")), str(ai.get("confidence_kind")))
    if not isinstance(confidence, int | float):
        return f"Confidence: none ({kind})"
    return f"Confidence: {confidence:.0%} ({kind})"


def _history_text(entry: dict[str, Any], titles: dict[str, str]) -> str:
    decision = entry.get("decision") or {}
    said = decision.get("label") or decision.get("decision") or ""
    if not said and decision.get("to"):
        said = "to " + titles.get(str(decision["to"]), str(decision["to"]))
    by = decision.get("by")
    detail = f" — {said}" if said else ""
    if by:
        detail += f" (by {by})"
    return f"{entry.get('title') or entry.get('node')}{detail}"


class PacketView(QWidget):
    """Rebuilt for each task shown; `sections` names what is on screen (for tests)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("packetView")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(4, 4, 4, 4)
        self.column.setSpacing(6)
        self.sections: dict[str, QWidget] = {}
        self.show_line(None)

    def _clear(self) -> None:
        self.sections = {}
        while self.column.count():
            item = self.column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _section(self, key: str, title: str, *rows: QWidget) -> None:
        box = QFrame()
        theme.style_as_card(box, f"packet_{key}")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(12, 8, 12, 10)
        inner.setSpacing(4)
        heading = QLabel(title)
        heading.setFont(theme.font(9, bold=True))
        heading.setStyleSheet(f"color: {theme.INK_SOFT}; text-transform: uppercase;")
        inner.addWidget(heading)
        for row in rows:
            inner.addWidget(row)
        self.column.addWidget(box)
        self.sections[key] = box

    def show_line(self, line: TaskLine | None) -> None:
        self._clear()
        if line is None:
            self.column.addWidget(plain("Select a task to read its handoff packet.", soft=True))
            self.column.addStretch(1)
            return
        task, packet = line.task, line.task.packet
        node = packet.get("node") or {}
        title = QLabel()
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setText(str(node.get("title") or task.node_id))
        title.setFont(theme.font(14, bold=True))
        title.setObjectName("packetTitle")
        self.column.addWidget(title)
        stage = packet.get("autonomy") or "—"
        self.column.addWidget(plain(
            f"{line.flow} · case {line.case_id} · {node.get('kind', '')} step · "
            f"autonomy stage: {stage} · task {task.id}", soft=True))
        self._section("why", "Why it waits for you", plain(task.reason, name="packetReason"))
        self._section("case", "The case", plain(packet.get("case_summary") or "—",
                                                name="packetCase"))
        self._ai_section(packet)
        self._guardrails(packet.get("guardrails") or [])
        history = packet.get("history") or []
        titles = {str(h.get("node")): str(h.get("title") or h.get("node")) for h in history}
        titles[task.node_id] = str(node.get("title") or task.node_id)
        self._section("history", "Steps so far", plain(
            "\n".join(f"{i}. {_history_text(h, titles)}" for i, h in enumerate(history, 1)) or
            "This is the first step.", name="packetHistory"))
        done = packet.get("actions_taken") or []
        changes = [f"{titles.get(str(a.get('node')), a.get('node'))}: "
                   + ", ".join(f"{k} = {v}" for k, v in (a.get("changes") or {}).items())
                   for a in done]
        self._section("done", "Changes already made", plain(
            "\n".join(changes) or "No record changes yet.", name="packetDone"))
        tips = packet.get("suggested_next_steps") or []
        self._section("next", "Suggested next steps", plain(
            "\n".join(f"• {tip}" for tip in tips) or "—", name="packetNext"))
        self._section("due", "Due", plain(self._due_text(packet), name="packetDue"))
        self.column.addStretch(1)

    @staticmethod
    def _due_text(packet: dict[str, Any]) -> str:
        due = packet.get("due_at")
        if not due:
            return "No due time: the run waits until someone decides."
        branch = (packet.get("on_timeout") or {}).get("branch", "timeout")
        return (f"{short_time(due)} — then the run follows '{branch}' "
                "(a timeout approves nothing).")

    def _ai_section(self, packet: dict[str, Any]) -> None:
        ai = packet.get("ai") or {}
        proposal = packet.get("proposal") or {}
        if not ai and not proposal:
            self._section("ai", "The AI's proposal", plain(
                "No AI proposal: this step is for a person to decide.", soft=True))
            return
        rows: list[QWidget] = []
        if ai.get("label"):
            label = plain(f"Proposed answer: {ai['label']}", name="packetProposal")
            label.setFont(theme.font(11, bold=True))
            rows.append(label)
        elif proposal:
            rows.append(plain("Proposed values:\n" + values_text(proposal),
                              name="packetProposal"))
        raw = ai.get("proposal")
        if isinstance(raw, dict) and raw != proposal:
            rows.append(plain("What the model asked for before the guardrails:\n"
                              + values_text(raw), soft=True))
        if ai:
            rows.append(plain(_confidence_text(ai), name="packetConfidence"))
            if ai.get("model"):
                rows.append(plain(f"Model: {ai['model']}", soft=True))
        probabilities = ai.get("probabilities") or {}
        if probabilities:
            rows.append(self._bars(probabilities, ai.get("label")))
        self._section("ai", "The AI's proposal", *rows)

    @staticmethod
    def _bars(probabilities: dict[str, float], chosen: Any) -> QWidget:
        grid_host = QWidget()
        grid_host.setObjectName("packetProbabilities")
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        ordered = sorted(probabilities.items(), key=lambda item: -float(item[1]))
        for row, (option, value) in enumerate(ordered):
            name = plain(option)
            if option == chosen:
                name.setFont(theme.font(9, bold=True))
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(round(float(value) * 1000))
            bar.setFormat(f"{float(value):.0%}")
            bar.setFixedHeight(16)
            bar.setStyleSheet(
                f"QProgressBar {{ border: 1px solid {theme.LINE_SOFT}; border-radius: 3px;"
                f" background: white; text-align: right; padding-right: 4px;"
                f" color: {theme.INK}; }}"
                f"QProgressBar::chunk {{ background: "
                f"{theme.SELECTION if option == chosen else theme.INK_FAINT};"
                " border-radius: 2px; }")
            grid.addWidget(name, row, 0)
            grid.addWidget(bar, row, 1)
        grid.setColumnStretch(1, 1)
        return grid_host

    def _guardrails(self, fired: list[dict[str, Any]]) -> None:
        if not fired:
            self._section("guardrails", "Guardrails that fired",
                          plain("None: no guardrail stopped this step.", soft=True))
            return
        lines = []
        for verdict in fired:
            outcome = OUTCOMES.get(str(verdict.get("outcome")), str(verdict.get("outcome")))
            field = f" on '{verdict['field']}'" if verdict.get("field") else ""
            rule = str(verdict.get("rule") or "").replace("_", " ")
            lines.append(f"• {rule}{field}: {outcome} — {verdict.get('reason') or ''}")
        label = plain("\n".join(lines), name="packetGuardrails")
        label.setStyleSheet(f"color: {theme.DANGER};" if any(
            v.get("outcome") in ("block", "drop") for v in fired) else "")
        self._section("guardrails", "Guardrails that fired", label)
