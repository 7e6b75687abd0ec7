"""Help ▸ Diagnostics: the checks of `junction doctor`, in a window.

The checks run in a worker thread (some start child processes or ask Ollama), and each row
appears as its check finishes. "Copy report" puts the same text `junction doctor` prints on
the clipboard, for a bug report.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from runtime.api import diagnostics

COLOURS = {"ok": "#079455", "warn": "#DC6803", "fail": "#D92D20", "skip": "#98A2B3"}
LABELS = {"ok": "OK", "warn": "Warning", "fail": "Problem", "skip": "Skipped"}


class _Worker(QObject):
    found = Signal(object)
    finished = Signal()

    def __init__(self, options: diagnostics.report.Options) -> None:
        super().__init__()
        self.options = options

    def run(self) -> None:
        diagnostics.run_checks(self.options, on_check=self.found.emit)
        self.finished.emit()


class DiagnosticsWindow(QDialog):
    done_checking = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diagnosticsWindow")
        self.setWindowTitle("Diagnostics")
        self.resize(1000, 640)
        self.checks: list[diagnostics.Check] = []
        self.summary = QLabel("Checking…")
        self.summary.setObjectName("diagnosticsSummary")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["", "Check", "What was found", "How to fix it"])
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.again = QPushButton("Check again")
        self.full = QPushButton("Full check (loads the bundled models)")
        self.copy = QPushButton("Copy report")
        close = QPushButton("Close")
        self.again.clicked.connect(lambda: self.start(full=False))
        self.full.clicked.connect(lambda: self.start(full=True))
        self.copy.clicked.connect(self.copy_report)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.again, self.full, self.copy):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None

    def start(self, full: bool = False) -> None:
        if self._thread is not None:
            return
        self.checks = []
        self.table.setRowCount(0)
        self.summary.setText("Checking… (a full check can take a minute)" if full
                             else "Checking…")
        for button in (self.again, self.full):
            button.setEnabled(False)
        self._thread = QThread(self)
        self._worker = _Worker(diagnostics.report.Options(full=full))
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.found.connect(self.add_check)
        self._worker.finished.connect(self._finished)
        self._thread.start()

    def add_check(self, check: diagnostics.Check) -> None:
        self.checks.append(check)
        status = check.status.value
        fix = check.fix if check.status != diagnostics.Status.OK else ""
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate([LABELS[status], check.name, check.detail, fix]):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            self.table.setItem(row, column, item)
        marker = self.table.item(row, 0)
        if marker is not None:
            marker.setForeground(theme.color(COLOURS[status]))
        self.table.resizeRowToContents(row)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.table.resizeRowsToContents()  # wrapped text needs the new column widths

    def _finished(self) -> None:
        self.table.resizeRowsToContents()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
        self._thread, self._worker = None, None
        for button in (self.again, self.full):
            button.setEnabled(True)
        failed = [c for c in self.checks if c.status == diagnostics.Status.FAIL]
        warned = [c for c in self.checks if c.status == diagnostics.Status.WARN]
        if failed:
            self.summary.setText(f"{len(failed)} problem(s) need fixing; see the last column.")
        elif warned:
            self.summary.setText(f"Junction can work here; {len(warned)} warning(s) below.")
        else:
            self.summary.setText("Everything Junction needs works on this machine.")
        self.done_checking.emit()

    def report_text(self) -> str:
        lines = []
        for check in self.checks:
            lines.append(f"{check.status.value:4}  {check.name}: {check.detail}")
            if check.fix and check.status != diagnostics.Status.OK:
                lines.append(f"      fix: {check.fix}")
        return "\n".join(lines)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())

    def closeEvent(self, event: object) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(30000)
        super().closeEvent(event)  # type: ignore[arg-type]
