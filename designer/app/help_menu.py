"""The Help menu: the README read in the app, the keyboard shortcuts, and About.

Everything here works offline: the README is read from the installed tree and shown in a
plain viewer split at its sections, the shortcuts list is made from the window's own
actions (so it can never disagree with the menus), and About names the versions a
support question needs. The tour (Getting Started) and Diagnostics come from
`designer.preferences`; `install` puts all of them in one Help menu.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

README = Path(__file__).resolve().parents[2] / "README.md"
LICENCE = "Apache-2.0"
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    title: str
    text: str  # Markdown, starting with its own heading


def readme_sections(markdown: str) -> list[Section]:
    """The README cut at its `## ` headings (not at `#` lines inside code blocks); the
    part before the first one is the "Overview"."""
    sections: list[Section] = []
    title, fenced = "Overview", False
    lines: list[str] = []
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            if any(part.strip() for part in lines):
                sections.append(Section(title, "\n".join(lines).strip()))
            title, lines = line[3:].strip(), []
        lines.append(line)
    if any(part.strip() for part in lines):
        sections.append(Section(title, "\n".join(lines).strip()))
    return sections


class ReadmeViewer(QDialog):
    """The README's sections on the left, the chosen one on the right (no browser)."""

    def __init__(self, parent: QWidget | None = None, readme: Path = README) -> None:
        super().__init__(parent)
        self.setObjectName("readmeViewer")
        self.setWindowTitle("Junction — User guide")
        self.resize(980, 640)
        try:
            self.sections = readme_sections(readme.read_text(encoding="utf-8"))
        except OSError:
            self.sections = [Section("Not installed", f"The guide ({readme.name}) is not "
                                     "part of this installation. It is also at the top of "
                                     "the project's source folder.")]
        self.index = QListWidget()
        self.index.setObjectName("readmeSections")
        self.index.setFixedWidth(240)
        self.index.addItems([s.title for s in self.sections])
        self.page = QTextBrowser()
        self.page.setObjectName("readmePage")
        self.page.setOpenLinks(False)  # offline: links are read, not followed
        self.index.currentRowChanged.connect(self.show_section)
        row = QHBoxLayout(self)
        row.addWidget(self.index)
        row.addWidget(self.page, 1)
        self.index.setCurrentRow(0)

    def show_section(self, row: int) -> None:
        if 0 <= row < len(self.sections):
            self.page.setMarkdown(self.sections[row].text)


def shortcut_rows(bar: QMenuBar) -> list[tuple[str, str]]:
    """(what it does, its keys) for every menu entry that has a shortcut, in menu order
    (read from the menus, so the list cannot disagree with them)."""
    rows = []
    for action in _menu_actions(bar.actions()):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                if not _device_key(k)]
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…"), ", ".join(keys)))
    return rows


def _device_key(keys: QKeySequence) -> bool:
    """A dedicated keyboard key ("Save", "Copy", "ZoomIn") the platform adds: nobody needs
    it listed, and it reads like a command rather than a key."""
    return not keys.isEmpty() and keys[0].key().value >= Qt.Key.Key_Back.value  # type: ignore[index]


def _menu_actions(actions: list[QAction]) -> list[QAction]:
    found: list[QAction] = []
    for action in actions:
        menu = action.menu()
        if isinstance(menu, QMenu):
            found.extend(_menu_actions(menu.actions()))
        elif not action.isSeparator():
            found.append(action)
    return found


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(460, 560)
        self.table = QTableWidget(len(rows), 2)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Command", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        for index, (command, keys) in enumerate(rows):
            self.table.setItem(index, 0, QTableWidgetItem(command))
            self.table.setItem(index, 1, QTableWidgetItem(keys))
        _closeable(self, self.table)


def about_text() -> str:
    """Versions a support question needs, and the licence, as plain lines."""
    try:
        junction = version("junction")
    except PackageNotFoundError:
        junction = "development copy"
    return "\n".join([
        f"Junction Designer {junction}",
        "Design and run decision-point flows with AI steps, guardrails and autonomy "
        "stages on local models.",
        "",
        f"Python {platform.python_version()}",
        f"Qt {qVersion()} · PySide6 {PySide6.__version__}",
        f"{platform.system()} {platform.release()}",
        "",
        f"Licence: {LICENCE}",
    ])


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Junction")
        self.text = QLabel(about_text())
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setContentsMargins(12, 12, 12, 12)
        _closeable(self, self.text)


def _closeable(dialog: QDialog, body: QWidget) -> None:
    """`body` above a Close button."""
    column = QVBoxLayout(dialog)
    column.addWidget(body, 1)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    column.addWidget(buttons)


def install(window: QMainWindow) -> dict[str, QAction]:
    """Add the guide, the shortcuts and About around the Help menu's Getting Started (the
    tour) and Diagnostics."""
    menu = window.menuBar().findChild(QMenu, "menu_help") or window.menuBar().addMenu("&Help")
    menu.setObjectName("menu_help")
    tour = menu.actions()  # Getting Started and Diagnostics, when preferences added them
    top = menu.addSeparator() if not tour else menu.insertSeparator(tour[0])
    added: dict[str, QAction] = {}

    def entry(name: str, text: str, run: Callable[[], QDialog], keys: str = "") -> QAction:
        action = QAction(text, window)
        action.setObjectName(f"action_{name}")
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False: _show(run()))
        added[name] = action
        return action

    menu.insertAction(top, entry("user_guide", "&User Guide…",
                                 lambda: ReadmeViewer(window), "F1"))
    menu.insertAction(top, entry("shortcuts", "&Keyboard Shortcuts…",
                                 lambda: ShortcutsDialog(shortcut_rows(window.menuBar()),
                                                         window)))
    menu.addSeparator()
    menu.addAction(entry("about", "&About Junction", lambda: AboutDialog(window)))
    return added


def _show(dialog: QDialog) -> QDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    return dialog
