"""The flow's case fields (the input of a run) or record fields (what it may change):
one row per field — name, type, the choices of a choice field, description."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from designer import registry, theme
from designer.panels.properties.editors import FieldEditor
from runtime.flow.schema import FieldType

TYPE_TEXT = {"string": "text", "number": "number", "integer": "whole number",
             "boolean": "yes / no", "enum": "choice"}


class FieldsTableEditor(FieldEditor):
    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind  # "case" | "record"
        columns = ["Name", "Type", "Choices", "Description"]
        if kind == "case":
            columns.append("Required")
        columns.append("")
        self.table = QTableWidget(0, len(columns))
        self.table.setObjectName(f"{kind}FieldsTable")
        self.table.setHorizontalHeaderLabels(columns)
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setStyleSheet(f"QTableWidget {{ border: 1px solid {theme.LINE_SOFT}; "
                                 "border-radius: 6px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table)
        self.add_button = QPushButton(f"+ Add a {kind} field")
        self.add_button.clicked.connect(self._add)
        column.addWidget(self.add_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.layout_.addLayout(column)
        self.value: list[Any] = []

    def set_value(self, value: Any) -> None:
        rows = [f.model_dump(mode="json") for f in value]
        if rows == [self._row_value(r) for r in range(self.table.rowCount())]:
            return
        self.value = rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            self._fill(index, row)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + 6
                                  + sum(self.table.rowHeight(r) for r in range(len(rows))))

    def _fill(self, index: int, row: dict[str, Any]) -> None:
        name = QLineEdit(row["name"])
        name.setObjectName("fieldName")
        kind = QComboBox()
        for value, text in TYPE_TEXT.items():
            kind.addItem(text, value)
        kind.setCurrentIndex(kind.findData(row["type"]))
        choices = QLineEdit(", ".join(row.get("values") or []))
        choices.setPlaceholderText("a, b, c" if row["type"] == "enum" else "")
        choices.setEnabled(row["type"] == "enum")
        description = QLineEdit(row.get("description", ""))
        widgets: list[QWidget] = [name, kind, choices, description]
        for line in (name, choices, description):
            line.editingFinished.connect(self._commit)
        kind.activated.connect(lambda _: self._commit())
        if self.kind == "case":
            required = QCheckBox()
            required.setChecked(bool(row.get("required")))
            required.clicked.connect(lambda _: self._commit())
            widgets.append(required)
        remove = QPushButton("×")
        remove.setFixedWidth(28)
        remove.setToolTip("Remove this field")
        remove.clicked.connect(lambda _=False, i=index: self._remove(i))
        widgets.append(remove)
        for column, widget in enumerate(widgets):
            self.table.setCellWidget(index, column, widget)
        self.table.setRowHeight(index, 34)

    def _row_value(self, index: int) -> dict[str, Any]:
        cell = self.table.cellWidget
        kind = cell(index, 1).currentData()
        choices = [v.strip() for v in cell(index, 2).text().split(",") if v.strip()]
        row: dict[str, Any] = {"name": cell(index, 0).text().strip(), "type": kind,
                               "values": choices if kind == "enum" else None,
                               "description": cell(index, 3).text().strip()}
        if self.kind == "case":
            row["required"] = cell(index, 4).isChecked()
        return row

    def _commit(self) -> None:
        self.committed.emit([self._row_value(r) for r in range(self.table.rowCount())])

    def _add(self) -> None:
        rows = [self._row_value(r) for r in range(self.table.rowCount())]
        name = registry.unique_id("new_field", [r["name"] for r in rows])
        rows.append({"name": name, "type": FieldType.string.value})
        self.committed.emit(rows)

    def _remove(self, index: int) -> None:
        rows = [self._row_value(r) for r in range(self.table.rowCount())]
        del rows[index]
        self.committed.emit(rows)
