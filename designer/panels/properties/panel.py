"""The property panel: the flow, one step or one connection, whatever is selected.

Forms are generated per model type on first use and kept; every change in the document
refreshes the visible one, so undo, the canvas and another window's paste all show up
here. A commit becomes one undoable edit; a rejected value is shown at its field and
leaves the document untouched.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from designer import nodes
from designer.app.session import FlowSession
from designer.document.errors import DocumentError, PropertyError
from designer.panels.properties.edge_form import EdgeForm
from designer.panels.properties.editors import TextEditor
from designer.panels.properties.form import FormContext, FormRow, ModelForm
from designer.panels.properties.header import BranchList, KindHeader, PromptPreview
from designer.panels.properties.texts import FLOW_ROWS, rows_for
from designer.panels.properties.training import TrainingCard
from designer.panels.properties.wheel import PanelWheelGuard
from runtime.api import Flow


class PropertyPanel(QScrollArea):
    edge_chosen = Signal(int)  # a branch picked in a decision's branch list

    def __init__(self, session: FlowSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("propertyPanel")
        self.session = session
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("propertyBody")
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(12, 12, 12, 16)
        self.body.setSpacing(8)
        self.header = KindHeader()
        self.body.addWidget(self.header)
        self.id_editor = TextEditor("lowercase_with_underscores")
        self.id_row = FormRow("id", "ID", "How conditions and the file refer to this step.",
                              self.id_editor)
        self.id_editor.committed.connect(self._rename)
        self.body.addWidget(self.id_row)
        self.forms: dict[str, ModelForm] = {}
        self.edge_form = EdgeForm()
        self.edge_form.committed.connect(self._commit_edge)
        self.body.addWidget(self.edge_form)
        self.branches = BranchList()
        self.branches.chosen.connect(self.edge_chosen.emit)
        self.body.addWidget(self.branches)
        self.preview = PromptPreview()
        self.body.addWidget(self.preview)
        self.training = TrainingCard()
        self.training.trained.connect(self._head_trained)
        self.body.addWidget(self.training)
        self._training_for: tuple[Any, ...] | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setProperty("role", "caption")
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.setWidget(body)
        self.wheel_guard = PanelWheelGuard(self)
        self.target: tuple[str, Any] = ("flow", None)
        session.document.changed.connect(self.refresh)
        self.show_flow()

    # -- what is shown -------------------------------------------------------------------

    def show_flow(self) -> None:
        self.target = ("flow", None)
        self.refresh()

    def show_node(self, node_id: str) -> None:
        self.target = ("node", node_id)
        self.refresh()

    def show_edge(self, key: int) -> None:
        self.target = ("edge", key)
        self.refresh()

    def show_many(self, count: int) -> None:
        self.target = ("many", count)
        self.refresh()

    def current_form(self) -> ModelForm | None:
        return next((f for f in self.forms.values() if f.isVisible()), None)

    def form_for(self, model_name: str) -> ModelForm:
        return self.forms[model_name]

    def refresh(self) -> None:
        kind, value = self.target
        doc = self.session.document
        if kind == "node" and not doc.has_node(value):
            kind, value = self.target = ("flow", None)
        if kind == "edge" and value not in doc.edge_keys():
            kind, value = self.target = ("flow", None)
        for form in self.forms.values():
            form.hide()
        for widget in (self.id_row, self.edge_form, self.branches, self.preview, self.message,
                       self.training):
            widget.hide()
        flow = doc.flow()
        if kind == "flow":
            self.header.show_flow(flow)
            self._show_form(Flow, rows_for(Flow, FLOW_ROWS), doc.header, FormContext(flow))
        elif kind == "node":
            self._refresh_node(flow, value)
        elif kind == "edge":
            edge = doc.edge(value)
            self.header.show_edge()
            self.edge_form.set_edge(doc, edge, FormContext(flow, doc.node(edge.source)))
            self.edge_form.show()
        else:
            self.header.show_many(value)
            self.message.setText("Select a single step to edit it. Delete, copy, duplicate "
                                 "and move work on the whole selection.")
            self.message.show()

    def _refresh_node(self, flow: Flow, node_id: str) -> None:
        doc = self.session.document
        node = doc.node(node_id)
        kind = nodes.record_for(node)
        self.header.show_kind(kind)
        self.id_editor.set_value(node.id)
        self.id_row.show()
        outgoing = [e for _, e in doc.outgoing(node_id)]
        context = FormContext(flow, node, outgoing, doc.path.parent if doc.path else None)
        self._show_form(type(node), rows_for(type(node), list(kind.rows)), node, context)
        if kind.spec.branching == "conditions":
            self.branches.show_branches(doc, node_id)
            self.branches.show()
        if kind.prompt is not None:
            self.preview.show_node(node, flow)
            self.preview.show()
        if TrainingCard.applies_to(node):
            self._show_training(node)

    def _show_training(self, node: Any) -> None:
        """Re-read the workspace only when what the card depends on changed, not on every
        keystroke elsewhere in the flow."""
        doc = self.session.document
        key = (node.id, doc.path, self.session.is_modified(), node.head)
        if key != self._training_for:
            self._training_for = key
            self.training.show_node(node.id, doc.path, self.session.is_modified(),
                                    self.session.text())
        self.training.show()

    def _head_trained(self, node_id: str, head: str) -> None:
        """A new head from "Train from decisions": one undoable edit of the step."""
        if self.session.document.has_node(node_id):
            self.session.editor.set_node_properties(node_id, {"head": head})

    def _show_form(self, model: type, rows: list, instance: Any, context: FormContext) -> None:
        name = model.__name__
        if name not in self.forms:
            form = ModelForm(model, rows)
            form.setObjectName(f"form_{name}")
            form.committed.connect(self._commit)
            self.forms[name] = form
            self.body.insertWidget(self.body.indexOf(self.id_row), form)
        form = self.forms[name]
        form.set_values(instance, context)
        form.show()

    # -- committing ----------------------------------------------------------------------

    def _commit(self, changes: dict[str, Any]) -> None:
        kind, value = self.target
        form = self.current_form()
        editor = self.session.editor
        try:
            if kind == "flow":
                for name, item in changes.items():
                    editor.set_flow_property(name, item, merge=True)
            elif kind == "node":
                editor.set_node_properties(value, changes, merge=True)
        except PropertyError as error:
            if form is not None and not form.show_error(error.path, error.message):
                form.show_error((next(iter(changes)),), error.message)
            return
        if form is not None:
            form.clear_errors()

    def _commit_edge(self, changes: dict[str, Any]) -> None:
        try:
            self.session.editor.set_edge_properties(self.target[1], merge=True, **changes)
        except PropertyError as error:
            self.edge_form.show_error(error.path, error.message)
            return
        self.edge_form.clear_errors()

    def _rename(self, new_id: str) -> None:
        try:
            self.session.editor.rename_node(self.target[1], new_id)
        except DocumentError as error:
            message = error.message if isinstance(error, PropertyError) else str(error)
            self.id_row.show_error((), message)
            return
        self.id_row.show_error((), None)
        self.target = ("node", new_id)
        self.refresh()
