"""The problems panel: live validation with the same checks as `junction validate`.

A short while after the last edit, the document's flow is checked with the runtime's
`validate_flow`. Every node and edge in the document was already validated by its
pydantic model when it was made, so this is the whole of what `junction validate` would
say about the saved file — without writing and re-reading YAML, which takes most of a
second for a 500-step flow. Each problem becomes a row; clicking a row selects and
centres its step; the canvas marks steps that have problems.

"No problems" must mean the flow can run here, so the runtime's readiness checks join
in: a model for every AI step, scripted answers that exist, installed embedding models
and — when the flow names Ollama models — what the Ollama server has pulled. The server
is asked on a background thread (never on the GUI thread) and its answer kept until the
next file is opened.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.app.session import FlowSession
from designer.canvas.glyphs import glyph_icon
from designer.canvas.presentation import display_title
from designer.document.editor import FlowEditor
from designer.panels.problem_fixes import fix_for
from designer.panels.problem_groups import cut_off_branches
from designer.panels.problem_words import UNREACHABLE, in_ui_words
from runtime.api import LoadedFlow, Problem

if TYPE_CHECKING:
    from runtime.api import OllamaModels

DEBOUNCE_MS = 350
NODE_ROLE = Qt.ItemDataRole.UserRole
WARNING_COLOUR = "#DC6803"  # amber: may be fine by the time of the run (a server started)


def check(session: FlowSession, ollama: OllamaModels | None = None) -> list[Problem]:
    """Every problem the runtime would report for the flow as it would be saved, and
    everything a run would miss on this machine."""
    # Imported on first use: the checks bring networkx and httpx, which the window need
    # not wait for at launch.
    from runtime.api import check_readiness, validate_flow

    loaded = LoadedFlow(session.document.flow(), "", session.path)
    return validate_flow(loaded) + check_readiness(loaded, ollama)


def uses_ollama(session: FlowSession) -> bool:
    flow = session.document.flow()
    refs = [flow.default_model, flow.embedding_model,
            *(getattr(n, "model", None) for n in flow.nodes),
            *(getattr(n, "embedding_model", None) for n in flow.nodes)]
    return any(isinstance(r, str) and r.startswith("ollama:") for r in refs)


class OllamaLookup(QObject):
    """Asks the Ollama server for its pulled models off the GUI thread."""

    answered = Signal(object)  # OllamaModels

    def start(self) -> None:
        from runtime.api import ollama_pulled

        def look() -> None:
            models = ollama_pulled()
            # the window (and this object) may have closed while the server was slow
            with contextlib.suppress(RuntimeError):
                self.answered.emit(models)

        threading.Thread(target=look, name="ollama-tags", daemon=True).start()


class ProblemsPanel(QWidget):
    node_activated = Signal(str)
    problems_changed = Signal(object)  # dict: node id → tuple of messages (canvas markers)

    def __init__(self, session: FlowSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.session = session
        self.problems: list[Problem] = []
        self.ollama: OllamaModels | None = None
        self._asking_ollama = False
        self.lookup = OllamaLookup(self)
        self.lookup.answered.connect(self._ollama_answered)
        self.summary = QLabel()
        self.summary.setObjectName("problemsSummary")
        self.badge = QLabel()
        self.badge.setFixedSize(QSize(18, 18))
        self.tree = QTreeWidget()
        self.tree.setObjectName("problemsList")
        self.tree.setHeaderLabels(["Step", "Problem", ""])
        self.tree.setRootIsDecorated(True)  # the folded "cannot be reached" row opens
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 180)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setUniformRowHeights(True)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        top = QHBoxLayout()
        top.setContentsMargins(10, 6, 10, 6)
        top.addWidget(self.badge)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addStretch(0)
        self.timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)
        session.document.changed.connect(self.timer.start)
        session.document.reset.connect(self._file_opened)  # a new file: no stale markers
        self.timer.start()  # once the window is up (see _file_opened)

    def _file_opened(self) -> None:
        """A new file: clear the old file's markers now, check the new one as after an edit,
        a moment later — after the canvas is drawn, not before (checking a 2,000-step flow
        takes a few hundred milliseconds the person would wait for a blank window)."""
        self.ollama = None  # the server may have pulled models since
        self.timer.stop()
        self.problems = []
        self.tree.clear()
        self.summary.setText("<span style='color:#475467'>Checking the flow…</span>")
        self.problems_changed.emit({})
        self.timer.start()

    def _ollama_answered(self, models: OllamaModels) -> None:
        self._asking_ollama = False
        self.ollama = models
        self.refresh()

    def refresh(self) -> None:
        self.timer.stop()
        if self.ollama is None and not self._asking_ollama and uses_ollama(self.session):
            self._asking_ollama = True
            self.lookup.start()
        self.problems = check(self.session, self.ollama)
        self.tree.clear()
        causes = [p for p in self.problems if p.message != UNREACHABLE]
        unreachable = [p for p in self.problems if p.message == UNREACHABLE]
        for problem in causes:
            row = self._row(problem)
            self.tree.addTopLevelItem(row)
            self._offer_fix(row, problem)
        if unreachable:
            self._add_cut_off(unreachable, bool(causes))
        by_node: dict[str, list[str]] = {}
        for problem in self.problems:
            if problem.node:
                by_node.setdefault(problem.node, []).append(self._words(problem.message))
        self._show_summary(len(self.problems))
        self.problems_changed.emit({k: tuple(v) for k, v in by_node.items()})

    def _add_cut_off(self, unreachable: list[Problem], after_causes: bool) -> None:
        """One row per first step of a cut-off branch (what to fix), the steps only
        reached through it folded under it; a flood of "cannot be reached" rows buried
        the one that matters."""
        by_node = {p.node: p for p in unreachable if p.node}
        edges = [(e.source, e.target) for _, e in self.session.document.edges()]
        branches, loops = cut_off_branches(edges, by_node)
        for first, followers in branches:
            row = self._row(by_node[first])
            row.setText(1, "nothing leads here from Start: connect a step to it, or delete it"
                        + (f" — {len(followers)} step{'s' * (len(followers) != 1)} after it "
                           f"{'is' if len(followers) == 1 else 'are'} cut off too"
                           if followers else ""))
            row.setToolTip(1, row.text(1))
            title = self._title_of(first) or first
            for node_id in followers:
                child = self._row(by_node[node_id])
                child.setText(1, f"cannot be reached: it comes only after “{title}”")
                child.setToolTip(1, child.text(1))
                row.addChild(child)
            self.tree.addTopLevelItem(row)
        loose = [by_node[n] for n in loops] + [p for p in unreachable if not p.node]
        if loose:  # a cut-off loop has no first step: one folded row
            count = len(loose)
            parent = QTreeWidgetItem([f"{count} step{'s' * (count != 1)}",
                                      "cannot be reached from Start — a loop nothing leads "
                                      "into. Open to see which."])
            parent.setIcon(0, glyph_icon("warning", theme.DANGER, 16))
            parent.addChildren([self._row(p) for p in loose])
            self.tree.addTopLevelItem(parent)
            parent.setExpanded(not after_causes)

    def _title_of(self, node_id: str) -> str | None:
        document = self.session.document
        return display_title(document.node(node_id)) if document.has_node(node_id) else None

    def _words(self, message: str) -> str:
        return in_ui_words(message, self._title_of)

    def _row(self, problem: Problem) -> QTreeWidgetItem:
        step = (self._title_of(problem.node) or problem.node) if problem.node else "The flow"
        text = self._words(problem.message)
        item = QTreeWidgetItem([step, text])
        warning = problem.severity == "warning"
        item.setIcon(0, glyph_icon("warning", WARNING_COLOUR if warning else theme.DANGER, 16))
        item.setToolTip(1, text)
        item.setData(0, NODE_ROLE, problem.node)
        return item

    def _offer_fix(self, row: QTreeWidgetItem, problem: Problem) -> None:
        """A button beside a problem whose remedy is obvious ("Add Otherwise branch")."""
        fix = fix_for(problem)
        if fix is None or problem.node is None:
            return
        button = QPushButton(fix.button)
        button.setObjectName("problemFix")
        button.setMinimumWidth(button.fontMetrics().horizontalAdvance(fix.button) + 32)
        button.setToolTip(fix.tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a stray key never applies a fix
        node_id = problem.node
        button.clicked.connect(lambda: self.apply_fix(fix.apply, node_id))
        self.tree.setItemWidget(row, 2, button)

    def apply_fix(self, apply: Callable[[FlowEditor, str], None], node_id: str) -> None:
        if self.session.document.has_node(node_id):
            apply(self.session.editor, node_id)
            self.refresh()

    def fix_buttons(self) -> list[QPushButton]:
        """The fix buttons on the rows shown now."""
        rows = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        found = (self.tree.itemWidget(row, 2) for row in rows if row is not None)
        return [b for b in found if isinstance(b, QPushButton)]

    def _show_summary(self, count: int) -> None:
        if count:
            self.badge.setPixmap(glyph_icon("warning", theme.DANGER, 18).pixmap(18, 18))
            self.summary.setText(theme.css(
                f"<b>{count} problem{'s' * (count != 1)}</b> <span style='color:#475467'>— "
                "the flow cannot run until they are fixed. Click one to go to its step.</span>"))
        else:
            self.badge.setPixmap(glyph_icon("check", theme.SUCCESS, 18).pixmap(18, 18))
            self.summary.setText(theme.css("<b>No problems</b> <span style='color:#475467'>— "
                                           "this flow can run.</span>"))
        self.tree.setVisible(bool(count))  # "No problems" alone, not over an empty table

    def _clicked(self, item: QTreeWidgetItem) -> None:
        node_id = item.data(0, NODE_ROLE)
        if node_id and self.session.document.has_node(node_id):
            self.node_activated.emit(node_id)

    def row_count(self) -> int:
        """Rows a person sees first: causes, and one folded row for unreachable steps."""
        return self.tree.topLevelItemCount()
