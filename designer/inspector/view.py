"""`InspectorView`: the Runs view — the runs list above, the chosen run below.

The view opens the workspace's run store the first time it is shown (a window that never
shows it never touches the workspace), polls it while visible and closes it with the view.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from designer.inspector.run_panel import AskPath, RunPanel, ask_with_dialog
from designer.inspector.runs_list import RunsList
from runtime.api import RunStatus, RunStore

LIVE = (RunStatus.queued, RunStatus.running, RunStatus.blocked)


class InspectorView(QWidget):
    def __init__(self, open_store: Callable[[], RunStore], ask_path: AskPath = ask_with_dialog,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectorView")
        self._open_store = open_store
        self.store: RunStore | None = None
        self.runs = RunsList()
        self.run_panel = RunPanel(ask_path)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.runs)
        split.addWidget(self.run_panel)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 510])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.runs.run_chosen.connect(self._run_chosen)
        self.runs.runs_changed.connect(self._store_moved)
        self.destroyed.connect(self._close_store_of(self))

    def ensure_store(self) -> RunStore:
        if self.store is None:
            self.store = self._open_store()
            self.runs.set_store(self.store)
        return self.store

    def refresh(self) -> bool:
        """One poll now (as the timer would): True if something changed."""
        self.ensure_store()
        return self.runs.check_for_changes()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_store()
        self.runs.check_for_changes()
        self.runs.poll.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.runs.poll.stop()

    def _run_chosen(self, run_id: str) -> None:
        if self.store is not None:
            self.run_panel.show_run(self.store, run_id)

    def _store_moved(self) -> None:
        report = self.run_panel.report
        if report is not None and report.run.status in LIVE:
            self.run_panel.reload()

    def close_store(self) -> None:
        self.runs.poll.stop()
        if self.store is not None:
            self.runs.set_store(None)
            self.store.close()
            self.store = None

    @staticmethod
    def _close_store_of(view: InspectorView) -> Callable[[], None]:
        store_holder = view  # the slot must not need the C++ object once it is destroyed

        def close() -> None:
            store = store_holder.__dict__.get("store")
            if store is not None:
                store.close()
        return close
