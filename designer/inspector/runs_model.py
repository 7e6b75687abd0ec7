"""`RunsTableModel`: the workspace's runs as a table that never loads them all.

The store may hold 100,000 runs. The model asks the store for the matching count, then
for fixed-size pages only when the view paints rows in them (windowed paging over
`RunStore.query_runs`), and keeps a handful of pages. Scrolling to the end reads the last
page, not everything before it. `refresh()` re-reads the count and drops the pages, so
runs that land while the list is open appear on the next repaint.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from designer import theme
from designer.inspector.format import duration, inline, local_time
from runtime.api import RunQuery, RunRow, RunStore

COLUMNS = ("Status", "Flow", "Case", "Outcome", "Stage", "Model", "Started", "Duration")
#: Columns the store can sort by, and the store's sort for (ascending, descending).
SORTABLE = {"Started": ("oldest", "newest"), "Case": ("case", "case")}
STATUS_COLOURS = {"completed": theme.SUCCESS, "failed": theme.DANGER, "blocked": "#B54708",
                  "running": theme.SELECTION, "queued": theme.INK_SOFT,
                  "cancelled": theme.INK_FAINT}
PAGE_SIZE = 200
PAGES_KEPT = 12

_Index = QModelIndex | QPersistentModelIndex


class RunsTableModel(QAbstractTableModel):
    def __init__(self, store: RunStore | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._query = RunQuery(limit=PAGE_SIZE)
        self._total = 0
        self._pages: OrderedDict[int, list[RunRow]] = OrderedDict()
        self.pages_read = 0  # for tests and the benchmark: how much was really read

    # -- what to show ------------------------------------------------------------------

    def set_store(self, store: RunStore | None) -> None:
        self._store = store
        self.refresh(reset=True)

    @property
    def query(self) -> RunQuery:
        return self._query

    def set_query(self, query: RunQuery) -> None:
        """New filters or sort: the list starts again at the top."""
        self._query = replace(query, offset=0, limit=PAGE_SIZE)
        self.refresh(reset=True)

    def refresh(self, *, reset: bool = False) -> None:
        """Re-count the matches and forget the pages read; rows repaint from the store."""
        if self._store is None:
            total, first = 0, []
        else:
            page = self._store.query_runs(self._query)
            total, first = page.total, page.runs
            self.pages_read += 1
        if reset:
            self.beginResetModel()
            self._pages.clear()
            self._pages[0] = first
            self._total = total
            self.endResetModel()
            return
        old = self._total
        if total > old:
            self.beginInsertRows(QModelIndex(), old, total - 1)
            self._total = total
            self._pages.clear()
            self._pages[0] = first
            self.endInsertRows()
        elif total < old:
            self.beginRemoveRows(QModelIndex(), total, old - 1)
            self._total = total
            self._pages.clear()
            self._pages[0] = first
            self.endRemoveRows()
        else:
            self._pages.clear()
            self._pages[0] = first
        if self._total:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._total - 1, len(COLUMNS) - 1))

    # -- rows --------------------------------------------------------------------------

    def run_at(self, row: int) -> RunRow | None:
        if not 0 <= row < self._total or self._store is None:
            return None
        number = row // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            page = self._store.query_runs(
                replace(self._query, offset=number * PAGE_SIZE, limit=PAGE_SIZE)).runs
            self.pages_read += 1
            self._pages[number] = page
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        offset = row - number * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def row_of(self, run_id: str) -> int | None:
        """The row of a run among the pages already read (None if not among them)."""
        for number, page in self._pages.items():
            for offset, run in enumerate(page):
                if run.id == run_id:
                    return number * PAGE_SIZE + offset
        return None

    # -- Qt ----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            name = COLUMNS[section]
            return (f"Click to sort by {name.lower()}" if name in SORTABLE
                    else "Sort by Started or Case; filter this column above")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run = self.run_at(index.row())
        if run is None:
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(run, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "Status":
            return QBrush(theme.color(STATUS_COLOURS.get(run.status.value, theme.INK)))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "Status" and (run.blocked_reason or run.error):
                return inline(run.blocked_reason or run.error, 300)
            if column in ("Stage", "Model") and cell_text(run, column) == "flow default":
                return "Not overridden when the run started: the flow's own setting was used"
        if role == Qt.ItemDataRole.UserRole:
            return run.id
        return None


def cell_text(run: RunRow, column: str) -> str:
    if column == "Status":
        return run.status.value
    if column == "Flow":
        return inline(run.flow_name, 60)
    if column == "Case":
        return inline(run.case_id, 60)
    if column == "Outcome":
        return inline(run.outcome or "", 40)
    if column == "Stage":
        return run.autonomy or "flow default"
    if column == "Model":
        return inline(run.model_override, 50) if run.model_override else "flow default"
    if column == "Started":
        return local_time(run.started_at or run.created_at)
    if column == "Duration":
        if run.finished_at:
            return duration(run.started_at or run.created_at, run.finished_at)
        return {"running": "still running", "blocked": "waiting",
                "queued": "not started"}.get(run.status.value, "")
    raise KeyError(column)
