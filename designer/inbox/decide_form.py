"""The decide form: approve, reject, choose a branch, or edit the proposed values.

Only the decisions the task allows are offered. Each editable value has its own editor,
prefilled with the proposal; what is wrong with a value is shown under that field (the
checks are the runtime's, the same as `junction decide --set`), and nothing is decided
until every field is right. Who decides is shown, since it is recorded on the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.guards import guard_wheel
from designer.inbox.packet_view import plain
from runtime.api import EditableField, FieldType, TaskForm


@dataclass(frozen=True)
class Submission:
    """What the person pressed, with the texts of the values they changed."""

    action: str                      # approve, reject or choose
    choice: str | None = None
    texts: dict[str, str] = field(default_factory=dict)


def shown(value: Any) -> str:
    return "" if value is None else str(value)


def number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def limit_text(item: EditableField) -> str:
    spec, limit = item.spec, item.limit or {}
    parts = [spec.type.value]
    if "min" in limit and "max" in limit:
        parts.append(f"from {number(limit['min'])} to {number(limit['max'])}")
    elif "min" in limit:
        parts.append(f"at least {number(limit['min'])}")
    elif "max" in limit:
        parts.append(f"at most {number(limit['max'])}")
    if limit.get("values"):
        parts.append("one of " + ", ".join(map(str, limit["values"])))
    return " ".join(parts[:1]) + (", " + ", ".join(parts[1:]) if parts[1:] else "")


class ValueEditor(QWidget):
    """One editable value: its editor and, under it, what is wrong with it."""

    def __init__(self, item: EditableField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.initial = shown(item.proposed)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.editor: QLineEdit | QComboBox
        if item.spec.type is FieldType.enum:
            combo = QComboBox()
            guard_wheel(combo)
            choices = [str(v) for v in (item.limit or {}).get("values") or item.spec.values
                       or []]
            if self.initial and self.initial not in choices:
                choices.insert(0, self.initial)
            combo.addItems(choices)
            combo.setCurrentText(self.initial)
            self.editor = combo
        else:
            line = QLineEdit(self.initial)
            line.setPlaceholderText("keep the proposed value" if self.initial else "no value")
            line.textEdited.connect(lambda _: self.show_error(None))
            self.editor = line
        self.editor.setObjectName(f"edit_{item.spec.name}")
        column.addWidget(self.editor)
        self.error = plain("", name=f"error_{item.spec.name}")
        self.error.setStyleSheet(f"color: {theme.DANGER};")
        self.error.hide()
        column.addWidget(self.error)

    def text(self) -> str:
        return (self.editor.currentText() if isinstance(self.editor, QComboBox)
                else self.editor.text())

    def changed(self) -> bool:
        return self.text().strip() != self.initial.strip()

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        border = theme.DANGER if message else theme.LINE
        if isinstance(self.editor, QLineEdit):
            self.editor.setStyleSheet(f"QLineEdit {{ border: 1px solid {border};"
                                      " border-radius: 4px; padding: 3px; }")


class DecideForm(QFrame):
    submitted = Signal(object)  # a Submission

    def __init__(self, decider: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        theme.style_as_card(self, "decideForm")
        self.decider = decider
        self.editors: dict[str, ValueEditor] = {}
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(12, 10, 12, 12)
        heading = QLabel("Your decision")
        heading.setFont(theme.font(11, bold=True))
        self.column.addWidget(heading)
        self.who = plain("", soft=True, name="decideWho")
        self.column.addWidget(self.who)
        self.fields_host = QWidget()
        self.fields = QGridLayout(self.fields_host)
        self.fields.setContentsMargins(0, 4, 0, 4)
        self.fields.setHorizontalSpacing(10)
        self.column.addWidget(self.fields_host)
        choose_row = QHBoxLayout()
        self.choice_caption = QLabel("Choose instead:")
        self.choice = QComboBox()
        self.choice.setObjectName("decideChoice")
        guard_wheel(self.choice)
        self.choose_button = QPushButton("Choose this")
        self.choose_button.setObjectName("decideChoose")
        self.choose_button.clicked.connect(
            lambda: self.submitted.emit(Submission("choose", self.choice.currentText())))
        choose_row.addWidget(self.choice_caption)
        choose_row.addWidget(self.choice, 1)
        choose_row.addWidget(self.choose_button)
        self.column.addLayout(choose_row)
        buttons = QHBoxLayout()
        self.approve_button = QPushButton("Approve")
        self.approve_button.setObjectName("decideApprove")
        self.approve_button.setStyleSheet(
            f"QPushButton {{ background: {theme.SUCCESS}; color: white; font-weight: bold;"
            " padding: 6px 18px; border-radius: 5px; }"
            f"QPushButton:disabled {{ background: {theme.LINE}; }}")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setObjectName("decideReject")
        self.approve_button.clicked.connect(self._approve)
        self.reject_button.clicked.connect(lambda: self.submitted.emit(Submission("reject")))
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        self.column.addLayout(buttons)
        self.set_task([], [], None)

    def set_task(self, allowed: list[str], options: list[str], form: TaskForm | None) -> None:
        self.who.setText(f"Deciding as {self.decider()} (recorded with the decision; "
                         "change the name in Edit ▸ Settings)")
        for editor in self.editors.values():
            editor.hide()
            editor.deleteLater()
        while self.fields.count():
            taken = self.fields.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.editors = {}
        editable = form.fields if form is not None and "edit" in allowed else []
        for row, item in enumerate(editable):
            caption = plain(f"{item.spec.name} ({limit_text(item)})")
            if item.spec.description:
                caption.setToolTip(item.spec.description)
            editor = ValueEditor(item)
            self.fields.addWidget(caption, row, 0)
            self.fields.addWidget(editor, row, 1)
            self.editors[item.spec.name] = editor
        self.fields.setColumnStretch(1, 1)
        self.fields_host.setVisible(bool(editable))
        self.approve_button.setText("Approve with these values" if editable else "Approve")
        self.approve_button.setVisible("approve" in allowed)
        self.reject_button.setVisible("reject" in allowed)
        can_choose = "choose" in allowed and bool(options)
        self.choice.clear()
        self.choice.addItems(options if can_choose else [])
        for widget in (self.choice_caption, self.choice, self.choose_button):
            widget.setVisible(can_choose)
        self.setEnabled(bool(allowed))

    def _approve(self) -> None:
        texts = {name: e.text() for name, e in self.editors.items() if e.changed()}
        self.submitted.emit(Submission("approve", texts=texts))

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, editor in self.editors.items():
            editor.show_error(problems.get(name))

    def set_busy(self, busy: bool) -> None:
        for button in (self.approve_button, self.reject_button, self.choose_button):
            button.setEnabled(not busy)
