"""The condition builder: field → operator → value, combined with all / any.

Fields come from the runtime's `field_catalog` (case fields, record fields, and what
earlier steps produce), operators from the field's type, and the value editor from the
field's choices, so a person can only build comparisons that make sense. Each row is
checked with the runtime's own `check_comparison` and shows its problem underneath.
Conditions with nested groups or `not` are shown as text to edit, never silently
flattened.
"""

from __future__ import annotations

from typing import Any

import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.panels.properties.editors import FieldEditor, shrinkable
from designer.panels.properties.record_values import parse_value
from runtime.api import (
    OPS_BY_TYPE,
    AllOf,
    AnyOf,
    Compare,
    FieldInfo,
    FieldType,
    Op,
    check_comparison,
    field_catalog,
)

OP_WORDS = {
    Op.eq: "is", Op.ne: "is not", Op.lt: "is less than", Op.lte: "is at most",
    Op.gt: "is more than", Op.gte: "is at least", Op.in_: "is one of",
    Op.not_in: "is none of", Op.contains: "contains", Op.matches: "matches pattern",
    Op.exists: "is set",
}
OP_ORDER = list(OP_WORDS)


def split(condition: Any) -> tuple[str, list[Compare]] | None:
    """A condition as (mode, flat comparisons), or None when it has nested groups."""
    if isinstance(condition, Compare):
        return "all", [condition]
    if isinstance(condition, AllOf | AnyOf):
        items = condition.all if isinstance(condition, AllOf) else condition.any
        if all(isinstance(c, Compare) for c in items):
            return ("all" if isinstance(condition, AllOf) else "any"), list(items)
    return None


def join(mode: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return rows[0] if len(rows) == 1 else {mode: rows}


class ComparisonRow(QFrame):
    """field / operator value, on two lines so long field names stay readable."""

    def __init__(self, builder: ConditionBuilder) -> None:
        super().__init__()
        self.builder = builder
        theme.style_as_card(self, "comparison")
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(4)
        self.field = shrinkable(QComboBox())
        self.field.setObjectName("conditionField")
        self.op = shrinkable(QComboBox())
        self.op.setObjectName("conditionOp")
        self.value = shrinkable(QComboBox())
        self.value.setObjectName("conditionValue")
        self.value.setEditable(True)
        self.presence = shrinkable(QComboBox())
        self.presence.setObjectName("conditionPresence")
        self.presence.addItem("yes", None)  # the file's default: `op: exists` alone
        self.presence.addItem("no (is not set)", False)
        self.remove = QPushButton("×")
        self.remove.setProperty("small", True)
        self.remove.setToolTip("Remove this condition")
        first = QHBoxLayout()
        first.setSpacing(4)
        first.addWidget(self.field, 1)
        first.addWidget(self.remove)
        second = QHBoxLayout()
        second.setSpacing(4)
        second.addWidget(self.op, 2)
        second.addWidget(self.value, 3)
        second.addWidget(self.presence, 3)
        column.addLayout(first)
        column.addLayout(second)
        self.problem = QLabel()
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.problem.hide()
        column.addWidget(self.problem)
        self.field.activated.connect(self._field_chosen)
        self.op.activated.connect(self._op_chosen)
        self.value.activated.connect(lambda _: builder.commit())
        self.presence.activated.connect(lambda _: builder.commit())
        self.value.lineEdit().editingFinished.connect(builder.commit)
        self.remove.clicked.connect(lambda: builder.remove_row(self))

    def display(self, cmp: Compare, catalog: dict[str, FieldInfo]) -> None:
        self._fill_fields(catalog, cmp.field)
        self._fill_ops(catalog.get(cmp.field), cmp.op)
        self._fill_values(catalog.get(cmp.field), cmp.op, cmp.value)
        problem = check_comparison(cmp, catalog)
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))

    def _fill_fields(self, catalog: dict[str, FieldInfo], current: str) -> None:
        self.field.blockSignals(True)
        self.field.clear()
        for ref, info in catalog.items():
            self.field.addItem(ref, ref)
            self.field.setItemData(self.field.count() - 1, info.description or ref,
                                   Qt.ItemDataRole.ToolTipRole)
        if current not in catalog:
            self.field.addItem(f"{current} (unknown)", current)
        self.field.setCurrentIndex(self.field.findData(current))
        self.field.blockSignals(False)

    def _fill_ops(self, info: FieldInfo | None, current: Op) -> None:
        allowed = OPS_BY_TYPE[info.type] if info else set(OP_WORDS)
        self.op.blockSignals(True)
        self.op.clear()
        for op in OP_ORDER:
            if op in allowed or op == current:
                self.op.addItem(OP_WORDS[op], op.value)
        self.op.setCurrentIndex(self.op.findData(current.value))
        self.op.blockSignals(False)

    def _fill_values(self, info: FieldInfo | None, op: Op, value: Any) -> None:
        presence = op is Op.exists
        self.presence.setVisible(presence)
        self.value.setVisible(not presence)
        if presence:
            self.presence.setCurrentIndex(0 if value in (None, True) else 1)
            return
        self.value.blockSignals(True)
        self.value.clear()
        choices = list(info.values) if info and info.values else (
            ["true", "false"] if info and info.type is FieldType.boolean else [])
        self.value.addItems(choices)
        text = ", ".join(map(_text, value)) if isinstance(value, list) else _text(value)
        self.value.setEditText(text)
        self.value.blockSignals(False)

    def _field_chosen(self) -> None:
        ref = self.field.currentData()
        info = self.builder.catalog.get(ref)
        if info is not None:
            ops = OPS_BY_TYPE[info.type]
            current = Op(self.op.currentData())
            op = current if current in ops else Op.eq if Op.eq in ops else sorted(ops)[0]
            self._fill_ops(info, op)
            first = info.values[0] if info.values else None
            self._fill_values(info, op, first if op is not Op.exists else None)
        self.builder.commit()

    def _op_chosen(self) -> None:
        info = self.builder.catalog.get(self.field.currentData())
        op = Op(self.op.currentData())
        self._fill_values(info, op, None if op is Op.exists else self.read().get("value"))
        self.builder.commit()

    def read(self) -> dict[str, Any]:
        ref = self.field.currentData()
        op = Op(self.op.currentData())
        info = self.builder.catalog.get(ref)
        if op is Op.exists:
            return {"field": ref, "op": op.value, "value": self.presence.currentData()}
        text = self.value.currentText()
        kind = info.type if info else None
        if op in (Op.in_, Op.not_in):
            value: Any = [parse_value(t, kind) for t in text.split(",") if t.strip()]
        else:
            value = parse_value(text, kind)
        return {"field": ref, "op": op.value, "value": value}


class ConditionBuilder(FieldEditor):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        mode_line = QHBoxLayout()
        self.mode_label = QLabel("Take this branch when")
        self.mode = shrinkable(QComboBox())
        self.mode.setObjectName("conditionMode")
        self.mode.addItem("all of these are true", "all")
        self.mode.addItem("any of these is true", "any")
        self.mode.activated.connect(lambda _: self.commit())
        mode_line.addWidget(self.mode_label)
        mode_line.addWidget(self.mode, 1)
        column.addLayout(mode_line)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(6)
        column.addLayout(self.rows_box)
        self.add_button = QPushButton("+ Add a condition")
        self.add_button.setObjectName("addCondition")
        self.add_button.clicked.connect(self.add_row)
        column.addWidget(self.add_button)
        self.text = QPlainTextEdit()
        self.text.setObjectName("conditionText")
        self.text.setFixedHeight(90)
        self.text_commit = QPushButton("Apply")
        self.text_commit.clicked.connect(self._commit_text)
        column.addWidget(self.text)
        column.addWidget(self.text_commit)
        self.layout_.addLayout(column)
        self.rows: list[ComparisonRow] = []
        self.catalog: dict[str, FieldInfo] = {}

    def set_value(self, value: Any) -> None:
        self.catalog = field_catalog(self.context.flow) if self.context else {}
        shape = split(value) if value is not None else ("all", [])
        complex_ = shape is None
        for widget in (self.text, self.text_commit):
            widget.setVisible(complex_)
        for widget in (self.mode, self.mode_label, self.add_button):
            widget.setVisible(not complex_)
        if complex_:
            dumped = value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
            self.text.setPlainText(yaml.safe_dump(dumped, sort_keys=False))
            self._set_rows([])
            return
        mode, comparisons = shape
        self.mode.setCurrentIndex(self.mode.findData(mode))
        self.mode.setVisible(len(comparisons) > 1)
        self.mode_label.setText("Take this branch when" + ("" if len(comparisons) > 1
                                                            else ":"))
        self._set_rows(comparisons)

    def _set_rows(self, comparisons: list[Compare]) -> None:
        while len(self.rows) > len(comparisons):
            row = self.rows.pop()
            row.setParent(None)
            row.deleteLater()
        while len(self.rows) < len(comparisons):
            row = ComparisonRow(self)
            self.rows.append(row)
            self.rows_box.addWidget(row)
        for row, cmp in zip(self.rows, comparisons, strict=True):
            row.display(cmp, self.catalog)
            row.remove.setEnabled(len(comparisons) > 1)

    def commit(self) -> None:
        rows = [row.read() for row in self.rows]
        if rows:
            self.committed.emit(join(self.mode.currentData(), rows))

    def add_row(self) -> None:
        rows = [row.read() for row in self.rows]
        first = next(iter(self.catalog.values()), None)
        if first is None:
            return
        op = Op.eq if Op.eq in OPS_BY_TYPE[first.type] else Op.exists
        value = first.values[0] if first.values and op is Op.eq else None
        rows.append({"field": first.ref, "op": op.value, "value": value})
        self.committed.emit(join(self.mode.currentData() or "all", rows))

    def remove_row(self, row: ComparisonRow) -> None:
        rows = [r.read() for r in self.rows if r is not row]
        if rows:
            self.committed.emit(join(self.mode.currentData(), rows))

    def _commit_text(self) -> None:
        try:
            self.committed.emit(yaml.safe_load(self.text.toPlainText()))
        except yaml.YAMLError as error:
            self.show_error((), f"not valid YAML: {error}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
