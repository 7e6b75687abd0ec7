"""The field matrix: per record field, may the step write it (allow / suggest / deny),
and within which limits.

One row per record field of the flow, so nothing can be forgotten: a field that is not
listed is shown as "deny (not listed)", which is what the runtime does with it. Limits
are edited in the words of the field's type — a range for numbers, allowed values for
choices, a maximum length for text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QDoubleValidator, QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from designer import theme
from designer.panels.properties.editors import FieldEditor
from runtime.flow.schema import FieldType, RecordField

PERMISSIONS = [("", "deny (not listed)"), ("allow", "allow"), ("suggest", "suggest"),
               ("deny", "deny")]
ROW_HEIGHT = 34


class LimitCell(QWidget):
    """The limit editor for one field, shaped by the field's type."""

    def __init__(self, spec: RecordField | None, on_change) -> None:
        super().__init__()
        self.spec = spec
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        self.inputs: dict[str, QLineEdit] = {}
        kind = spec.type if spec else None
        if kind in (FieldType.number, FieldType.integer):
            self._add(layout, "min", "min", QDoubleValidator())
            layout.addWidget(QLabel("–"))
            self._add(layout, "max", "max", QDoubleValidator())
        elif kind is FieldType.enum:
            self._add(layout, "values", "any of " + ", ".join(spec.values or [])[:40])
        elif kind is FieldType.string:
            self._add(layout, "max_length", "max length", QIntValidator(0, 1_000_000))
        else:
            layout.addWidget(QLabel("—"))
        for line in self.inputs.values():
            line.editingFinished.connect(on_change)

    def _add(self, layout: QHBoxLayout, key: str, hint: str, validator=None) -> None:
        line = QLineEdit()
        line.setPlaceholderText(hint)
        line.setObjectName(f"limit_{key}")
        if validator is not None:
            line.setValidator(validator)
        layout.addWidget(line)
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
            if key == "values":
                limit[key] = [part.strip() for part in text.split(",") if part.strip()]
            elif key == "max_length":
                limit[key] = int(text)
            else:
                limit[key] = float(text.replace(",", "."))
        return {k: v for k, v in limit.items() if v is not None} or None


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FieldMatrixEditor(FieldEditor):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("fieldMatrix")
        self.table.setHorizontalHeaderLabels(["Record field", "May it write?", "Limits"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setStyleSheet("QTableWidget { border: 1px solid #EAECF0; "
                                 "border-radius: 6px; }")
        self.layout_.addWidget(self.table)
        self.value: dict[str, Any] = {"fields": {}, "limits": {}}
        self.names: list[str] = []
        self.combos: dict[str, QComboBox] = {}
        self.limits: dict[str, LimitCell] = {}

    def set_value(self, value: Any) -> None:
        self.value = {"fields": {k: getattr(v, "value", v) for k, v in value["fields"].items()},
                      "limits": {k: v.model_dump(exclude_none=True)
                                 for k, v in value["limits"].items()}}
        specs = {f.name: f for f in self.context.flow.record_fields} if self.context else {}
        names = list(dict.fromkeys([*specs, *self.value["fields"], *self.value["limits"]]))
        if names != self.names:
            self._rebuild(names, specs)
        for name in names:
            combo = self.combos[name]
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(self.value["fields"].get(name, "")))
            combo.blockSignals(False)
            self.limits[name].display(self.value["limits"].get(name))

    def _rebuild(self, names: list[str], specs: dict[str, RecordField]) -> None:
        self.names = names
        self.table.setRowCount(len(names))
        self.combos.clear()
        self.limits.clear()
        for row, name in enumerate(names):
            spec = specs.get(name)
            kind = spec.type.value if spec else "not a record field"
            item = QTableWidgetItem(f"{name}\n{kind}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if spec is None:
                item.setForeground(QColor(theme.DANGER))
            self.table.setItem(row, 0, item)
            combo = QComboBox()
            combo.setObjectName(f"permission_{name}")
            for data, text in PERMISSIONS:
                combo.addItem(text, data)
            combo.activated.connect(self._commit)
            self.combos[name] = combo
            self.table.setCellWidget(row, 1, combo)
            cell = LimitCell(spec, self._commit)
            self.limits[name] = cell
            self.table.setCellWidget(row, 2, cell)
            self.table.setRowHeight(row, ROW_HEIGHT + 6)
        if not names:
            self.table.setRowCount(1)
            note = QTableWidgetItem("Add record fields to the flow first (flow properties).")
            note.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(0, 0, note)
            self.table.setSpan(0, 0, 1, 3)
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 4
                                  + sum(self.table.rowHeight(r)
                                        for r in range(self.table.rowCount())))

    def _commit(self) -> None:
        fields: dict[str, str] = {}
        limits: dict[str, Any] = {}
        # Keep the file's order for entries already listed so an edit changes one line.
        for name in dict.fromkeys([*self.value["fields"], *self.names]):
            permission = self.combos[name].currentData() if name in self.combos else None
            if permission:
                fields[name] = permission
        for name in dict.fromkeys([*self.value["limits"], *self.names]):
            if name in self.limits:
                limit = self.limits[name].read(self.value["limits"].get(name))
                if limit:
                    limits[name] = limit
        self.committed.emit({"fields": fields, "limits": limits})

    def show_error(self, path: tuple[str | int, ...], message: str | None) -> None:
        super().show_error(path, message)
