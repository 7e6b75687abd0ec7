"""`CaseForm`: a case typed into a form generated from the flow's case fields.

One row per case field, the editor chosen by the field's type (a list for an enum, a
yes/no list for a boolean, a line for text and numbers), required fields marked with *,
the field's description under it. `case()` reads the form and checks every field with
the runtime's own rules (`case_problems`, the ones a run applies), and each problem is
shown at its field, all at once. A choice list only takes the mouse wheel once clicked,
so scrolling over the form never changes a value.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from runtime.api import CaseField, FieldType, Flow, case_problems

UNSET = "—"


class GuardedCombo(QComboBox):
    """A choice list that ignores the wheel unless the person clicked into it first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # let the form scroll instead


class FieldRow(QWidget):
    """One case field: its editor, its description, and the error line under it."""

    def __init__(self, spec: CaseField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.editor: QLineEdit | QComboBox
        if spec.type in (FieldType.enum, FieldType.boolean):
            combo = GuardedCombo()
            combo.addItem(UNSET, None)
            if spec.type is FieldType.enum:
                for choice in spec.values or []:
                    combo.addItem(choice, choice)
            else:
                combo.addItem("yes", True)
                combo.addItem("no", False)
            self.editor = combo
        else:
            line = QLineEdit()
            line.setPlaceholderText({FieldType.number: "a number, e.g. 49.90",
                                     FieldType.integer: "a whole number"}.get(spec.type, ""))
            self.editor = line
        self.editor.setObjectName(f"case_field_{spec.name}")
        column.addWidget(self.editor)
        if spec.description:
            hint = QLabel(spec.description)
            hint.setTextFormat(Qt.TextFormat.PlainText)
            hint.setWordWrap(True)
            hint.setStyleSheet(f"color: {theme.INK_SOFT}; font-size: 8pt;")
            column.addWidget(hint)
        self.error = QLabel()
        self.error.setObjectName(f"case_error_{spec.name}")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.DANGER}; font-weight: bold;")
        self.error.hide()
        column.addWidget(self.error)

    def raw(self) -> Any:
        """The value as typed: numbers converted when they read as numbers, otherwise left
        as text so the check can say what is wrong with it."""
        if isinstance(self.editor, QComboBox):
            return self.editor.currentData()
        text = self.editor.text().strip()
        if text == "":
            return None
        if self.spec.type is FieldType.integer:
            try:
                return int(text)
            except ValueError:
                return text
        if self.spec.type is FieldType.number:
            try:
                return float(text.replace(",", "."))
            except ValueError:
                return text
        return text

    def set_value(self, value: Any) -> None:
        if isinstance(self.editor, QComboBox):
            index = self.editor.findData(value)
            self.editor.setCurrentIndex(max(0, index))
        else:
            self.editor.setText("" if value is None else str(value))

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        color = theme.DANGER if message else theme.LINE
        self.editor.setStyleSheet(f"border: 1.5px solid {color};" if message else "")


class CaseForm(QWidget):
    def __init__(self, flow: Flow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseForm")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        id_spec = CaseField(name="id", required=True,
                            description="Names this case in the runs list and the inbox")
        self.rows: dict[str, FieldRow] = {}
        for spec in [id_spec, *flow.case_fields]:
            row = FieldRow(spec)
            self.rows[spec.name] = row
            form.addRow(self._label(spec), row)
        self.flow = flow

    @staticmethod
    def _label(spec: CaseField) -> QLabel:
        label = QLabel(f"{spec.name}{' *' if spec.required else ''}")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setToolTip(f"{spec.type.value}{', required' if spec.required else ''}")
        return label

    def fill(self, case: dict[str, Any]) -> None:
        for name, row in self.rows.items():
            row.set_value(case.get(name))
        self.show_problems({})

    def values(self) -> dict[str, Any]:
        return {name: value for name, row in self.rows.items()
                if (value := row.raw()) is not None}

    def case(self) -> dict[str, Any] | None:
        """The case, or None after showing every problem at its field."""
        case = self.values()
        problems = case_problems(self.flow, case)
        if not str(case.get("id", "")).strip():
            problems["id"] = "is required"
        self.show_problems(problems)
        return None if problems else case

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, row in self.rows.items():
            row.show_error(problems.get(name))
