"""The training card of an embeddings classify step: where its learning stands, and
"Train from decisions" once people have decided enough of its tasks.

Staged autonomy earns its next stage from people's decisions: in observe mode every
decision sits beside the AI's suggestion. This card says how many such decisions the step
has, whether its trained head (if any) already learnt from them, how well that head did on
cases it never saw, and offers to learn from the new ones. Reading the store and training
run in a worker; the new head becomes one undoable edit of the open flow (saved with it),
never a silent rewrite of the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from designer import theme
from designer.workers.bridge import Worker
from runtime.api import (
    MIN_NEW_DECISIONS,
    ClassifyNode,
    JunctionError,
    TrainingState,
    Workspace,
    load_flow,
    parse_flow,
    train_from_decisions,
    training_state,
)


def _read_state(flow_text: str | None, flow_path: Path, node_id: str,
                home: Path | None) -> TrainingState:
    """The state of the flow as it is in the editor (a head just trained and not yet
    saved included); decisions are found by the saved file's path."""
    loaded = (load_flow(flow_path) if flow_text is None
              else parse_flow(flow_text, str(flow_path), flow_path))
    workspace = Workspace.open(home)
    try:
        return training_state(loaded, node_id, workspace.store)
    finally:
        workspace.close()


def _train(flow_path: Path, node_id: str, home: Path | None) -> dict[str, Any]:
    workspace = Workspace.open(home)
    try:
        return train_from_decisions(load_flow(flow_path), node_id, workspace.store)
    finally:
        workspace.close()


def describe(state: TrainingState) -> list[str]:
    """The card's lines, in an analyst's words."""
    lines = [f"{state.examples} written examples."]
    if state.head is None:
        lines.append("Not trained yet: the step compares each case with the written "
                     "examples.")
    else:
        when = (state.trained_at or "an unknown time").replace("T", " ")[:16]
        lines.append(f"Trained head ({state.method or 'unknown method'}), {when}, on "
                     f"{state.labelled_cases} labelled cases.")
        if state.held_out_accuracy is not None:
            ece = ("" if state.held_out_ece is None
                   else f" · calibration error {state.held_out_ece:.3f}")
            lines.append(f"On cases it never saw: {state.held_out_accuracy:.0%} right{ece}.")
    lines.extend(state.problems)
    waiting = ("none yet learnt from" if state.head is None
               else f"{state.new_decisions} new since training")
    lines.append(f"People decided {state.decisions_available} of its tasks ({waiting}).")
    return lines


class TrainingCard(QWidget):
    """Shown under an embeddings classify step's form."""

    trained = Signal(str, str)  # node id, the new head's file name

    def __init__(self, home: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingCard")
        theme.style_as_card(self, "trainingCard")
        self.home = home
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        title = QLabel("Learning from people")
        title.setProperty("role", "heading")
        self.lines = QLabel()
        self.lines.setWordWrap(True)
        self.lines.setProperty("role", "caption")
        self.button = QPushButton("Train from decisions")
        self.button.setObjectName("trainFromDecisions")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self._train)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setProperty("role", "caption")
        for widget in (title, self.lines, self.button, self.note):
            layout.addWidget(widget)
        self.node_id: str | None = None
        self.flow_path: Path | None = None
        self.state: TrainingState | None = None
        self._reader: Worker | None = None
        self._worker: Worker | None = None
        self._training_node = ""
        self._just_trained: str | None = None

    @staticmethod
    def applies_to(node: object) -> bool:
        return isinstance(node, ClassifyNode) and node.method == "embeddings"

    def show_node(self, node_id: str, flow_path: Path | None, modified: bool,
                  flow_text: str | None = None) -> None:
        """Read the saved flow's state for `node_id` (in a worker); `modified` flows
        cannot be trained until saved: the head must fit the saved options."""
        self.node_id, self.flow_path, self.modified = node_id, flow_path, modified
        self._reader = None
        self.state = None
        self.note.setText("")
        if flow_path is None:
            self.lines.setText("Save the flow to learn from people's decisions: they are "
                               "recorded per flow file.")
            self._offer(False, "Save the flow first.")
            return
        self.lines.setText("Reading the workspace…")
        self._offer(False, "")
        worker = Worker(_read_state, flow_text, flow_path, node_id, self.home)
        # Bound methods, not lambdas: Qt drops the connection if the card is destroyed
        # before the worker answers.
        worker.returned.connect(self._shown)
        worker.errored.connect(self._failed)
        self._reader = worker
        worker.start()

    def _shown(self, state: TrainingState) -> None:
        if self.sender() is not self._reader:
            return  # another step was selected meanwhile
        self.state = state
        self.lines.setText("\n".join(describe(state)))
        if self.modified and state.head is not None and state.head == self._just_trained:
            self._offer(False, "Trained. Save the flow to keep it; Undo takes it back.")
        elif self.modified:
            self._offer(False, "Save your changes first: a head is trained for the saved "
                               "options and examples.")
        elif not state.can_train_from_decisions:
            self._offer(False, f"Training is offered once {MIN_NEW_DECISIONS} decisions "
                               f"are new ({state.new_decisions} now).")
        else:
            self._offer(True, "")

    def _failed(self, exc: BaseException) -> None:
        if self.sender() is self._reader:
            self.lines.setText(f"Could not read the workspace: {exc}")
            self._offer(False, "")

    def _offer(self, enabled: bool, why: str) -> None:
        self.button.setEnabled(enabled)
        self.button.setToolTip(why)
        if why:
            self.note.setText(why)

    def _train(self) -> None:
        if self.flow_path is None or self.node_id is None:
            return
        self._offer(False, "Training on people's decisions… (measured on held-out cases)")
        self._training_node = self.node_id
        worker = Worker(_train, self.flow_path, self.node_id, self.home)
        worker.returned.connect(self._done)
        worker.errored.connect(self._train_failed)
        self._worker = worker
        worker.start()

    def _done(self, report: dict[str, Any]) -> None:
        node_id = self._training_node
        winner = report.get("held_out", {}).get(report.get("winner", ""), {})
        accuracy = winner.get("accuracy")
        figure = "" if accuracy is None else f" Held-out accuracy {accuracy:.0%}."
        if report.get("head") is None:
            self.note.setText("The written examples still did better on cases the head "
                              f"never saw, so nothing changed.{figure}")
        else:
            self._just_trained = report["head"]
            self.trained.emit(node_id, report["head"])
            self.note.setText(f"Trained on {report['labelled_cases']} decisions.{figure} "
                              "Save the flow to keep it; Undo takes it back.")
        self.button.setEnabled(False)

    def _train_failed(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, JunctionError) else f"{type(exc).__name__}: {exc}"
        self.note.setText(f"Training did not run: {message}")
        self.button.setEnabled(True)
