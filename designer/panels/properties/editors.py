"""Basic field editors: one widget per kind of value, all with the same small contract.

`set_value` shows a value without reporting it back; `committed` fires when the person
finishes an edit (Enter, focus out, a choice, a tick). The form turns a commit into an
undoable edit and, if the model rejects it, calls `show_error` so the message appears at
the field while the typed text stays put for correcting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


def shrinkable(combo: QComboBox) -> QComboBox:
    """Let a combo box be narrower than its longest item (the panel is narrow)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    return combo


class FieldEditor(QWidget):
    committed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(6)
        self.context: Any = None

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_context(self, context: Any) -> None:
        """The form's current view of the flow (choices of record fields and so on)."""
        self.context = context

    def show_error(self, path: tuple[str | int, ...], message: str | None) -> None:
        for child in self.findChildren(QWidget):
            if isinstance(child, QLineEdit | QPlainTextEdit | QComboBox):
                child.setProperty("invalid", bool(message))
                child.style().unpolish(child)
                child.style().polish(child)


class TextEditor(FieldEditor):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder)
        self.layout_.addWidget(self.line)
        self.line.editingFinished.connect(self._commit)
        self.empty_is_none = False

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.line.text() != text and not self.line.hasFocus():
            self.line.setText(text)
            self.line.setCursorPosition(0)

    def _commit(self) -> None:
        text = self.line.text().strip()
        self.committed.emit(None if (self.empty_is_none and not text) else text)


class MultilineEditor(FieldEditor):
    """Longer text (instructions, notes); commits when focus leaves the box."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QPlainTextEdit()
        self.box.setPlaceholderText(placeholder)
        self.box.setTabChangesFocus(True)
        self.box.setFixedHeight(76)
        self.box.installEventFilter(self)
        self.layout_.addWidget(self.box)

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.box.toPlainText() != text and not self.box.hasFocus():
            self.box.setPlainText(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.FocusOut:
            self.commit()
        return super().eventFilter(watched, event)

    def commit(self) -> None:
        self.committed.emit(self.box.toPlainText().strip())


class NumberEditor(FieldEditor):
    """Integers or decimals with the model's bounds; optional numbers may be left empty."""

    def __init__(self, integer: bool, minimum: float | None, maximum: float | None,
                 optional: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.integer, self.optional = integer, optional
        self.spin: QSpinBox | QDoubleSpinBox = QSpinBox() if integer else QDoubleSpinBox()
        low = minimum if minimum is not None else -1_000_000
        high = maximum if maximum is not None else 1_000_000
        if optional:
            low -= 1  # one below the minimum reads as "not set"
            self.spin.setSpecialValueText("not set")
        if isinstance(self.spin, QDoubleSpinBox):
            self.spin.setDecimals(2)
            self.spin.setSingleStep(0.05)
        self.spin.setRange(low, high)  # type: ignore[arg-type]
        self.spin.setKeyboardTracking(False)
        self.spin.setFixedWidth(110)
        self.layout_.addWidget(self.spin)
        self.layout_.addStretch(1)
        self.spin.editingFinished.connect(self._commit)

    def set_value(self, value: Any) -> None:
        shown = self.spin.minimum() if value is None else value
        if self.spin.value() != shown and not self.spin.hasFocus():
            self.spin.blockSignals(True)
            self.spin.setValue(shown)  # type: ignore[arg-type]
            self.spin.blockSignals(False)

    def _commit(self) -> None:
        value = self.spin.value()
        if self.optional and value == self.spin.minimum():
            self.committed.emit(None)
        else:
            self.committed.emit(int(value) if self.integer else round(float(value), 4))


class BoolEditor(FieldEditor):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QCheckBox(text)
        self.layout_.addWidget(self.box)
        self.box.clicked.connect(lambda checked: self.committed.emit(bool(checked)))

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))


class ChoiceEditor(FieldEditor):
    """A fixed list of (value, text) choices; `None` may be one of them (flow default)."""

    def __init__(self, choices: Sequence[tuple[Any, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = shrinkable(QComboBox())
        self.layout_.addWidget(self.combo)
        self.set_choices(choices)
        self.combo.activated.connect(lambda i: self.committed.emit(self.combo.itemData(i)))

    def set_choices(self, choices: Sequence[tuple[Any, str]]) -> None:
        current = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        for value, text in choices:
            self.combo.addItem(text, value)
        self._select(current)
        self.combo.blockSignals(False)

    def _select(self, value: Any) -> None:
        for index in range(self.combo.count()):
            if self.combo.itemData(index) == value:
                self.combo.setCurrentIndex(index)
                return

    def set_value(self, value: Any) -> None:
        self._select(value.value if hasattr(value, "value") else value)


class EditableChoiceEditor(FieldEditor):
    """Suggestions plus free text (a model name, a fallback label)."""

    def __init__(self, placeholder: str = "", empty_is_none: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_is_none = empty_is_none
        self.combo = shrinkable(QComboBox())
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.lineEdit().setPlaceholderText(placeholder)
        self.layout_.addWidget(self.combo)
        self.combo.lineEdit().editingFinished.connect(self._commit)
        self.combo.activated.connect(lambda _: self._commit())

    def set_suggestions(self, values: Sequence[str]) -> None:
        text = self.combo.currentText()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(list(values))
        self.combo.setEditText(text)
        self.combo.blockSignals(False)

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.combo.currentText() != text and not self.combo.lineEdit().hasFocus():
            self.combo.setEditText(text)

    def _commit(self) -> None:
        text = self.combo.currentText().strip()
        self.committed.emit(None if self.empty_is_none and not text else text)


class TagsEditor(FieldEditor):
    """A short list of words, typed comma-separated ("approve, reject, more_info")."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder or "comma-separated")
        self.layout_.addWidget(self.line)
        self.line.editingFinished.connect(self._commit)

    def set_value(self, value: Any) -> None:
        text = ", ".join(str(v) for v in value or [])
        if self.line.text() != text and not self.line.hasFocus():
            self.line.setText(text)

    def _commit(self) -> None:
        self.committed.emit([part.strip() for part in self.line.text().split(",")
                             if part.strip()])


class ChecklistEditor(FieldEditor):
    """Pick some of the flow's fields (which case fields an AI step reads, say)."""

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("checklist")
        self.list.setMaximumHeight(110)
        self.list.itemChanged.connect(self._commit)
        self.empty_text = empty_text
        column.addWidget(self.list)
        self.layout_.addLayout(column)
        self._value: list[str] = []

    def set_choices(self, names: Sequence[str]) -> None:
        self._fill(list(names))

    def set_value(self, value: Any) -> None:
        self._value = list(value or [])
        self._fill([self.list.item(i).data(Qt.ItemDataRole.UserRole)
                    for i in range(self.list.count())])

    def _fill(self, names: list[str]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for name in dict.fromkeys([*names, *self._value]):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in self._value
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        if not self.list.count():
            placeholder = QListWidgetItem(self.empty_text)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(placeholder)
        row = self.list.sizeHintForRow(0) if self.list.count() else 20
        self.list.setFixedHeight(min(132, 6 + row * self.list.count()))
        self.list.blockSignals(False)

    def _commit(self) -> None:
        self._value = [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                       for i in range(self.list.count())
                       if self.list.item(i).checkState() == Qt.CheckState.Checked]
        self.committed.emit(list(self._value))


class YamlEditor(MultilineEditor):
    """A value with structure the form has no special editor for, written as YAML.

    The model still validates what is typed, so this is a safe fallback for fields the
    runtime adds before the designer learns a nicer way to edit them.
    """

    def __init__(self, empty: Any = None, parent: QWidget | None = None) -> None:
        super().__init__("YAML", parent)
        self.empty = empty  # what an empty box means: {} for a mapping, [] for a list
        self.box.setStyleSheet("font-family: 'DejaVu Sans Mono'; font-size: 8pt;")

    def set_value(self, value: Any) -> None:
        data = _plain(value)
        text = "" if data in (None, {}, []) else yaml.safe_dump(data, sort_keys=False).strip()
        if self.box.toPlainText() != text and not self.box.hasFocus():
            self.box.setPlainText(text)

    def commit(self) -> None:
        text = self.box.toPlainText()
        try:
            value = yaml.safe_load(text) if text.strip() else self.empty
        except yaml.YAMLError as error:
            self.show_error((), f"not valid YAML: {error}")
            return
        self.committed.emit(value)


def _plain(value: Any) -> Any:
    """Models, enums and tuples as plain YAML-able data."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)
