"""A classify step's options: name, what it means, and real examples — one card each.

Examples matter most (the embeddings method learns from them), so each card gives them a
box of their own, one example per line.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer import nodes, theme
from designer.panels.properties.editors import FieldEditor


class OptionCard(QFrame):
    def __init__(self, on_change, on_remove) -> None:
        super().__init__()
        theme.style_as_card(self, "optionCard")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 8)
        grid.setVerticalSpacing(4)
        self.name = QLineEdit()
        self.name.setPlaceholderText("name (e.g. refund)")
        self.name.setObjectName("optionName")
        self.remove = QPushButton("Remove")
        self.remove.setProperty("flat", True)
        self.remove.setToolTip("Remove this option")
        self.description = QLineEdit()
        self.description.setPlaceholderText("when to choose it")
        self.examples = QPlainTextEdit()
        self.examples.setPlaceholderText("Real examples, one per line")
        self.examples.setFixedHeight(58)
        self.examples.setTabChangesFocus(True)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.remove, 0, 1)
        grid.addWidget(self.description, 1, 0, 1, 2)
        grid.addWidget(self.examples, 2, 0, 1, 2)
        self.name.editingFinished.connect(on_change)
        self.description.editingFinished.connect(on_change)
        self.examples.installEventFilter(self)
        self._on_change = on_change
        self.remove.clicked.connect(lambda: on_remove(self))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.examples and event.type() == QEvent.Type.FocusOut:
            self._on_change()
        return super().eventFilter(watched, event)

    def display(self, option: Any) -> None:
        for line, text in ((self.name, option.name), (self.description, option.description)):
            if line.text() != text and not line.hasFocus():
                line.setText(text)
                line.setCursorPosition(0)
        examples = "\n".join(option.examples)
        if self.examples.toPlainText() != examples and not self.examples.hasFocus():
            self.examples.setPlainText(examples)

    def read(self) -> dict[str, Any]:
        return {"name": self.name.text().strip(),
                "description": self.description.text().strip(),
                "examples": [line.strip() for line in self.examples.toPlainText().splitlines()
                             if line.strip()]}


class OptionsEditor(FieldEditor):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(6)
        column.addLayout(self.cards_box)
        self.add_button = QPushButton("+ Add option")
        self.add_button.setObjectName("addOption")
        self.add_button.clicked.connect(self._add)
        column.addWidget(self.add_button)
        self.hint = QLabel("A classify step needs at least two options.")
        self.hint.setProperty("role", "caption")
        column.addWidget(self.hint)
        self.layout_.addLayout(column)
        self.cards: list[OptionCard] = []
        self.value: list[Any] = []

    def set_value(self, value: Any) -> None:
        self.value = list(value)
        while len(self.cards) < len(self.value):
            card = OptionCard(self._commit, self._remove)
            self.cards.append(card)
            self.cards_box.addWidget(card)
        while len(self.cards) > len(self.value):
            card = self.cards.pop()
            card.setParent(None)
            card.deleteLater()
        for card, option in zip(self.cards, self.value, strict=True):
            card.display(option)
            card.remove.setEnabled(len(self.value) > 2)

    def _commit(self) -> None:
        self.committed.emit([card.read() for card in self.cards])

    def _add(self) -> None:
        taken = [card.read()["name"] for card in self.cards]
        options = [card.read() for card in self.cards]
        options.append({"name": nodes.unique_id("option", taken), "description": "",
                        "examples": []})
        self.committed.emit(options)

    def _remove(self, card: OptionCard) -> None:
        self.committed.emit([c.read() for c in self.cards if c is not card])
