"""The start page and the New dialog: start blank, from a template, or from a recent file.

Both show the same gallery — a card per template with its name, what it is for and a
small preview of the flow — because picking a good starting point is the first design
decision a business analyst makes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.app.templates import TemplateInfo, preview

CARD_WIDTH, PREVIEW_HEIGHT = 300, 132


class TemplateCard(QPushButton):
    """A clickable card: preview, name, description."""

    def __init__(self, title: str, description: str, picture: QPixmap, detail: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateCard")
        self.setFixedSize(QSize(CARD_WIDTH, 262))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(
            f"#templateCard {{ background: white; border: 1px solid {theme.LINE};"
            " border-radius: 12px; text-align: left; padding: 0; }"
            f"#templateCard:hover {{ border: 1px solid {theme.SELECTION}; }}"
            f"#templateCard:focus {{ border: 2px solid {theme.SELECTION}; }}")
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 10, 10, 12)
        column.setSpacing(6)
        image = QLabel()
        image.setPixmap(picture)
        image.setFixedSize(CARD_WIDTH - 20, PREVIEW_HEIGHT)
        image.setStyleSheet(f"background: {theme.CANVAS}; border-radius: 8px;")
        name = QLabel(title)
        name.setStyleSheet("font-size: 11pt; font-weight: bold; background: transparent;")
        text = QLabel(description)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        text.setStyleSheet(f"color: {theme.INK_SOFT}; background: transparent;")
        text.setFixedHeight(46)
        footer = QLabel(detail)
        footer.setStyleSheet(f"color: {theme.INK_FAINT}; font-size: 8pt; "
                             "background: transparent;")
        for widget in (image, name, text, footer):
            widget.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            column.addWidget(widget)


def blank_picture() -> QPixmap:
    from designer.app.session import blank_flow

    return preview(blank_flow(), CARD_WIDTH - 20, PREVIEW_HEIGHT)


class TemplateGallery(QWidget):
    """Cards for a blank flow and each template; emits the choice (None = blank)."""

    chosen = Signal(object)

    def __init__(self, templates: list[TemplateInfo], columns: int = 3,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(16)
        self.cards: list[TemplateCard] = []
        blank = TemplateCard("Blank flow", "A start and an end — add the steps in between "
                             "from the palette.", blank_picture(), "2 steps")
        blank.setObjectName("templateCard")
        blank.clicked.connect(lambda: self.chosen.emit(None))
        self.cards.append(blank)
        for template in templates:
            card = TemplateCard(template.name, template.description,
                                preview(template.flow, CARD_WIDTH - 20, PREVIEW_HEIGHT),
                                f"{template.steps} steps · {template.folder.name}")
            card.clicked.connect(lambda _=False, t=template: self.chosen.emit(t))
            self.cards.append(card)
        self._grid, self._columns = grid, 0
        self._place(columns)

    def _place(self, columns: int) -> None:
        """Lay the cards out in `columns` columns. The gallery asks for one card's width at
        least (not all of them side by side), so a narrow window reflows the cards instead
        of cutting the last column off at the window's edge."""
        grid = self._grid
        if self._columns:
            grid.setColumnStretch(self._columns, 0)
            grid.setRowStretch(-(-len(self.cards) // self._columns), 0)
        for card in self.cards:
            grid.removeWidget(card)
        for index, card in enumerate(self.cards):
            grid.addWidget(card, index // columns, index % columns, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(columns, 1)
        rows = -(-len(self.cards) // columns)
        grid.setRowStretch(rows, 1)  # spare height goes below the cards, not between rows
        spacing = grid.spacing()
        self.setMinimumSize(CARD_WIDTH, rows * self.cards[0].height() + (rows - 1) * spacing)
        self._columns = columns

    def columns(self) -> int:
        return self._columns

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        spacing = self._grid.spacing()
        fits = (event.size().width() + spacing) // (CARD_WIDTH + spacing)
        columns = max(1, min(len(self.cards), fits))
        if columns != self._columns:
            self._place(columns)


def _section(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setStyleSheet(f"color: {theme.INK_FAINT}; font-size: 8pt; font-weight: bold;"
                        "letter-spacing: 1px;")
    return label


class StartPage(QScrollArea):
    template_chosen = Signal(object)  # TemplateInfo, or None for a blank flow
    open_requested = Signal()
    recent_chosen = Signal(Path)

    def __init__(self, templates: list[TemplateInfo], recent: list[Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        self.setWidgetResizable(True)
        body = QWidget()
        body.setObjectName("startBody")
        body.setStyleSheet(f"#startBody {{ background: {theme.CANVAS}; }}")
        outer = QVBoxLayout(body)
        outer.setContentsMargins(48, 40, 48, 40)
        outer.setSpacing(6)
        title = QLabel("Junction Designer")
        title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        subtitle = QLabel("Draw a decision flow, give each AI step a narrow role and "
                          "guardrails, and run it on your own machine.")
        subtitle.setStyleSheet(f"color: {theme.INK_SOFT}; font-size: 10.5pt;")
        outer.addWidget(title)
        outer.addWidget(subtitle)
        outer.addSpacing(22)
        columns = QHBoxLayout()
        columns.setSpacing(40)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(_section("Start"))
        self.open_button = QPushButton("Open a flow file…")
        self.open_button.setObjectName("openFlow")
        self.open_button.setProperty("primary", True)
        self.open_button.clicked.connect(self.open_requested.emit)
        left.addWidget(self.open_button)
        left.addSpacing(18)
        left.addWidget(_section("Recent"))
        self.recent = QListWidget()
        self.recent.setObjectName("recentFiles")
        self.recent.setFixedWidth(280)
        self.recent.setStyleSheet(f"QListWidget {{ background: transparent; border: none; }}"
                                  f"QListWidget::item {{ padding: 6px 4px; border-radius: 6px; }}"
                                  f"QListWidget::item:hover {{ background: {theme.LINE_SOFT}; }}")
        self.recent.itemActivated.connect(self._recent)
        self.recent.itemClicked.connect(self._recent)
        left.addWidget(self.recent, 1)
        self.set_recent(recent)
        columns.addLayout(left)
        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(_section("New flow"))
        self.gallery = TemplateGallery(templates)
        self.gallery.chosen.connect(self.template_chosen.emit)
        right.addWidget(self.gallery, 1)
        columns.addLayout(right, 1)
        outer.addLayout(columns, 1)
        self.setWidget(body)

    def set_recent(self, recent: list[Path],
                   title_of: Callable[[Path], str] = lambda path: path.name) -> None:
        """Recent flows by name (`title_of`), with the folder below and the path as tip."""
        self.recent.clear()
        for path in recent:
            item = QListWidgetItem(f"{title_of(path)}\n{_short(path.parent)}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        if not recent:
            empty = QListWidgetItem("No recent flows yet.\nFlows you open or save "
                                    "appear here.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            empty.setForeground(theme.color(theme.INK_FAINT))
            self.recent.addItem(empty)

    def _recent(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.recent_chosen.emit(Path(path))


def _short(path: Path) -> str:
    text = str(path)
    home = str(Path.home())
    if text.startswith(home):
        text = "~" + text[len(home):]
    return text if len(text) <= 40 else "…" + text[-39:]


class NewFlowDialog(QDialog):
    """File ▸ New: the same gallery in a dialog."""

    def __init__(self, templates: list[TemplateInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New flow")
        self.choice: TemplateInfo | None = None
        self.accepted_choice = False
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 20, 24, 16)
        heading = QLabel("Start a new flow")
        heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        column.addWidget(heading)
        column.addWidget(QLabel("Start blank or from a template. A template is copied; the "
                                "original stays as it is."))
        self.gallery = TemplateGallery(templates, columns=3)
        self.gallery.chosen.connect(self._chosen)
        column.addWidget(self.gallery)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def _chosen(self, template: TemplateInfo | None) -> None:
        self.choice = template
        self.accepted_choice = True
        self.accept()
