"""`RunController`: the window's Run menu made real.

It opens the run dialog and "try one step", runs the engine in a `Worker` thread against
the workspace store the CLI uses, relays a single run's events to the canvas overlay, and
shows a batch's coalesced progress in the batch panel. One run or batch at a time per
window; closing the window asks a batch to stop after the case in hand.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QStackedWidget

from designer import theme
from designer.canvas.run_overlay import RunOverlay
from designer.canvas.view import READABLE_ZOOM
from designer.run.batch_panel import BatchPanel
from designer.run.jobs import (
    BatchProgress,
    BatchResult,
    RunSettings,
    run_batch,
    run_case,
    warm_up,
)
from designer.run.run_panel import RunPanel
from designer.workers.bridge import EventRelay, Worker
from runtime.api import Event, InputError, RunRow, read_cases

if TYPE_CHECKING:  # the dialogs (and the case form's runtime imports) load when opened
    from designer.app.window import MainWindow
    from designer.run.run_dialog import RunChoice, RunDialog
    from designer.run.trial_dialog import TrialDialog


class RunController(QObject):
    run_finished = Signal(object)  # RunRow
    batch_finished = Signal(object)  # BatchResult

    def __init__(self, window: MainWindow, home: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.home = home  # None: $JUNCTION_HOME or the user data folder, as the CLI
        self.overlay = RunOverlay(window.scene, self)
        self.run_panel = RunPanel(self.overlay)
        self.batch_panel = BatchPanel()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.run_panel)
        self.stack.addWidget(self.batch_panel)
        self.dock = QDockWidget("Run", window)
        self.dock.setObjectName("dock_run")
        self.dock.setWidget(self.stack)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.docks[2], self.dock)  # shares the Problems strip
        self.dock.hide()
        self.overlay.focused.connect(self._bring_into_sight)
        self.worker: Worker | None = None
        self.relay: EventRelay | None = None
        self.stop = threading.Event()
        self.dialog: RunDialog | None = None
        self.warmed: Worker | None = None
        self.trial: TrialDialog | None = None
        self.batch_panel.cancel_requested.connect(self.cancel_batch)
        window.installEventFilter(self)

    # -- what the menu runs -------------------------------------------------------------

    def busy(self) -> bool:
        return self.worker is not None and self.worker.is_running()

    def settings(self, autonomy: str | None = None, model: str | None = None) -> RunSettings:
        """The flow exactly as it would be saved (runs pin this text), not the file."""
        return RunSettings(self.session.text(), self.session.path, autonomy=autonomy,
                           model=model, home=self.home)

    def open_run_dialog(self, batch: bool = False) -> RunDialog | None:
        if self._refuse_when_busy():
            return None
        self.warm_up()
        from designer.run.run_dialog import RunDialog

        dialog = RunDialog(self.session.document.flow(), self.session.text(),
                           self.session.path, self.window, batch=batch)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.start(dialog.choice))
        dialog.destroyed.connect(lambda: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def warm_up(self) -> None:
        """Once per window, import what a first run needs while the person reads the
        dialog (it would otherwise stall the window mid-run; see jobs.warm_up)."""
        if self.warmed is None:
            self.warmed = Worker(warm_up, self.settings())
            self.warmed.errored.connect(lambda _: None)  # the run itself will say what is wrong
            self.warmed.start()

    def start(self, choice: RunChoice | None) -> None:
        if choice is None or self._refuse_when_busy():
            return
        if choice.cases is not None:
            self.start_batch(choice.cases, choice.autonomy, choice.model,
                             title=choice.cases_path.name if choice.cases_path else "cases")
        elif choice.case is not None:
            self.start_case(choice.case, choice.autonomy, choice.model)

    def start_case(self, case: dict[str, Any], autonomy: str | None,
                   model: str | None) -> None:
        stage = autonomy or self.session.document.header.autonomy.value
        if self.window.view.zoom() < READABLE_ZOOM:  # the notes must be readable
            self.window.zoom_reset()
            self.window.view.set_zoom(READABLE_ZOOM)
        self.overlay.start()
        self.run_panel.begin(str(case.get("id", "")), stage, model)
        self._show_panel(self.run_panel)
        self.relay = EventRelay(self)
        self.relay.relayed.connect(self._event)
        worker = Worker(run_case, self.settings(autonomy, model), case, self.relay)
        worker.returned.connect(self._case_done)
        worker.errored.connect(self._case_failed)
        self._launch(worker)

    def start_batch(self, cases: list[dict[str, Any]], autonomy: str | None,
                    model: str | None, title: str = "cases") -> None:
        stage = autonomy or self.session.document.header.autonomy.value
        self.overlay.clear()
        self.stop = threading.Event()
        stage_name = theme.AUTONOMY.get(stage, (stage,))[0]
        self.batch_panel.begin(f"Batch of {len(cases)} cases from {title} · {stage_name}"
                               + (f" · model {model}" if model else ""), len(cases))
        self._show_panel(self.batch_panel)
        worker = Worker(run_batch, self.settings(autonomy, model), cases, self.stop)
        worker.yielded.connect(self._progress)
        worker.returned.connect(self._batch_done)
        worker.errored.connect(lambda error: self.batch_panel.failed(str(error)))
        self._launch(worker)

    def cancel_batch(self) -> None:
        self.stop.set()

    def open_trial(self) -> TrialDialog | None:
        """Try the selected AI step on one case."""
        selected = self.window.scene.selected_node_ids()
        flow = self.session.document.flow()
        node = flow.node(selected[0]) if len(selected) == 1 else None
        if node is None or node.kind != "ai":
            self._say("Select one AI step to try it on a case.")
            return None
        samples: list[dict[str, Any]] = []
        path = self.session.path
        if path is not None and (path.parent / "cases.jsonl").exists():
            try:
                samples = read_cases(path.parent / "cases.jsonl")
            except InputError as error:
                self._say(str(error))
        from designer.run.trial_dialog import TrialDialog

        dialog = TrialDialog(flow, node.id, self.settings(), samples, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "trial", None))
        self.trial = dialog
        dialog.show()
        return dialog

    # -- results --------------------------------------------------------------------------

    def _event(self, event: Event) -> None:
        self.overlay.apply(event)

    def _case_done(self, run: RunRow) -> None:
        self.run_panel.finished(describe_run(run, self._title(run.current_node)))
        self.run_finished.emit(run)

    def _case_failed(self, error: Exception) -> None:
        self.run_panel.finished(f"The run could not start: {error}")

    def _progress(self, update: BatchProgress) -> None:
        self.batch_panel.progress(update)

    def _batch_done(self, result: BatchResult) -> None:
        self.batch_panel.finish(result)
        self.batch_finished.emit(result)

    # -- plumbing -------------------------------------------------------------------------

    def _launch(self, worker: Worker) -> None:
        self.worker = worker
        worker.start()

    def _show_panel(self, panel: Any) -> None:
        self.stack.setCurrentWidget(panel)
        self.dock.show()
        self.dock.raise_()
        height = 170 if panel is self.run_panel else 340
        self.window.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)

    def _bring_into_sight(self, node_id: str) -> None:
        item = self.window.scene.item_for_node.get(node_id)
        if item is not None:
            self.window.view.ensureVisible(item.sceneBoundingRect().adjusted(-30, -30, 30, 90),
                                           40, 40)

    def _refuse_when_busy(self) -> bool:
        if self.busy():
            self._say("A run is still going in this window; wait for it or cancel it.")
            return True
        return False

    def _title(self, node_id: str | None) -> str:
        """A step's title as the canvas shows it (its id when it has none)."""
        if node_id is None or node_id not in self.session.document.node_ids():
            return node_id or ""
        return getattr(self.session.document.node(node_id), "title", "") or node_id

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    def wait(self, milliseconds: int = 30000) -> bool:
        """Block until the current worker ends (tests, closing)."""
        return self.worker.wait(milliseconds) if self.worker is not None else True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop.set()  # a batch stops after its current case
        return False


def describe_run(run: RunRow, where: str = "") -> str:
    """One sentence about how a run ended, for the run panel."""
    head = f"Case {run.case_id}"
    if run.status.value == "completed":
        return f"{head} completed with outcome “{run.outcome}” (run {run.id})."
    if run.status.value == "blocked":
        return (f"{head} is waiting for a person at “{where or run.current_node}”: "
                f"{run.blocked_reason} (run {run.id}; decide it in the inbox or with "
                f"`junction decide`).")
    if run.status.value == "failed":
        return f"{head} failed: {run.error} (run {run.id})."
    return f"{head}: {run.status.value} (run {run.id})."
