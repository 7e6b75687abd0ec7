"""Editors for a field that is itself a model (guardrails, a connector, a time limit).

They hold a generated `ModelForm` for the inner model and commit the whole inner value,
so the node is still validated as one piece and an error deep inside (a band above
another) comes back to the inner row that caused it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from PySide6.QtWidgets import QCheckBox, QFrame, QVBoxLayout, QWidget

from designer import theme
from designer.panels.properties.editors import FieldEditor
from designer.panels.properties.form import FieldSpec, ModelForm

STARTING_VALUES: dict[str, dict[str, Any]] = {"HumanTimeout": {"hours": 24.0}}
TOGGLE_TEXT = {"HumanTimeout": "Use a time limit"}


def _frame() -> QFrame:
    frame = QFrame()
    theme.style_as_card(frame, "nestedFrame")
    return frame


class NestedModelEditor(FieldEditor):
    def __init__(self, model: type[BaseModel], fields: list[FieldSpec],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.value: BaseModel | None = None
        frame = _frame()
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(8, 6, 8, 8)
        self.form = ModelForm(model, fields)
        self.form.committed.connect(self._inner_commit)
        inner.addWidget(self.form)
        self.layout_.addWidget(frame)

    def set_value(self, value: Any) -> None:
        self.value = value
        if value is not None:
            self.form.set_values(value, self.context)

    def _inner_commit(self, changes: dict[str, Any]) -> None:
        base = self.value.model_dump(by_alias=True) if self.value is not None else {}
        self.committed.emit({**base, **changes})

    def show_error(self, path: tuple[str | int, ...], message: str | None) -> None:
        if message is None:
            self.form.clear_errors()
        elif not self.form.show_error(path, message):
            super().show_error(path, message)


class OptionalModelEditor(FieldEditor):
    """A tick box to turn the inner model on or off, and its form when on."""

    def __init__(self, model: type[BaseModel], fields: list[FieldSpec],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        self.toggle = QCheckBox(TOGGLE_TEXT.get(model.__name__, "Set"))
        self.toggle.clicked.connect(self._toggled)
        self.inner = NestedModelEditor(model, fields)
        self.inner.committed.connect(self.committed.emit)
        column.addWidget(self.toggle)
        column.addWidget(self.inner)
        self.layout_.addLayout(column)

    def set_context(self, context: Any) -> None:
        super().set_context(context)
        self.inner.set_context(context)

    def set_value(self, value: Any) -> None:
        self.toggle.setChecked(value is not None)
        self.inner.setVisible(value is not None)
        self.inner.set_value(value)

    def _toggled(self, checked: bool) -> None:
        self.committed.emit(dict(STARTING_VALUES.get(self.model.__name__, {}))
                            if checked else None)

    def show_error(self, path: tuple[str | int, ...], message: str | None) -> None:
        self.inner.show_error(path, message)
