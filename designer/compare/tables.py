"""The compare view's tables: the batch summary, the cases, and one run's steps side by
side with every difference highlighted (tinted and bold, and named in words)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from designer import theme
from designer.inbox.text import plain_tooltip
from runtime.api import BatchComparison, NodeRow, RunComparison, RunRow, StepSide

DIFFERENT = "#FEF0C7"  # a pale amber behind the cells that differ
ASPECT_WORDS = {"branch": "path", "label": "label", "person": "who decided",
                "changes": "record changes", "ending": "how it ended"}
SIDE_COLUMNS = ("went to", "label, conf.", "who decided", "changes")


def ending(run: RunRow, titles: dict[str, str] | None = None) -> str:
    if run.status.value == "blocked":
        node = run.current_node or ""
        return f"waiting at {(titles or {}).get(node, node)}"
    return run.status.value + (f" — {run.outcome}" if run.outcome else "")


def _cell(text: str, different: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)  # table items never interpret text as rich text
    item.setToolTip(plain_tooltip(text))  # the whole text where a narrow column cuts it
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if different:
        item.setBackground(QBrush(theme.color(DIFFERENT)))
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def side_texts(side: StepSide | None,
               titles: dict[str, str] | None = None) -> tuple[str, str, str, str]:
    if side is None:
        return ("— not reached", "", "", "")
    label = side.label or ""
    if side.confidence is not None:
        label += f" · {side.confidence:.0%}" if label else f"{side.confidence:.0%}"
    if side.waited:
        who = "person decided" if side.decided_by == "human" else "waits for a person"
    else:
        who = "went through alone"
    changes = ", ".join(f"{k} = {v}" for k, v in side.changes.items())
    went = ((titles or {}).get(side.branch, side.branch) if side.branch
            else "(stopped here)" if side.status != "done" else "(end)")
    return (went, label, who, changes)




class NodeTable(QTableWidget):
    """One row per step (and visit) of two runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareSteps")
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        self.set_names("Left", "Right")

    def set_names(self, left: str, right: str) -> None:
        self.names = (left, right)
        headers = ["Step", *(f"{left}\n{c}" for c in SIDE_COLUMNS),
                   *(f"{right}\n{c}" for c in SIDE_COLUMNS), "What differs"]
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)

    def show_comparison(self, comparison: RunComparison | None,
                        titles: dict[str, str]) -> None:
        rows: list[NodeRow] = comparison.rows if comparison else []
        self.setRowCount(len(rows))
        aspects = ("branch", "label", "person", "changes")
        for index, row in enumerate(rows):
            title = titles.get(row.node_id, row.node_id)
            self.setItem(index, 0, _cell(title + (f" (visit {row.visit})" if row.visit > 1
                                                  else "")))
            for offset, side in ((1, row.left), (5, row.right)):
                texts = side_texts(side, titles)
                for column, (aspect, text) in enumerate(zip(aspects, texts, strict=True)):
                    self.setItem(index, offset + column,
                                 _cell(text, aspect in row.differences))
            self.setItem(index, 9, _cell(self._what_differs(row), bool(row.differences)))
        self.resizeRowsToContents()

    def _what_differs(self, row: NodeRow) -> str:
        if row.left is None or row.right is None:
            return f"only {self.names[0] if row.right is None else self.names[1]} got here"
        return ", ".join(ASPECT_WORDS[a] for a in row.differences) or "same"

    def differing_rows(self) -> list[int]:
        return [r for r in range(self.rowCount())
                if (item := self.item(r, 9)) is not None and item.text() != "same"]


def case_differences(pair: RunComparison) -> str:
    """What differs in one case, in words: the ending, then the aspects of the steps both
    runs reached, then how many steps only one of them reached."""
    found = [] if pair.same_outcome else ["how it ended"]
    both = [row for row in pair.rows if row.left is not None and row.right is not None]
    for aspect in ("branch", "label", "person", "changes"):
        if any(aspect in row.differences for row in both):
            found.append(ASPECT_WORDS[aspect])
    one_sided = len(pair.rows) - len(both)
    if one_sided:
        found.append(f"{one_sided} step{'s' if one_sided != 1 else ''} on one side only")
    return ", ".join(found) or "same"


class CaseTable(QTableWidget):
    """One row per case both batches ran; differing cases are tinted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setObjectName("compareCases")
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.set_names("Left", "Right")

    def set_names(self, left: str, right: str) -> None:
        self.setHorizontalHeaderLabels(["Case", f"{left}: how it ended",
                                        f"{right}: how it ended", "What differs"])
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def show_pairs(self, pairs: list[RunComparison], titles: dict[str, str]) -> None:
        self.setRowCount(len(pairs))
        for index, pair in enumerate(pairs):
            words = case_differences(pair)
            self.setRowHeight(index, 24)
            self.setItem(index, 0, _cell(pair.left.case_id))
            self.setItem(index, 1, _cell(ending(pair.left, titles), not pair.same_outcome))
            self.setItem(index, 2, _cell(ending(pair.right, titles), not pair.same_outcome))
            self.setItem(index, 3, _cell(words, words != "same"))


class SummaryCard(QFrame):
    """For two batches: cases, how many reached a person, changes applied, agreements."""

    ROWS = ("Cases", "Reached a person", "Record changes applied", "Completed", "Endings")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        theme.style_as_card(self, "compareSummary")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(12, 8, 12, 8)
        self.grid.setHorizontalSpacing(18)
        self.cells: dict[tuple[str, int], QLabel] = {}
        self.headers = [QLabel(""), QLabel("Left"), QLabel("Right")]
        for column, label in enumerate(self.headers):
            label.setFont(theme.font(10, bold=True))
            self.grid.addWidget(label, 0, column)
        for row, name in enumerate(self.ROWS, start=1):
            caption = QLabel(name)
            caption.setStyleSheet(f"color: {theme.INK_SOFT};")
            self.grid.addWidget(caption, row, 0)
            for column in (1, 2):
                cell = QLabel()
                cell.setTextFormat(Qt.TextFormat.PlainText)
                cell.setWordWrap(True)
                self.grid.addWidget(cell, row, column)
                self.cells[(name, column)] = cell
        self.agreement = QLabel()
        self.agreement.setObjectName("compareAgreement")
        self.agreement.setTextFormat(Qt.TextFormat.PlainText)
        self.agreement.setWordWrap(True)
        self.agreement.setFont(theme.font(10, bold=True))
        self.grid.addWidget(self.agreement, len(self.ROWS) + 1, 0, 1, 3)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)

    def show_batches(self, result: BatchComparison, left: str, right: str) -> None:
        self.headers[1].setText(left)
        self.headers[2].setText(right)
        for column, side in ((1, result.left), (2, result.right)):
            values = {
                "Cases": str(side.cases),
                "Reached a person": f"{side.reached_person} of {side.cases}",
                "Record changes applied": str(side.changes_applied),
                "Completed": f"{side.completed} of {side.cases}",
                "Endings": ", ".join(f"{k} {v}" for k, v in sorted(side.outcomes.items())),
            }
            for name, text in values.items():
                self.cells[(name, column)].setText(text)
        paired = len(result.pairs)
        text = (f"Agreement over {paired} cases: the AI's labels agree in "
                f"{result.same_labels}, the runs end the same way in {result.same_outcome}, "
                f"and {result.identical} are identical step by step.")
        if result.only_left or result.only_right:
            text += (f" Cases only on one side: {len(result.only_left)} left, "
                     f"{len(result.only_right)} right.")
        self.agreement.setText(text)
