"""The field matrix: per record field, may the step write it (allow / suggest / deny),
and within which limits.

One row per record field of the flow, so nothing can be forgotten: a field with no
choice is "not listed", which the runtime treats as denied, and the row says so. Limits
are edited in the words of the field's type — a range for numbers, allowed values for
choices, a maximum length for text — on a second line under the field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QDoubleValidator, QIntValidator
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.panels.properties.editors import FieldEditor
from runtime.api import FieldType, RecordField

PERMISSIONS = {  # value → (button text, colour when chosen, what it means)
    "allow": ("Allow", "#079455", "written when the step is confident"),
    "suggest": ("Suggest", "#DC6803", "a person confirms every change"),
    "deny": ("Deny", "#D92D20", "never written"),
}
TYPE_WORDS = {"string": "text", "number": "number", "integer": "whole number",
              "boolean": "yes / no", "enum": "choice"}


class LimitLine(QWidget):
    """The limit editor for one field, shaped by the field's type."""

    def __init__(self, spec: RecordField | None, on_change) -> None:
        super().__init__()
        self.spec = spec
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.inputs: dict[str, QLineEdit] = {}
        kind = spec.type if spec else None
        if kind in (FieldType.number, FieldType.integer):
            layout.addWidget(_caption("between"))
            self._add(layout, "min", "no minimum", QDoubleValidator())
            layout.addWidget(_caption("and"))
            self._add(layout, "max", "no maximum", QDoubleValidator())
        elif kind is FieldType.enum:
            layout.addWidget(_caption("only"))
            self._add(layout, "values", "any of its values")
        elif kind is FieldType.string:
            layout.addWidget(_caption("at most"))
            self._add(layout, "max_length", "any length", QIntValidator(0, 1_000_000))
            layout.addWidget(_caption("characters"))
        for line in self.inputs.values():
            line.editingFinished.connect(on_change)

    def _add(self, layout: QHBoxLayout, key: str, hint: str, validator=None) -> None:
        line = QLineEdit()
        line.setPlaceholderText(hint)
        line.setObjectName(f"limit_{key}")
        if validator is not None:
            line.setValidator(validator)
        layout.addWidget(line, 1)
        self.inputs[key] = line

    def display(self, limit: dict[str, Any] | None) -> None:
        limit = limit or {}
        for key, line in self.inputs.items():
            value = limit.get(key)
            text = ", ".join(map(str, value)) if isinstance(value, list) else (
                "" if value is None else _plain(value))
            if line.text() != text and not line.hasFocus():
                line.setText(text)

    def read(self, before: dict[str, Any] | None) -> dict[str, Any] | None:
        limit = {k: v for k, v in (before or {}).items() if k not in self.inputs}
        for key, line in self.inputs.items():
            text = line.text().strip()
            if not text:
                continue
            try:
                if key == "values":
                    limit[key] = [part.strip() for part in text.split(",") if part.strip()]
                elif key == "max_length":
                    limit[key] = int(text)
                else:
                    limit[key] = float(text.replace(",", "."))
            except ValueError:
                continue  # the validator lets only numbers through; keep the old value
        return {k: v for k, v in limit.items() if v is not None} or None


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "caption")
    return label


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FieldRow(QFrame):
    """One record field: its name and type, three permission buttons, its limits."""

    def __init__(self, name: str, spec: RecordField | None, on_change) -> None:
        super().__init__()
        self.setObjectName("fieldRow")
        self.setStyleSheet(f"#fieldRow {{ border-bottom: 1px solid {theme.LINE_SOFT}; }}")
        self.name = name
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 6, 2, 6)
        grid.setVerticalSpacing(4)
        title = QLabel(f"<b>{name}</b><br><span style='color:{theme.INK_FAINT}'>"
                       f"{TYPE_WORDS.get(spec.type.value, '') if spec else 'not a record field'}"
                       "</span>")
        if spec is None:
            title.setStyleSheet(f"color: {theme.DANGER};")
        grid.addWidget(title, 0, 0)
        buttons = QHBoxLayout()
        buttons.setSpacing(0)
        self.buttons: dict[str, QToolButton] = {}
        for index, (value, (text, color, meaning)) in enumerate(PERMISSIONS.items()):
            button = QToolButton()
            button.setObjectName(f"permission_{name}_{value}")
            button.setText(text)
            button.setCheckable(True)
            button.setToolTip(f"{text}: {meaning}. Click again to leave the field unlisted "
                              "(denied).")
            left = 6 if index == 0 else 0
            right = 6 if index == len(PERMISSIONS) - 1 else 0
            button.setStyleSheet(
                f"QToolButton {{ padding: 3px 6px; background: white; color: {theme.INK_SOFT};"
                f" border: 1px solid {theme.LINE}; border-top-left-radius: {left}px;"
                f" border-bottom-left-radius: {left}px; border-top-right-radius: {right}px;"
                f" border-bottom-right-radius: {right}px; }}"
                f"QToolButton:checked {{ background: {color}; color: white;"
                f" border-color: {color}; font-weight: bold; }}")
            button.clicked.connect(lambda checked, v=value: self._clicked(v, checked, on_change))
            buttons.addWidget(button)
            self.buttons[value] = button
        grid.addLayout(buttons, 0, 1)
        self.limits = LimitLine(spec, on_change)
        grid.addWidget(self.limits, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    def _clicked(self, value: str, checked: bool, on_change) -> None:
        for other, button in self.buttons.items():
            button.setChecked(other == value and checked)
        on_change()

    def permission(self) -> str | None:
        return next((v for v, b in self.buttons.items() if b.isChecked()), None)

    def set_permission(self, value: str | None) -> None:
        for other, button in self.buttons.items():
            button.setChecked(other == value)


class FieldMatrixEditor(FieldEditor):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout()
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(0)
        self.empty = _caption("The flow has no record fields yet: add them in the flow's "
                              "properties first.")
        self.empty.setWordWrap(True)
        self.column.addWidget(self.empty)
        self.layout_.addLayout(self.column)
        self.value: dict[str, Any] = {"fields": {}, "limits": {}}
        self.names: list[str] = []
        self.rows: dict[str, FieldRow] = {}

    def set_value(self, value: Any) -> None:
        self.value = {"fields": {k: getattr(v, "value", v) for k, v in value["fields"].items()},
                      "limits": {k: v.model_dump(exclude_none=True)
                                 for k, v in value["limits"].items()}}
        specs = {f.name: f for f in self.context.flow.record_fields} if self.context else {}
        names = list(dict.fromkeys([*specs, *self.value["fields"], *self.value["limits"]]))
        if names != self.names:
            self._rebuild(names, specs)
        for name, row in self.rows.items():
            row.set_permission(self.value["fields"].get(name))
            row.limits.display(self.value["limits"].get(name))

    def _rebuild(self, names: list[str], specs: dict[str, RecordField]) -> None:
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.names, self.rows = names, {}
        for name in names:
            row = FieldRow(name, specs.get(name), self._commit)
            self.rows[name] = row
            self.column.addWidget(row)
        self.empty.setVisible(not names)

    def limits_of(self, name: str) -> LimitLine:
        return self.rows[name].limits

    def _commit(self) -> None:
        fields: dict[str, str] = {}
        limits: dict[str, Any] = {}
        # Keep the file's order for entries already listed so an edit changes one line.
        for name in dict.fromkeys([*self.value["fields"], *self.names]):
            permission = self.rows[name].permission() if name in self.rows else None
            if permission:
                fields[name] = permission
        for name in dict.fromkeys([*self.value["limits"], *self.names]):
            if name in self.rows:
                limit = self.rows[name].limits.read(self.value["limits"].get(name))
                if limit:
                    limits[name] = limit
        self.committed.emit({"fields": fields, "limits": limits})


class LimitsEditor(FieldEditor):
    """Limits on a person's edits (a human step): one line per field they may edit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout()
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(4)
        self.empty = _caption("Tick the fields a person may edit first.")
        self.column.addWidget(self.empty)
        self.layout_.addLayout(self.column)
        self.value: dict[str, Any] = {}
        self.names: list[str] = []
        self.lines: dict[str, LimitLine] = {}
        self.rows: list[QWidget] = []

    def set_value(self, value: Any) -> None:
        self.value = {k: v.model_dump(exclude_none=True) for k, v in value.items()}
        node = self.context.node if self.context else None
        specs = {f.name: f for f in self.context.flow.record_fields} if self.context else {}
        names = list(dict.fromkeys([*getattr(node, "editable_fields", []), *self.value]))
        if names != self.names:
            for row in self.rows:
                row.setParent(None)
                row.deleteLater()
            self.names, self.lines, self.rows = names, {}, []
            for name in names:
                row = QWidget()
                line = QHBoxLayout(row)
                line.setContentsMargins(0, 0, 0, 0)
                title = QLabel(f"<b>{name}</b>")
                title.setMinimumWidth(90)
                line.addWidget(title)
                self.lines[name] = LimitLine(specs.get(name), self._commit)
                line.addWidget(self.lines[name], 1)
                self.rows.append(row)
                self.column.addWidget(row)
        self.empty.setVisible(not names)
        for name, limit_line in self.lines.items():
            limit_line.display(self.value.get(name))

    def limits_of(self, name: str) -> LimitLine:
        return self.lines[name]

    def _commit(self) -> None:
        limits: dict[str, Any] = {}
        for name in dict.fromkeys([*self.value, *self.names]):
            if name in self.lines:
                limit = self.lines[name].read(self.value.get(name))
                if limit:
                    limits[name] = limit
        self.committed.emit(limits)
