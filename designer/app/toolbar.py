"""Toolbar widgets that show the flow's settings where everyone can see them.

The autonomy stage is the one setting a trainer points at in front of a room, so it is a
large three-way switch rather than a field in a form; the default model sits beside it.
Both edit through the editor (undoable) and follow the document (undo, open, paste).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.app.session import FlowSession
from designer.canvas.glyphs import glyph_icon
from designer.document.errors import PropertyError
from designer.guards import guard_wheel
from designer.panels.model_catalog import ModelCatalog, fill


class AutonomySwitch(QWidget):
    def __init__(self, session: FlowSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("autonomySwitch")
        self.session = session
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        caption = QLabel("AUTONOMY STAGE")
        caption.setStyleSheet(f"color: {theme.INK_FAINT}; font-size: 7pt; font-weight: bold;"
                              "letter-spacing: 1px;")
        column.addWidget(caption)
        row = QHBoxLayout()
        row.setSpacing(0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        for index, (stage, (text, color, meaning)) in enumerate(theme.AUTONOMY.items()):
            button = QToolButton()
            button.setObjectName(f"autonomy_{stage}")
            button.setText(text)
            button.setCheckable(True)
            button.setIcon(glyph_icon(stage, color, 24))
            button.setIconSize(QSize(20, 20))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"{text}: {meaning}")
            left = 8 if index == 0 else 0
            right = 8 if index == len(theme.AUTONOMY) - 1 else 0
            button.setStyleSheet(
                f"QToolButton {{ font-size: 11pt; font-weight: bold; padding: 4px 8px;"
                f" color: {theme.INK_SOFT}; background: white; border: 1px solid {theme.LINE};"
                f" border-top-left-radius: {left}px; border-bottom-left-radius: {left}px;"
                f" border-top-right-radius: {right}px; border-bottom-right-radius: {right}px;}}"
                f"QToolButton:checked {{ color: white; background: {color};"
                f" border-color: {color}; }}")
            button.clicked.connect(lambda _=False, s=stage: self._choose(s))
            self.group.addButton(button)
            self.buttons[stage] = button
            row.addWidget(button)
        column.addLayout(row)
        session.document.changed.connect(self.refresh)
        self.refresh()

    def current(self) -> str:
        return self.session.document.header.autonomy.value

    def refresh(self) -> None:
        stage = self.current()
        for name, button in self.buttons.items():
            button.setChecked(name == stage)
            icon_color = "white" if name == stage else theme.AUTONOMY[name][1]
            button.setIcon(glyph_icon(name, icon_color, 24))
        self.setToolTip(f"The flow's autonomy stage: {theme.AUTONOMY[stage][0]} — "
                        f"{theme.AUTONOMY[stage][2]}")

    def _choose(self, stage: str) -> None:
        self.session.editor.set_flow_property("autonomy", stage)
        self.refresh()


class PickerCombo(QComboBox):
    """A combo box that says when its list is about to open (to look for models again)."""

    opening = Signal()

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()


class ModelBox(QWidget):
    """The flow's default model; empty means the steps must each name one. Its list is
    what is really on this machine (see `ModelCatalog`), asked again on each opening."""

    def __init__(self, session: FlowSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.catalog = ModelCatalog(self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        caption = QLabel("DEFAULT MODEL")
        caption.setStyleSheet(f"color: {theme.INK_FAINT}; font-size: 7pt; font-weight: bold;"
                              "letter-spacing: 1px;")
        self.combo = PickerCombo()
        self.combo.setObjectName("defaultModel")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setFixedWidth(160)
        guard_wheel(self.combo)  # a stray wheel over the toolbar must not change the model
        line = self.combo.lineEdit()
        assert line is not None  # an editable combo box always has one
        self.line = line
        line.setPlaceholderText("none — each AI step names one")
        line.editingFinished.connect(self._commit)
        self.combo.activated.connect(lambda _: self._commit())
        column.addWidget(caption)
        column.addWidget(self.combo)
        session.document.changed.connect(self.refresh)
        session.document.reset.connect(self.look_again)  # another flow, another folder
        self.combo.opening.connect(self.look_again)  # a model may have been pulled since
        self.catalog.updated.connect(lambda _: self._fill())
        self.catalog.asking.connect(self._fill)
        self.refresh()

    def look_again(self) -> None:
        self.catalog.refresh(self.session.path)

    def _fill(self) -> None:
        flow = self.session.document.header
        named = [flow.default_model, *(getattr(n, "model", None) for n in flow.nodes)]
        fill(self.combo, self.catalog.choices, named=[r for r in named if r])

    def refresh(self) -> None:
        text = self.session.document.header.default_model or ""
        if self.combo.currentText() != text and not self.line.hasFocus():
            self.combo.setEditText(text)
            self.line.setCursorPosition(0)  # the start of a long name, not its tail
        self.combo.setToolTip(text or "No default model")

    def _commit(self) -> None:
        text = self.combo.currentText().strip() or None
        try:
            self.session.editor.set_flow_property("default_model", text)
        except PropertyError:
            self.refresh()


class FindBox(QLineEdit):
    """Type a step's title or id; Enter selects it and brings it into view."""

    found = Signal(str)

    def __init__(self, session: FlowSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findStep")
        self.session = session
        self.setPlaceholderText("Find a step…  (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self.setFixedWidth(160)
        self.completer_ = QCompleter([], self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(self.completer_)
        self.completer_.activated.connect(self._go)
        self.returnPressed.connect(lambda: self._go(self.text()))
        self._names_stale = True
        session.document.changed.connect(self._names_changed)
        self._refresh_names()

    def _names_changed(self) -> None:
        """The list is rebuilt when the box is next used, not after every edit."""
        self._names_stale = True
        if self.hasFocus():
            self._refresh_names()

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._names_stale:
            self._refresh_names()
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._names_stale:  # typing without a focus change (the window was inactive)
            self._refresh_names()
        super().keyPressEvent(event)

    def _refresh_names(self) -> None:
        self._names_stale = False
        names = [f"{n.label()} ({n.id})" if n.title else n.id
                 for n in self.session.document.nodes()]
        self.completer_.model().setStringList(names)  # type: ignore[attr-defined]

    def _go(self, text: str) -> None:
        node_id = find_node(self.session, text)
        if node_id:
            self.found.emit(node_id)


def find_node(session: FlowSession, text: str) -> str | None:
    """The step whose id or title best matches `text` (exact first, then contains)."""
    query = text.strip().casefold()
    if query.endswith(")") and "(" in query:
        query = query.rsplit("(", 1)[1].rstrip(")")
    if not query:
        return None
    nodes = session.document.nodes()
    for node in nodes:
        if query in (node.id.casefold(), node.title.casefold()):
            return node.id
    for node in nodes:
        if query in node.id.casefold() or query in node.title.casefold():
            return node.id
    return None
