"""The inbox's list of open tasks and the filters above it (flow, step, assignee, due).

Filtering is done by the store (`query_tasks`); the choices in the filter boxes come from
the open tasks themselves, so a filter never offers something that matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.guards import guard_wheel
from designer.inbox.text import plain_tooltip
from runtime.api import RunStore, TaskQuery, TaskRow

COLUMNS = ("Since", "Flow", "Case", "Step", "Why it waits", "Assignee", "Due")
DUE_CHOICES = (("Any due time", None), ("Overdue now", timedelta(0)),
               ("Due within 24 hours", timedelta(hours=24)),
               ("Due within 7 days", timedelta(days=7)))


@dataclass(frozen=True)
class TaskLine:
    """A task with what the list shows about it."""

    task: TaskRow
    flow: str
    case_id: str
    assignee: str


def short_time(stamp: str | None) -> str:
    """`2026-12-01T03:48:00.123+00:00` → `2026-12-01 03:48` (local time of the machine)."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    if moment.date() == datetime.now().astimezone().date():
        return moment.strftime("today %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def task_lines(store: RunStore, query: TaskQuery) -> list[TaskLine]:
    lines = []
    for task in store.query_tasks(query):
        run = store.run(task.run_id)
        inputs = store.step(task.step_id).inputs
        assignee = inputs.get("assignee") if isinstance(inputs, dict) else None
        lines.append(TaskLine(task, run.flow_name, run.case_id, str(assignee or "")))
    return lines


class TaskList(QWidget):
    """Filters and the table of tasks; says which task is selected."""

    task_selected = Signal(object)  # a TaskLine, or None when nothing is selected
    filters_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[TaskLine] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.flow_box = self._filter("inboxFlowFilter", "All flows")
        self.node_box = self._filter("inboxNodeFilter", "All steps")
        self.assignee_box = self._filter("inboxAssigneeFilter", "Anyone")
        self.due_box = self._filter("inboxDueFilter", None)
        for text, within in DUE_CHOICES:
            self.due_box.addItem(text, within)
        for label, box in (("Flow", self.flow_box), ("Step", self.node_box),
                           ("Assignee", self.assignee_box), ("Due", self.due_box)):
            caption = QLabel(label)
            caption.setStyleSheet(f"color: {theme.INK_SOFT};")
            filters.addWidget(caption)
            filters.addWidget(box, 1)
        column.addLayout(filters)
        self.table = QTreeWidget()
        self.table.setObjectName("inboxTasks")
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHeaderLabels(list(COLUMNS))
        self.table.setUniformRowHeights(True)
        header = self.table.header()
        header.setStretchLastSection(False)
        for index in range(len(COLUMNS)):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Why it waits"),
                                    QHeaderView.ResizeMode.Stretch)
        self.table.currentItemChanged.connect(self._current_changed)
        column.addWidget(self.table, 1)
        self.empty = QLabel("No open tasks. When a run needs a person, its task appears here.")
        self.empty.setObjectName("inboxEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {theme.INK_SOFT}; padding: 12px;")
        column.addWidget(self.empty)

    def _filter(self, name: str, everything: str | None) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        guard_wheel(box)
        if everything is not None:
            box.addItem(everything, None)
        box.activated.connect(lambda _: self.filters_changed.emit())
        return box

    def query(self, now: datetime | None = None) -> TaskQuery:
        within = self.due_box.currentData()
        due_before = None
        if within is not None:
            moment = (now or datetime.now(UTC)) + within
            due_before = moment.isoformat(timespec="milliseconds")
        return TaskQuery(status="open", flow=self.flow_box.currentData(),
                         node_id=self.node_box.currentData(),
                         assignee=self.assignee_box.currentData(), due_before=due_before)

    def offer_choices(self, every_open: list[TaskLine]) -> None:
        """Fill the filter boxes from all open tasks, keeping what is chosen."""
        for box, values in (
                (self.flow_box, sorted({line.flow for line in every_open})),
                (self.node_box, sorted({line.task.node_id for line in every_open})),
                (self.assignee_box, sorted({line.assignee for line in every_open
                                            if line.assignee}))):
            chosen = box.currentData()
            while box.count() > 1:
                box.removeItem(1)
            for value in values:
                box.addItem(value, value)
            if chosen is not None and chosen not in values:
                box.addItem(chosen, chosen)  # keep a chosen filter even with no match left
            box.setCurrentIndex(max(0, box.findData(chosen)))

    def show_lines(self, lines: list[TaskLine], keep: str | None) -> None:
        self.lines = lines
        self.table.blockSignals(True)
        self.table.clear()
        chosen = None
        for line in lines:
            task = line.task
            item = QTreeWidgetItem([
                short_time(task.created_at), line.flow, line.case_id,
                str((task.packet.get("node") or {}).get("title") or task.node_id),
                task.reason, line.assignee, short_time(task.due_at) or "—"])
            item.setData(0, Qt.ItemDataRole.UserRole, task.id)
            item.setToolTip(COLUMNS.index("Why it waits"), plain_tooltip(task.reason))
            self.table.addTopLevelItem(item)
            if task.id == keep:
                chosen = item
        self.table.blockSignals(False)
        self.empty.setVisible(not lines)
        self.table.setVisible(bool(lines))
        target = chosen or self.table.topLevelItem(0)
        if target is not None:
            self.table.setCurrentItem(target)
        self._current_changed(target, None)

    def _current_changed(self, current: QTreeWidgetItem | None, _: object) -> None:
        task_id = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self.task_selected.emit(next((x for x in self.lines if x.task.id == task_id), None))

    def select(self, task_id: str) -> bool:
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == task_id:
                self.table.setCurrentItem(item)
                return True
        return False
