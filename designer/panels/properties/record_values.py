"""What an action writes: fixed values (`set`) or values copied from the run
(`copy_from`), one row per record field, with a value editor that fits the field."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer.panels.properties.editors import FieldEditor, shrinkable
from runtime.api import FieldType, field_catalog


def parse_value(text: str, kind: FieldType | None) -> Any:
    """Typed text → the value the file should hold (0 stays 0, "true" becomes true)."""
    text = text.strip()
    if kind in (FieldType.number, FieldType.integer):
        for convert in (int, float):
            try:
                return convert(text)
            except ValueError:
                continue
    if kind is FieldType.boolean and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


class RecordValuesEditor(FieldEditor):
    def __init__(self, copy: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.copy = copy
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(4)
        column.addLayout(self.grid)
        self.add_button = QPushButton("+ Add a field")
        self.add_button.clicked.connect(self._add)
        column.addWidget(self.add_button)
        self.empty = QLabel("Nothing yet.")
        self.empty.setProperty("role", "caption")
        column.addWidget(self.empty)
        self.layout_.addLayout(column)
        self.rows: list[tuple[QComboBox, QComboBox, QPushButton]] = []
        self.value: dict[str, Any] = {}

    def _specs(self) -> dict[str, Any]:
        return {f.name: f for f in self.context.flow.record_fields} if self.context else {}

    def set_value(self, value: Any) -> None:
        self.value = dict(value)
        for widgets in self.rows:
            for widget in widgets:
                widget.setParent(None)
                widget.deleteLater()
        self.rows = []
        for index, (name, item) in enumerate(self.value.items()):
            self._row(index, name, item)
        self.empty.setVisible(not self.value)

    def _row(self, index: int, name: str, item: Any) -> None:
        specs = self._specs()
        field_box = shrinkable(QComboBox())
        field_box.addItems(list(dict.fromkeys([name, *specs])))
        field_box.setCurrentText(name)
        value_box = shrinkable(QComboBox())
        value_box.setEditable(True)
        value_box.addItems(self._suggestions(specs.get(name)))
        value_box.setEditText("" if item is None else _text(item))
        remove = QPushButton("×")
        remove.setProperty("small", True)
        remove.setToolTip("Remove this field")
        field_box.activated.connect(lambda _: self._commit())
        value_box.lineEdit().editingFinished.connect(self._commit)
        value_box.activated.connect(lambda _: self._commit())
        remove.clicked.connect(lambda _=False, i=index: self._remove(i))
        self.grid.addWidget(field_box, index, 0)
        self.grid.addWidget(value_box, index, 1)
        self.grid.addWidget(remove, index, 2)
        self.grid.setColumnStretch(1, 1)
        self.rows.append((field_box, value_box, remove))

    def _suggestions(self, spec: Any) -> list[str]:
        if self.copy:
            return sorted(field_catalog(self.context.flow)) if self.context else []
        if spec is not None and spec.type is FieldType.enum:
            return list(spec.values or [])
        if spec is not None and spec.type is FieldType.boolean:
            return ["true", "false"]
        return []

    def _read(self) -> dict[str, Any]:
        specs = self._specs()
        result: dict[str, Any] = {}
        for field_box, value_box, _ in self.rows:
            name = field_box.currentText()
            text = value_box.currentText()
            spec = specs.get(name)
            result[name] = text.strip() if self.copy else parse_value(
                text, spec.type if spec else None)
        return result

    def _commit(self) -> None:
        self.committed.emit(self._read())

    def _add(self) -> None:
        values = self._read()
        free = [n for n in self._specs() if n not in values]
        if not free:
            return
        values[free[0]] = self._starting_value(free[0])
        self.committed.emit(values)

    def _starting_value(self, name: str) -> Any:
        spec = self._specs()[name]
        if self.copy:
            case_fields = [f.name for f in self.context.flow.case_fields]
            return f"case.{case_fields[0]}" if case_fields else ""
        if spec.type is FieldType.enum:
            return (spec.values or [""])[0]
        if spec.type in (FieldType.number, FieldType.integer):
            return 0
        return True if spec.type is FieldType.boolean else ""

    def _remove(self, index: int) -> None:
        values = list(self._read().items())
        del values[index]
        self.committed.emit(dict(values))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
