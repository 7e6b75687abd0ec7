"""The flow's case fields (the input of a run) or record fields (what it may change):
one small card per field — name, type, the choices of a choice field, description."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer import nodes, theme
from designer.panels.properties.editors import FieldEditor
from runtime.api import FieldType

TYPE_TEXT = {"string": "text", "number": "number", "integer": "whole number",
             "boolean": "yes / no", "enum": "choice"}


class FieldCard(QFrame):
    def __init__(self, kind: str, on_change, on_remove) -> None:
        super().__init__()
        self.kind = kind
        theme.style_as_card(self, "fieldCard")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 8)
        grid.setVerticalSpacing(4)
        grid.setHorizontalSpacing(6)
        self.name = QLineEdit()
        self.name.setObjectName("fieldName")
        self.name.setPlaceholderText("name")
        self.type = QComboBox()
        self.type.setObjectName("fieldType")
        self.type.setFixedWidth(118)
        for value, text in TYPE_TEXT.items():
            self.type.addItem(text, value)
        self.remove = QPushButton("×")
        self.remove.setProperty("small", True)
        self.remove.setToolTip("Remove this field")
        self.choices = QLineEdit()
        self.choices.setObjectName("fieldChoices")
        self.choices.setPlaceholderText("choices, comma-separated: low, normal, high")
        self.description = QLineEdit()
        self.description.setPlaceholderText("what it means (optional)")
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.type, 0, 1)
        grid.addWidget(self.remove, 0, 2)
        grid.addWidget(self.choices, 1, 0, 1, 3)
        grid.addWidget(self.description, 2, 0, 1, 3 if kind == "record" else 2)
        self.required = QCheckBox("required", self)
        self.required.setVisible(kind == "case")
        if kind == "case":
            grid.addWidget(self.required, 2, 2)
            self.required.clicked.connect(lambda _: on_change())
        grid.setColumnStretch(0, 1)
        for line in (self.name, self.choices, self.description):
            line.editingFinished.connect(on_change)
        self.type.activated.connect(lambda _: self._type_chosen(on_change))
        self.remove.clicked.connect(lambda: on_remove(self))

    def _type_chosen(self, on_change) -> None:
        self.choices.setVisible(self.type.currentData() == "enum")
        on_change()

    def display(self, row: dict[str, Any]) -> None:
        for line, text in ((self.name, row["name"]),
                           (self.choices, ", ".join(row.get("values") or [])),
                           (self.description, row.get("description", ""))):
            if line.text() != text and not line.hasFocus():
                line.setText(text)
                line.setCursorPosition(0)
        self.type.setCurrentIndex(self.type.findData(row["type"]))
        self.choices.setVisible(row["type"] == "enum")
        self.required.setChecked(bool(row.get("required")))

    def read(self) -> dict[str, Any]:
        kind = self.type.currentData()
        choices = [v.strip() for v in self.choices.text().split(",") if v.strip()]
        row: dict[str, Any] = {"name": self.name.text().strip(), "type": kind,
                               "values": choices if kind == "enum" else None,
                               "description": self.description.text().strip()}
        if self.kind == "case":
            row["required"] = self.required.isChecked()
        return row


class FieldsTableEditor(FieldEditor):
    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind  # "case" | "record"
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(6)
        column.addLayout(self.cards_box)
        self.add_button = QPushButton(f"+ Add a {kind} field")
        self.add_button.setObjectName(f"add_{kind}_field")
        self.add_button.clicked.connect(self._add)
        column.addWidget(self.add_button)
        self.layout_.addLayout(column)
        self.cards: list[FieldCard] = []

    def set_value(self, value: Any) -> None:
        rows = [f.model_dump(mode="json") for f in value]
        while len(self.cards) < len(rows):
            card = FieldCard(self.kind, self._commit, self._remove)
            self.cards.append(card)
            self.cards_box.addWidget(card)
        while len(self.cards) > len(rows):
            card = self.cards.pop()
            card.setParent(None)
            card.deleteLater()
        for card, row in zip(self.cards, rows, strict=True):
            card.display(row)

    def _commit(self) -> None:
        self.committed.emit([card.read() for card in self.cards])

    def _add(self) -> None:
        rows = [card.read() for card in self.cards]
        name = nodes.unique_id("new_field", [r["name"] for r in rows])
        rows.append({"name": name, "type": FieldType.string.value})
        self.committed.emit(rows)

    def _remove(self, card: FieldCard) -> None:
        self.committed.emit([c.read() for c in self.cards if c is not card])
