"""The form for a selected connection: when is this path taken?

Leaving a decision: a condition (the builder) or "otherwise". Leaving a human step: which
of the person's decisions it follows. Leaving anything else: the normal path, or a named
outcome such as the step's fallback. A label for the canvas is optional everywhere.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget

from designer.document.model import FlowDocument
from designer.panels.properties.conditions import ConditionBuilder
from designer.panels.properties.editors import EditableChoiceEditor, TextEditor
from designer.panels.properties.form import FormContext, FormRow
from runtime.api import AINodeBase, Edge, node_type_of


class EdgeForm(QWidget):
    committed = Signal(object)  # dict of edge fields to change: when, else_, on, label

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.route = QLabel()
        self.route.setWordWrap(True)
        self.route.setProperty("role", "heading")
        layout.addWidget(self.route)
        self.when_choice = QRadioButton("When a condition holds")
        self.else_choice = QRadioButton("Otherwise — when no other branch matches")
        self.when_choice.setObjectName("whenChoice")
        self.else_choice.setObjectName("elseChoice")
        self.choice_group = QButtonGroup(self)
        self.choice_group.addButton(self.when_choice)
        self.choice_group.addButton(self.else_choice)
        self.when_choice.clicked.connect(self._to_condition)
        self.else_choice.clicked.connect(lambda: self.committed.emit({"else_": True,
                                                                      "when": None}))
        layout.addWidget(self.when_choice)
        layout.addWidget(self.else_choice)
        self.builder = ConditionBuilder()
        self.builder.committed.connect(lambda value: self.committed.emit(
            {"when": value, "else_": False}))
        self.condition_row = FormRow("when", "Condition", "", self.builder)
        layout.addWidget(self.condition_row)
        self.outcome = EditableChoiceEditor("the normal path")
        self.outcome.committed.connect(lambda value: self.committed.emit({"on": value}))
        self.outcome_row = FormRow("on", "Follows", "", self.outcome)
        layout.addWidget(self.outcome_row)
        self.label = TextEditor("e.g. Refund approved")
        self.label.committed.connect(lambda value: self.committed.emit({"label": value}))
        layout.addWidget(FormRow("label", "Label on the canvas", "Optional: replaces the "
                                 "condition text on the canvas.", self.label))
        self.edge: Edge | None = None

    def set_edge(self, doc: FlowDocument, edge: Edge, context: FormContext) -> None:
        self.edge = edge
        source, target = doc.node(edge.source), doc.node(edge.target)
        self.route.setText(f"{source.label()}  →  {target.label()}")
        branching = node_type_of(source).branching
        decision = branching == "conditions"
        for widget in (self.when_choice, self.else_choice):
            widget.setVisible(decision)
        self.when_choice.setChecked(edge.when is not None)
        self.else_choice.setChecked(edge.else_)
        self.condition_row.setVisible(decision and edge.when is not None)
        self.builder.set_context(context)
        if edge.when is not None:
            self.builder.set_value(edge.when)
        self.outcome_row.setVisible(not decision)
        if not decision:
            self.outcome.set_suggestions(_outcomes(source))
            self.outcome.set_value(edge.on)
            self.outcome_row.findChild(QLabel).setText(
                "Follows the decision" if branching == "labels" else "Taken on")
        self.label.set_value(edge.label)

    def _to_condition(self) -> None:
        if self.edge is not None and self.edge.when is None:
            from designer.document.rules import default_condition

            flow = self.builder.context.flow
            condition = default_condition(flow, self.edge.source)
            self.committed.emit({"when": condition.model_dump(mode="json"),
                                 "else_": False})

    def show_error(self, path: tuple[str | int, ...], message: str) -> None:
        row = self.condition_row if path and path[0] == "when" else self.outcome_row
        row.show_error(path[1:], message)

    def clear_errors(self) -> None:
        self.condition_row.show_error((), None)
        self.outcome_row.show_error((), None)


def _outcomes(source: Any) -> list[str]:
    spec = node_type_of(source)
    if spec.branching == "labels":
        return spec.labels(source)
    labels = ["fallback", "limit"]
    if isinstance(source, AINodeBase) and source.guardrails.fallback != "human":
        labels.insert(0, source.guardrails.fallback)
    return list(dict.fromkeys(labels))
