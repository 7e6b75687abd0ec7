"""The parts of the property panel around the generated form: what kind of thing is
selected (icon, name, one sentence), a decision's branches, an AI step's prompt."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer import nodes, theme
from designer.canvas.glyphs import glyph_icon
from designer.canvas.presentation import edge_look
from designer.document.model import FlowDocument
from designer.nodes import NodeRecord
from runtime.api import Flow

SAMPLE_CASE = "«the case fields this step reads»"


class KindHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 6)
        row.setSpacing(10)
        self.icon = QLabel()
        self.icon.setFixedSize(40, 40)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QVBoxLayout()
        text.setSpacing(1)
        self.title = QLabel()
        self.title.setObjectName("kindTitle")
        self.title.setProperty("role", "heading")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "caption")
        text.addWidget(self.title)
        text.addWidget(self.summary)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)

    def _set(self, key: str, color: str, title: str, summary: str) -> None:
        self.icon.setPixmap(glyph_icon(key, color, 26).pixmap(26, 26))
        self.icon.setStyleSheet(f"background: {theme.css_rgba(color, 30)}; "
                                "border-radius: 10px;")
        self.title.setText(title)
        self.summary.setText(summary)

    def show_kind(self, kind: NodeRecord) -> None:
        self._set(kind.glyph, kind.accent, kind.display_name, kind.summary)

    def show_flow(self, flow: Flow) -> None:
        count = len(flow.nodes)
        self._set(flow.autonomy.value, theme.AUTONOMY[flow.autonomy.value][1], "Flow",
                  f"{count} step{'s' * (count != 1)}, {len(flow.edges)} connections. Select "
                  "a step on the canvas to edit it.")

    def show_edge(self) -> None:
        self._set("decision", nodes.record("decision").accent, "Connection",
                  "When a run takes this path.")

    def show_many(self, count: int) -> None:
        self._set("check", theme.SELECTION, f"{count} items selected", "")


class BranchList(QWidget):
    """A decision's branches in order, each with its condition; click one to edit it."""

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 8, 0, 0)
        self.column.setSpacing(6)
        title = QLabel("Branches")
        title.setStyleSheet("font-weight: bold;")
        hint = QLabel("Checked from top to bottom; the first that holds is taken. Every "
                      "decision needs an 'otherwise' branch. Click a branch to edit it.")
        hint.setWordWrap(True)
        hint.setProperty("role", "caption")
        self.column.addWidget(title)
        self.column.addWidget(hint)
        self.items: list[QLabel] = []

    def show_branches(self, doc: FlowDocument, node_id: str) -> None:
        for label in self.items:
            label.setParent(None)
            label.deleteLater()
        self.items = []
        for key, edge in doc.outgoing(node_id):
            look = edge_look(edge)
            label = QLabel(f"<a href='{key}' style='color:{theme.INK}; text-decoration:none'>"
                           f"<b>→ {doc.node(edge.target).label()}</b></a><br>"
                           f"<span style='color:{theme.INK_SOFT}'>"
                           f"{look.tooltip or 'no condition yet'}</span>")
            label.setWordWrap(True)
            label.setObjectName("branch")
            label.setStyleSheet(f"#branch {{ background: #FCFCFD; border: 1px solid "
                                f"{theme.LINE_SOFT}; border-radius: 8px; padding: 6px 8px; }}")
            label.setCursor(Qt.CursorShape.PointingHandCursor)
            label.linkActivated.connect(lambda link: self.chosen.emit(int(link)))
            self.items.append(label)
            self.column.addWidget(label)
        if not self.items:
            empty = QLabel("No branches yet: drag from the decision's right point to the "
                           "next step.")
            empty.setWordWrap(True)
            empty.setProperty("role", "caption")
            self.items.append(empty)
            self.column.addWidget(empty)


class PromptPreview(QWidget):
    """What the model will be sent, built by the runtime's own prompt functions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 8, 0, 0)
        self.toggle = QToolButton()
        self.toggle.setText("Prompt preview")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setStyleSheet("QToolButton { border: none; font-weight: bold; }")
        self.text = QPlainTextEdit()
        self.text.setObjectName("promptPreview")
        self.text.setReadOnly(True)
        self.text.setMinimumHeight(180)
        self.text.setStyleSheet("font-family: 'DejaVu Sans Mono'; font-size: 8pt;")
        self.text.hide()
        self.toggle.toggled.connect(self._toggled)
        column.addWidget(self.toggle)
        column.addWidget(self.text)

    def _toggled(self, opened: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if opened else Qt.ArrowType.RightArrow)
        self.text.setVisible(opened)

    def show_node(self, node: Any, flow: Flow) -> None:
        self.text.setPlainText(preview_text(node, flow))


def preview_text(node: Any, flow: Flow) -> str:
    """The prompt the node's kind sends (its record's `prompt`), with a placeholder case."""
    prompt = nodes.record_for(node).prompt
    if prompt is None:
        return ""
    messages = prompt(node, flow, SAMPLE_CASE)
    return "\n\n".join(f"— {m.role.upper()} —\n{m.content}" for m in messages)
