"""`RunsList`: filters, a case search and the lazily paged runs table, kept up to date.

A run started by `junction batch` in another process must appear while it runs, so a
timer asks the store for its cheap change marker (`runs_marker`: count and latest update)
and re-reads the visible page only when the marker moved. Combo boxes ignore the mouse
wheel unless they have focus: scrolling past the filter bar never changes a filter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from designer.inspector.runs_model import COLUMNS, SORTABLE, RunsTableModel
from runtime.api import RunQuery, RunStatus, RunStore

STAGES = ("observe", "copilot", "operate")
POLL_MS = 1500


class FilterCombo(QComboBox):
    """A filter choice; the first item is "all". Takes the wheel only when focused."""

    def __init__(self, everything: str, tooltip: str,
                 values: Callable[[], list[str]] | None = None) -> None:
        super().__init__()
        self._values = values  # asked each time the list opens (fresh, and never polled)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(tooltip)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._everything = everything
        self.set_values([])

    def set_values(self, values: list[str]) -> None:
        current = self.value()
        self.blockSignals(True)
        self.clear()
        self.addItem(self._everything, None)
        for value in values:
            self.addItem(value, value)
        if current is not None and current not in values:
            self.addItem(current, current)  # keep a chosen filter even if no run has it now
        self.setCurrentIndex(max(0, self.findData(current)) if current is not None else 0)
        self.blockSignals(False)

    def value(self) -> str | None:
        data = self.currentData()
        return None if data is None else str(data)

    def showPopup(self) -> None:
        if self._values is not None:
            self.set_values(self._values())
        super().showPopup()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class RunsList(QWidget):
    run_chosen = Signal(str)  # run id
    runs_changed = Signal()  # the store's marker moved (a run was added or moved on)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store: RunStore | None = None
        self._marker: tuple[int, str | None] | None = None
        self._chosen: str | None = None
        self.model = RunsTableModel(parent=self)
        self.flow = FilterCombo("All flows", "Show runs of one flow",
                                lambda: self._facets()["flows"])
        self.status = FilterCombo("Any status", "Show runs in one status")
        self.status.set_values([s.value for s in RunStatus])
        self.stage = FilterCombo("Any stage", "Show runs started with this autonomy stage "
                                              "(not runs that used the flow's default)")
        self.stage.set_values(list(STAGES))
        self.outcome = FilterCombo("Any outcome", "Show runs that ended with this outcome",
                                   lambda: self._facets()["outcomes"])
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search case id…")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(220)
        self.count = QLabel()
        self.count.setProperty("role", "caption")
        self.table = QTableView()
        self._build()
        self._search_delay = QTimer(self, singleShot=True, interval=250)
        self._search_delay.timeout.connect(self.apply_filters)
        self.poll = QTimer(self, interval=POLL_MS)
        self.poll.timeout.connect(self.check_for_changes)
        for combo in (self.flow, self.status, self.stage, self.outcome):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _: self._search_delay.start())

    def _build(self) -> None:
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for widget in (self.flow, self.status, self.stage, self.outcome, self.search):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count)
        table = self.table
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(24)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COLUMNS.index("Started"), Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._sort_changed)
        header.setStretchLastSection(True)
        for name, width in (("Status", 90), ("Flow", 170), ("Case", 130), ("Outcome", 100),
                            ("Stage", 100), ("Model", 120), ("Started", 150)):
            table.setColumnWidth(COLUMNS.index(name), width)
        table.selectionModel().currentRowChanged.connect(self._row_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(filters)
        layout.addWidget(table, 1)

    # -- store -------------------------------------------------------------------------

    def set_store(self, store: RunStore | None) -> None:
        self._store = store
        self.model.set_store(store)
        self._marker = store.runs_marker() if store is not None else None
        self._refresh_facets()
        self._update_count()
        if store is not None:
            self.poll.start()
        else:
            self.poll.stop()

    def check_for_changes(self) -> bool:
        """One poll: re-read the list if a run was added or moved on. True if so."""
        if self._store is None:
            return False
        marker = self._store.runs_marker()
        if marker == self._marker:
            return False
        self._marker = marker
        self.model.refresh()  # the filter lists refresh when opened, not on every tick
        self._update_count()
        if self._chosen is not None:
            self._reselect()
        self.runs_changed.emit()
        return True

    def _facets(self) -> dict[str, list[str]]:
        return self._store.run_facets() if self._store else {"flows": [], "outcomes": []}

    def _refresh_facets(self) -> None:
        facets = self._facets()
        self.flow.set_values(facets["flows"])
        self.outcome.set_values(facets["outcomes"])

    # -- filters and sort --------------------------------------------------------------

    def apply_filters(self) -> None:
        query = RunQuery(flow=self.flow.value(), status=self.status.value(),
                         stage=self.stage.value(), outcome=self.outcome.value(),
                         case_search=self.search.text().strip() or None,
                         sort=self.model.query.sort)
        if query != self.model.query:
            self.model.set_query(query)
            self._update_count()
            self._reselect()

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        name = COLUMNS[column]
        current = self.model.query.sort
        if name not in SORTABLE:  # the store cannot sort by it: put the indicator back
            back = "Case" if current == "case" else "Started"
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(COLUMNS.index(back),
                                    Qt.SortOrder.AscendingOrder if current in ("oldest", "case")
                                    else Qt.SortOrder.DescendingOrder)
            header.blockSignals(False)
            return
        ascending, descending = SORTABLE[name]
        sort = ascending if order == Qt.SortOrder.AscendingOrder else descending
        if sort != current:
            self.model.set_query(replace(self.model.query, sort=sort))  # type: ignore[arg-type]
            self._reselect()

    def _update_count(self) -> None:
        total = self.model.rowCount()
        everything = self._marker[0] if self._marker else 0
        shown = f"{total:,} run{'s' * (total != 1)}"
        self.count.setText(shown if total == everything else f"{shown} of {everything:,}")

    # -- selection ---------------------------------------------------------------------

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        run = self.model.run_at(current.row()) if current.isValid() else None
        if run is not None and run.id != self._chosen:
            self._chosen = run.id
            self.run_chosen.emit(run.id)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def _reselect(self) -> None:
        """Keep the chosen run selected when rows above it appear or filters change."""
        selection = self.table.selectionModel()
        row = self.model.row_of(self._chosen) if self._chosen else None
        selection.blockSignals(True)
        if row is None:
            selection.clearSelection()
        else:
            selection.setCurrentIndex(self.model.index(row, 0),
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
        selection.blockSignals(False)

    def case_ids(self) -> list[str]:
        """The case ids of the rows now matching (tests; reads every page it needs)."""
        return [run.case_id for row in range(self.model.rowCount())
                if (run := self.model.run_at(row)) is not None]
