"""`ModelForm`: a form generated from a pydantic model's fields.

The rows follow the model's own field order (the order a person reads the file in), each
with a label, a line of help, the editor the factory picks for the field's type, and a
place for an error message. A new config field in the runtime therefore shows up here
without new widget code; the factory only needs a special editor when a plain one
would be a poor fit (a field matrix, confidence bands, a condition).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QToolButton, QVBoxLayout, QWidget

from designer.panels.properties.editors import BoolEditor, FieldEditor
from designer.panels.properties.texts import ADVANCED
from runtime.api import AnyNode, Edge, Flow

FieldSpec = str | tuple[str, ...]  # a field, or several edited together (fields + limits)


@dataclass
class FormContext:
    """What editors may need to offer choices: the flow and the node being edited."""

    flow: Flow
    node: AnyNode | None = None
    outgoing: list[Edge] = field(default_factory=list)
    base_dir: Any = None


class FormRow(QWidget):
    def __init__(self, spec: FieldSpec, label: str, help_text: str, editor: FieldEditor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.editor = editor
        self.setObjectName(f"row_{spec if isinstance(spec, str) else '_'.join(spec)}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(3)
        if not isinstance(editor, BoolEditor):
            title = QLabel(label)
            title.setProperty("role", "label")
            title.setStyleSheet("font-weight: bold;")
            layout.addWidget(title)
        if help_text:
            caption = QLabel(help_text)
            caption.setProperty("role", "caption")
            caption.setWordWrap(True)
            layout.addWidget(caption)
        layout.addWidget(editor)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

    def names(self) -> tuple[str, ...]:
        return (self.spec,) if isinstance(self.spec, str) else self.spec

    def show_error(self, path: tuple[str | int, ...], message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.editor.show_error(path, message)


class Collapsible(QWidget):
    """A "More settings" fold: rarely needed rows stay out of the way until asked for."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        self.toggle = QToolButton()
        self.toggle.setObjectName("moreSettings")
        self.toggle.setText(title)
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setStyleSheet("QToolButton { border: none; font-weight: bold; "
                                  "color: #475467; padding: 2px 0; }")
        self.body = QWidget()
        self.rows = QVBoxLayout(self.body)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(4)
        self.body.hide()
        self.toggle.toggled.connect(self._toggled)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)

    def _toggled(self, opened: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if opened else Qt.ArrowType.RightArrow)
        self.body.setVisible(opened)


class ModelForm(QWidget):
    """Rows for `fields` of `model`; emits `committed({field: value, …})`. Rows named in
    `texts.ADVANCED` go into a "More settings" fold at the end."""

    committed = Signal(object)  # a dict: Signal(dict) would become a QVariantMap, sorted

    def __init__(self, model: type[BaseModel], fields: Sequence[FieldSpec],
                 parent: QWidget | None = None) -> None:
        from designer.panels.properties.factory import editor_for, field_text

        super().__init__(parent)
        self.model = model
        self.rows: dict[str, FormRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.more: Collapsible | None = None
        for spec in fields:
            editor = editor_for(model, spec)
            label, help_text = field_text(model, spec)
            row = FormRow(spec, label, help_text, editor)
            editor.committed.connect(lambda value, s=spec: self._commit(s, value))
            if spec in ADVANCED:
                if self.more is None:
                    self.more = Collapsible("More settings")
                self.more.rows.addWidget(row)
            else:
                layout.addWidget(row)
            for name in row.names():
                self.rows[name] = row
        if self.more is not None:
            layout.addWidget(self.more)

    def _commit(self, spec: FieldSpec, value: Any) -> None:
        changes = {spec: value} if isinstance(spec, str) else dict(value)
        self.committed.emit(changes)

    def set_values(self, instance: BaseModel, context: FormContext) -> None:
        for row in dict.fromkeys(self.rows.values()):
            row.editor.set_context(context)
            names = row.names()
            if len(names) == 1:
                row.editor.set_value(getattr(instance, names[0]))
            else:
                row.editor.set_value({n: getattr(instance, n) for n in names})

    def show_error(self, path: tuple[str | int, ...], message: str) -> bool:
        """Put a message on the row the error path starts with; False if none matches."""
        if path and path[0] in self.rows:
            row = self.rows[str(path[0])]
            row.show_error(path[1:], message)
            if self.more is not None and self.more.body.isAncestorOf(row):
                self.more.toggle.setChecked(True)  # never hide an error in a fold
            return True
        return False

    def clear_errors(self) -> None:
        for row in dict.fromkeys(self.rows.values()):
            row.show_error((), None)

    def editor(self, name: str) -> FieldEditor:
        return self.rows[name].editor
