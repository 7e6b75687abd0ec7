"""`EmptyState`: what a view shows instead of empty charts — what is missing and what to do.

An empty combo box and bare headings tell an analyst nothing; this panel says in a
sentence why there is nothing to show, lists the steps that fill the view, and offers
the buttons that take those steps. Texts are plain (a flow or file name may contain
anything).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from designer import theme


class EmptyState(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        box = self._box = QVBoxLayout()
        box.setSpacing(10)
        self.heading = _plain("")
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.heading.setFont(font)
        box.addWidget(self.heading)
        self.body = _plain("")
        self.body.setStyleSheet(f"color: {theme.INK_SOFT}")
        box.addWidget(self.body)
        self.button_row = QWidget()
        box.addWidget(self.button_row)
        holder = QWidget()
        holder.setLayout(box)
        holder.setMaximumWidth(640)
        # centred by stretches, not an alignment flag: an aligned widget gets its size
        # hint's height, and wrapped text would be cut off
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self._actions: list[QPushButton] = []

    def show_state(self, heading: str, body: str,
                   actions: Sequence[tuple[str, Callable[[], None]]] = ()) -> None:
        """Say what is missing (`heading`), what fills the view (`body`), with buttons."""
        self.heading.setText(heading)
        self.body.setText(body)
        row = QHBoxLayout()
        row.setContentsMargins(0, 6, 0, 0)
        row.setSpacing(8)
        self._actions = []
        for text, act in actions:
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, act=act: act())
            row.addWidget(button)
            self._actions.append(button)
        row.addStretch(1)
        fresh = QWidget()
        fresh.setLayout(row)
        self._box.replaceWidget(self.button_row, fresh)  # parents `fresh` before it shows
        self.button_row.deleteLater()
        self.button_row = fresh
        fresh.setHidden(not actions)

    def action_texts(self) -> list[str]:
        return [b.text() for b in self._actions]

    def click(self, text: str) -> None:
        """Press the button labelled `text` (tests, and keyboard users via the view)."""
        next(b for b in self._actions if b.text() == text).click()


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label
