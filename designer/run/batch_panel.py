"""`BatchPanel`: a batch's progress while it runs, its outcomes table when it ends.

Progress arrives coalesced from the worker (at most ~20 updates a second), so a
1,000-case batch costs the window a few hundred repaints, not thousands. The outcomes
table is a model over the result's rows: it shows 1,000 rows as fast as 10.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.run.jobs import BatchProgress, BatchResult, OutcomeRow

COLUMNS = ("Case", "Status", "Outcome", "Why it stopped", "Run")
STATUS_WORDS = {"blocked": "waiting for a person", "completed": "completed",
                "failed": "failed", "cancelled": "cancelled", "running": "running",
                "queued": "queued"}
STATUS_INK = {"completed": theme.SUCCESS, "blocked": "#B54708", "failed": theme.DANGER}

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class OutcomesModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[OutcomeRow] = []

    def set_rows(self, rows: list[OutcomeRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (row.case_id, STATUS_WORDS.get(row.status, row.status), row.outcome,
                    row.detail, row.run_id)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return theme.color(STATUS_INK.get(row.status, theme.INK))
        return None


def summary_text(result: BatchResult) -> str:
    counts = Counter(row.status for row in result.rows)
    parts = [f"{counts[s]} {STATUS_WORDS[s]}" for s in ("completed", "blocked", "failed",
                                                        "cancelled") if counts[s]]
    head = (f"Cancelled after {len(result.rows)} of {result.total} cases"
            if result.cancelled else f"Finished {len(result.rows)} cases")
    rest = (f"; {result.total - len(result.rows)} not started" if result.cancelled else "")
    return (f"{head} in {result.elapsed_s:.1f} s ({result.per_second:.1f} cases/s): "
            f"{', '.join(parts) or 'no runs'}{rest}.")


class BatchPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchPanel")
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-size: 11pt; font-weight: bold;")
        column.addWidget(self.title)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setObjectName("batchProgress")
        self.bar.setTextVisible(True)
        self.rate = QLabel()
        self.rate.setObjectName("batchRate")
        self.rate.setMinimumWidth(260)
        self.cancel = QPushButton("Cancel batch")
        self.cancel.setObjectName("cancelBatch")
        self.cancel.clicked.connect(self._cancel)
        row.addWidget(self.bar, 1)
        row.addWidget(self.rate)
        row.addWidget(self.cancel)
        column.addLayout(row)
        self.summary = QLabel()
        self.summary.setObjectName("batchSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        column.addWidget(self.summary)
        self.model = OutcomesModel(self)
        self.table = QTableView()
        self.table.setObjectName("outcomesTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 3
                                   + (QHeaderView.ResizeMode.Stretch,
                                      QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(col, mode)
        column.addWidget(self.table, 1)

    def begin(self, title: str, total: int) -> None:
        self.title.setText(title)
        self.bar.setRange(0, total)
        self.bar.setValue(0)
        self.bar.setFormat("%v of %m cases")
        self.rate.setText("starting…")
        self.summary.setText("")
        self.model.set_rows([])
        self.cancel.setEnabled(True)
        self.cancel.setText("Cancel batch")

    def progress(self, update: BatchProgress) -> None:
        self.bar.setValue(update.done)
        self.rate.setText(f"{update.per_second:.1f} cases/s")

    def _cancel(self) -> None:
        self.cancel.setEnabled(False)
        self.cancel.setText("Stopping after this case…")
        self.cancel_requested.emit()

    def finish(self, result: BatchResult) -> None:
        self.bar.setValue(len(result.rows))
        self.rate.setText(f"{result.per_second:.1f} cases/s")
        self.cancel.setEnabled(False)
        self.cancel.setText("Cancelled" if result.cancelled else "Done")
        self.summary.setText(summary_text(result))
        self.model.set_rows(result.rows)

    def failed(self, message: str) -> None:
        self.cancel.setEnabled(False)
        self.summary.setText(f"The batch stopped: {message}")
