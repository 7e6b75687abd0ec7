"""`AuditDialog`: the audit rows of one run, oldest first, as the store keeps them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.inspector.format import inline, local_time

HEADERS = ("#", "When", "Who", "What", "Step", "Before", "After")


class AuditDialog(QDialog):
    def __init__(self, run_id: str, rows: list[dict[str, Any]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Audit trail of run {run_id}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1000, 520)
        caption = QLabel(f"{len(rows)} audit row{'s' * (len(rows) != 1)}, oldest first. "
                         "Each row is chained to the one before it (junction audit verify).")
        caption.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(len(rows), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for r, row in enumerate(rows):
            cells = [str(row.get("seq", "")), local_time(row.get("at")),
                     str(row.get("actor") or ""), str(row.get("kind") or ""),
                     str(row.get("node_id") or ""),
                     "" if row.get("before") is None else inline(row["before"], 200),
                     "" if row.get("after") is None else inline(row["after"], 200)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        for c in range(5):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(caption)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
