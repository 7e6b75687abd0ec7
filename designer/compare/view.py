"""`CompareView`: two runs or two batches side by side, and the replay that makes them.

Pick two sources (or replay one at another stage or with another model: the replay runs
in a worker, then the view compares the original with the new batch). For batches a
summary says how many cases reached a person, how many record changes were applied and
where the sides agree; choosing a case shows its steps side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.compare.replay_dialog import ReplayDialog
from designer.compare.sources import Source, comparable_sources
from designer.compare.tables import CaseTable, NodeTable, SummaryCard, ending
from designer.guards import guard_wheel
from designer.inbox.work import replay_cases
from designer.inbox.workspace_link import WorkspaceLink
from designer.workers.bridge import Worker
from runtime.api import JunctionError, parse_flow

if TYPE_CHECKING:  # the comparisons (and the engine) load when a comparison is asked for
    from runtime.api import BatchComparison, ReplayProgress, RunComparison, RunRow


def side_names(left: RunRow | None, right: RunRow | None) -> tuple[str, str]:
    """Short column names: the stages ("Observe", "Operate"); the model when the stages
    are the same; plain Left / Right when nothing tells them apart."""
    def stage(run: RunRow | None) -> str:
        return ((run.autonomy if run else None) or "flow stage").capitalize()

    def model(run: RunRow | None) -> str:
        return (run.model_override if run else None) or "flow's model"

    if stage(left) != stage(right):
        return stage(left), stage(right)
    if model(left) != model(right):
        return model(left), model(right)
    return f"Left ({stage(left)})", f"Right ({stage(right)})"


class CompareView(QWidget):
    replayed = Signal(str)  # the id of the batch a replay created

    def __init__(self, link: WorkspaceLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.link = link
        self.sources: list[Source] = []
        self.batch_result: BatchComparison | None = None
        self.run_result: RunComparison | None = None
        self._worker: Worker | None = None
        self._titles: dict[str, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 8)
        head = QHBoxLayout()
        title = QLabel("Compare")
        title.setFont(theme.font(15, bold=True))
        head.addWidget(title)
        head.addStretch(1)
        self.replay_button = QPushButton("Replay at another stage / with another model…")
        self.replay_button.setObjectName("replayButton")
        self.replay_button.setToolTip("Run the cases of the left-hand batch (or run) again "
                                      "as a new batch, then compare the two")
        self.replay_button.clicked.connect(self.ask_replay)
        head.addWidget(self.replay_button)
        outer.addLayout(head)
        pick = QHBoxLayout()
        self.left_box = self._picker("compareLeft")
        self.right_box = self._picker("compareRight")
        pick.addWidget(self.left_box, 1)
        pick.addWidget(QLabel("against"))
        pick.addWidget(self.right_box, 1)
        compare = QPushButton("Compare")
        compare.setObjectName("compareButton")
        compare.clicked.connect(self.compare_chosen)
        pick.addWidget(compare)
        outer.addLayout(pick)
        self.progress = QProgressBar()
        self.progress.setObjectName("replayProgress")
        self.progress.hide()
        outer.addWidget(self.progress)
        self.message = QLabel("Choose two batches or two runs, or replay one at another "
                              "stage.")
        self.message.setObjectName("compareMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.INK_SOFT};")
        outer.addWidget(self.message)
        self.summary = SummaryCard()
        self.summary.hide()
        outer.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        self.cases = CaseTable()
        self.cases.currentCellChanged.connect(lambda row, *_: self._show_case(row))
        self.steps = NodeTable()
        split.addWidget(self.cases)
        split.addWidget(self.steps)
        split.setSizes([260, 320])
        outer.addWidget(split, 1)

    def _picker(self, name: str) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.setMinimumContentsLength(16)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        guard_wheel(box)
        return box

    # -- sources -----------------------------------------------------------------------

    def refresh(self) -> None:
        self.sources = comparable_sources(self.link.workspace.store)
        for box in (self.left_box, self.right_box):
            chosen = box.currentData()
            box.clear()
            for source in self.sources:
                box.addItem(source.label, source)
            index = next((i for i, s in enumerate(self.sources) if s == chosen), -1)
            if index >= 0:
                box.setCurrentIndex(index)
        if self.right_box.currentIndex() == self.left_box.currentIndex() and len(
                self.sources) > 1:
            self.right_box.setCurrentIndex(1)

    def _choose(self, box: QComboBox, kind: str, source_id: str) -> None:
        index = next((i for i, s in enumerate(self.sources)
                      if (s.kind, s.id) == (kind, source_id)), -1)
        if index >= 0:
            box.setCurrentIndex(index)

    # -- comparing ---------------------------------------------------------------------

    def compare_chosen(self) -> None:
        left, right = self.left_box.currentData(), self.right_box.currentData()
        if left is None or right is None:
            self.message.setText("There is nothing to compare yet: run a batch first.")
            return
        self.compare(left, right)

    def compare(self, left: Source, right: Source) -> None:
        from runtime.api import compare_batches, compare_runs

        store = self.link.workspace.store
        if left.kind != right.kind:
            self.message.setText("Compare a batch with a batch, or a run with a run.")
            return
        try:
            if left.kind == "batch":
                self._show_batches(compare_batches(store, left.id, right.id), left, right)
            else:
                result = compare_runs(store, left.id, right.id)
                self._show_runs(result, left, right)
        except JunctionError as exc:
            self.message.setText(f"These cannot be compared: {exc}")

    def _titles_for(self, run: RunRow) -> dict[str, str]:
        try:
            loaded = parse_flow(self.link.workspace.store.flow_text(run.flow_sha))
        except JunctionError:
            return {}
        return {node.id: node.label() for node in loaded.flow.nodes}

    def _show_batches(self, result: BatchComparison, left: Source, right: Source) -> None:
        self.batch_result, self.run_result = result, None
        first = result.pairs[0] if result.pairs else None
        names = side_names(first.left if first else None, first.right if first else None)
        self._titles = self._titles_for(first.left) if first else {}
        self.summary.show_batches(result, f"{names[0]} ({left.id})",
                                  f"{names[1]} ({right.id})")
        self.summary.show()
        self.cases.set_names(*names)
        self.steps.set_names(*names)
        self.cases.show_pairs(result.pairs, self._titles)
        self.cases.show()
        differing = sum(1 for pair in result.pairs if pair.differs)
        self.message.setText(f"{differing} of {len(result.pairs)} cases differ (tinted). "
                             "Choose a case to see its steps side by side.")
        if result.pairs:
            self.cases.setCurrentCell(0, 0)
            self._show_case(0)
        else:
            self.steps.show_comparison(None, {})

    def _show_runs(self, result: RunComparison, left: Source, right: Source) -> None:
        self.batch_result, self.run_result = None, result
        names = side_names(result.left, result.right)
        self.summary.hide()
        self.cases.hide()
        self.steps.set_names(*names)
        self._titles = self._titles_for(result.left)
        self.steps.show_comparison(result, self._titles)
        self.message.setText(
            f"Case {result.left.case_id}: {names[0]} {ending(result.left, self._titles)}; "
            f"{names[1]} {ending(result.right, self._titles)}. Differences are tinted.")

    def _show_case(self, row: int) -> None:
        if self.batch_result is None or not 0 <= row < len(self.batch_result.pairs):
            return
        self.steps.show_comparison(self.batch_result.pairs[row], self._titles)

    # -- replay ------------------------------------------------------------------------

    def ask_replay(self) -> None:
        source = self.left_box.currentData()
        if source is None:
            self.message.setText("There is nothing to replay yet: run a batch first.")
            return
        dialog = ReplayDialog(source.label, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            stage, model = dialog.stage(), dialog.model_ref()
        finally:
            dialog.deleteLater()
        self.replay(source, stage, model)

    def replay(self, source: Source, stage: str | None, model: str | None) -> None:
        """Run the source's cases again in a worker; when done, compare the two."""
        if self._worker is not None:
            self.message.setText("A replay is already running.")
            return
        if stage is None and model is None:
            self.message.setText("Choose another stage or another model to replay with.")
            return
        self.progress.setValue(0)
        self.progress.show()
        self.replay_button.setEnabled(False)
        what = stage or model
        self.message.setText(f"Replaying {source.label} at {what}…")
        worker = Worker(replay_cases, self.link.home,
                        batch_id=source.id if source.kind == "batch" else None,
                        run_id=source.id if source.kind == "run" else None,
                        autonomy=stage, model=model)
        state: dict[str, str] = {}
        worker.yielded.connect(lambda p: self._replay_progress(p, state))
        worker.errored.connect(lambda error: self.message.setText(
            f"The replay stopped: {error}"))
        worker.finished.connect(lambda: self._replay_done(source, state))
        self._worker = worker
        worker.start()

    def _replay_progress(self, progress: ReplayProgress, state: dict[str, str]) -> None:
        state["batch"] = progress.batch_id
        state["run"] = progress.run.id
        self.progress.setRange(0, progress.total)
        self.progress.setValue(progress.done)
        self.progress.setFormat(f"{progress.done} of {progress.total} cases")

    def _replay_done(self, source: Source, state: dict[str, str]) -> None:
        self._worker = None
        self.progress.hide()
        self.replay_button.setEnabled(True)
        if "batch" not in state:
            return
        self.refresh()
        kind, new_id = ("batch", state["batch"]) if source.kind == "batch" else ("run",
                                                                             state["run"])
        self._choose(self.left_box, source.kind, source.id)
        self._choose(self.right_box, kind, new_id)
        self.compare(source, Source(kind, new_id, new_id))
        self.replayed.emit(state["batch"])

    def busy(self) -> bool:
        return self._worker is not None
