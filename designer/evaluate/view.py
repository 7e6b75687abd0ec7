"""`EvaluateView`: run an evaluation of the open flow in a worker and read its report.

The view evaluates the flow *file* (save first; the status line says which file and when),
shows per-node figures, the risk–coverage curve, the reliability diagram and the confusion
matrix, and recommends the lowest act band that meets a precision the team names. "Apply"
changes the node's act band through the document's command stack: one undo step.
Model text never appears here; labels and figures are set as plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.app.session import FlowSession
from designer.charts import CurveChart, EmptyState
from designer.evaluate import figures
from designer.guards import guard_wheel
from designer.workers.bridge import Worker
from runtime.api import ClassifyNode, JunctionError, load_flow

# The evaluation desk (and through it the engine) is imported where it is used: the main
# window builds this view at start-up and need not wait for it.


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class EvaluateView(QWidget):
    def __init__(self, session: FlowSession, home: Callable[[], Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluateView")
        self.session, self.home = session, home
        self.result: dict[str, Any] | None = None
        self.worker: Worker | None = None
        self._build()
        self.session.path_changed.connect(lambda: self.reload() if self.isVisible() else None)

    # -- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        self.title = _plain("Evaluate")
        font = self.title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title.setFont(font)
        bar.addWidget(self.title, 1)
        bar.addWidget(QLabel("Dataset"))
        self.dataset = QLineEdit()
        self.dataset.setPlaceholderText("labelled cases (.jsonl)")
        self.dataset.setMinimumWidth(260)
        # the empty state names the chosen dataset
        self.dataset.textChanged.connect(
            lambda _: self._show_empty() if self.result is None else None)
        bar.addWidget(self.dataset)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        bar.addWidget(browse)
        self.model = QLineEdit()
        self.model.setPlaceholderText("model: the flow's own")
        self.model.setToolTip("A model reference such as scripted:scripted.yaml or "
                              "llamacpp:bundled; empty uses the model the flow names.")
        self.model.setFixedWidth(200)
        bar.addWidget(self.model)
        self.run_button = QPushButton("Run evaluation")
        self.run_button.setObjectName("runEvaluation")
        self.run_button.clicked.connect(self.run_evaluation)
        bar.addWidget(self.run_button)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        bar.addWidget(self.stop_button)
        outer.addLayout(bar)
        status = QHBoxLayout()
        self.status = _plain("")
        self.status.setStyleSheet(f"color: {theme.INK_SOFT}")
        status.addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(240)
        self.progress.setFormat("%v of %m cases")
        self.progress.hide()
        status.addWidget(self.progress)
        outer.addLayout(status)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        # no evaluation yet: say what to do instead of an empty combo box and bare headings
        self.empty = EmptyState()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(scroll)

        left = QVBoxLayout()
        self.no_steps = _plain("This flow has no AI step that classifies, so there is no "
                               "accuracy, act band or calibration to measure: the figures "
                               "below are the flow's, end to end.")
        self.no_steps.hide()
        left.addWidget(self.no_steps)
        per_node = QVBoxLayout()
        per_node.setContentsMargins(0, 0, 0, 0)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("AI step"))
        self.node_box = QComboBox()
        guard_wheel(self.node_box)
        self.node_box.currentIndexChanged.connect(self._show_node)
        pick.addWidget(self.node_box, 1)
        per_node.addLayout(pick)
        self.node_form = QFormLayout()
        per_node.addLayout(self.node_form)
        per_node.addWidget(self._section("Recommended act band"))
        rec = QHBoxLayout()
        rec.addWidget(QLabel("Target precision"))
        self.target = QDoubleSpinBox()
        self.target.setRange(0.5, 1.0)
        self.target.setSingleStep(0.01)
        self.target.setDecimals(2)
        self.target.setValue(0.95)
        self.target.setKeyboardTracking(False)
        guard_wheel(self.target)
        self.target.valueChanged.connect(self._recommend)
        rec.addWidget(self.target)
        rec.addStretch(1)
        per_node.addLayout(rec)
        self.recommendation = _plain("")
        per_node.addWidget(self.recommendation)
        self.apply_button = QPushButton("Apply to the step")
        self.apply_button.setObjectName("applyBand")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_recommendation)
        per_node.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.node_panel = QWidget()
        self.node_panel.setLayout(per_node)
        left.addWidget(self.node_panel)
        self.e2e_heading = self._section("End to end")
        left.addWidget(self.e2e_heading)
        self.e2e_form = QFormLayout()
        left.addLayout(self.e2e_form)
        left.addStretch(1)
        holder = QWidget()
        holder.setLayout(left)
        holder.setMaximumWidth(430)
        grid.addWidget(holder, 0, 0, 2, 1)

        self.curve = CurveChart("Risk–coverage: acting alone vs. being right",
                                "cases that act alone (coverage)",
                                "right when acting alone (precision)")
        self.curve.empty_text = "Run an evaluation to see the curve"
        self.reliability = CurveChart("Reliability: stated confidence vs. accuracy",
                                      "stated confidence", "answers right", diagonal=True)
        self.reliability.empty_text = "Run an evaluation to see calibration"
        grid.addWidget(self.curve, 0, 1)
        grid.addWidget(self.reliability, 0, 2)
        matrix = QVBoxLayout()
        matrix.addWidget(self._section("Confusion matrix (rows: right answer; "
                                       "columns: the AI's answer)"))
        self.confusion = QTableWidget()
        self.confusion.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        matrix.addWidget(self.confusion)
        matrix.addStretch(1)
        self.matrix_box = QWidget()
        self.matrix_box.setLayout(matrix)
        grid.addWidget(self.matrix_box, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        outer.addWidget(self.pages, 1)

    def _section(self, text: str) -> QLabel:
        label = _plain(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 10, 0, 2)
        return label

    # -- data -----------------------------------------------------------------------

    def reload(self) -> None:
        """Show the latest saved evaluation of the open flow file, if there is one."""
        path = self.session.path
        name = self.session.document.flow().name or self.session.display_name
        self.title.setText(f"Evaluate — {name}")
        if path is not None and not self.dataset.text():
            for name in ("dataset.jsonl", "cases.jsonl"):
                if (path.parent / name).exists():
                    self.dataset.setText(str(path.parent / name))
                    break
        from runtime.api import stored_results

        found = stored_results(self.home(), path) if path is not None else []
        if found:
            self.show_result(found[-1])
            self.status.setText(f"Latest evaluation of {path}: "
                                f"{figures.when(found[-1].get('generated_at'))}"
                                f" on {found[-1]['dataset']['cases']} cases")
        else:
            self.show_result(None)
            self.status.setText("")

    def _show_empty(self) -> None:
        """No evaluation yet: what one is, and the two steps that make one."""
        if self.session.path is None:
            self.empty.show_state(
                "Save the flow to evaluate it",
                "An evaluation runs the saved flow file on labelled cases. Save the flow "
                "(File ▸ Save), then come back here.")
            return
        chosen = Path(self.dataset.text().strip()).name if self.dataset.text().strip() else ""
        has_ai = any(n.kind == "ai" for n in self.session.document.flow().nodes)
        what = ("An evaluation runs labelled cases — a .jsonl file in which each case "
                "carries the answer each AI step should give — through the saved flow, and "
                "measures each AI step: how often it is right, which confidence it may act "
                "alone at, and whether its confidence can be trusted." if has_ai else
                "This flow has no AI step, so an evaluation checks its end-to-end results: "
                "give each case of a .jsonl file its expected_outcome (and, if you like, "
                "its expected_record).")
        self.empty.show_state(
            "No evaluation of this flow yet",
            f"{what} Nothing is sent anywhere.\n\n"
            f"1. Choose a dataset ({'chosen: ' + chosen if chosen else 'none chosen yet'}).\n"
            "2. Run the evaluation. It runs in the background; Stop keeps the finished "
            "cases, and running again continues where it stopped.",
            [("Choose dataset…", self._browse), ("Run evaluation", self.run_evaluation)])

    def show_result(self, result: dict[str, Any] | None) -> None:
        self.result = result
        self.node_box.blockSignals(True)
        self.node_box.clear()
        for node in (result or {}).get("nodes", []):
            self.node_box.addItem(node["node"], node["node"])
        self.node_box.blockSignals(False)
        e2e = figures.end_to_end_summary(result["end_to_end"]) if result else []
        _fill_form(self.e2e_form, e2e)
        self.e2e_heading.setVisible(bool(e2e))
        has_nodes = bool((result or {}).get("nodes"))
        for part in (self.node_panel, self.curve, self.reliability, self.matrix_box):
            part.setVisible(has_nodes)
        self.no_steps.setVisible(result is not None and not has_nodes)
        self.pages.setCurrentIndex(1 if result else 0)
        if not result:
            self._show_empty()
        self._show_node()

    def node_result(self) -> dict[str, Any] | None:
        key = self.node_box.currentData()
        return next((n for n in (self.result or {}).get("nodes", []) if n["node"] == key),
                    None)

    def _show_node(self, *_: object) -> None:
        node = self.node_result()
        _fill_form(self.node_form, figures.node_summary(node) if node else [])
        self.curve.set_series(figures.risk_coverage_series(node) if node else [],
                              figures.act_band_point(node) if node else None)
        self.reliability.set_series(figures.reliability_series(node) if node else [])
        self._fill_confusion(node)
        self._recommend()

    def _fill_confusion(self, node: dict[str, Any] | None) -> None:
        table = self.confusion
        table.clear()
        if node is None:
            table.setRowCount(0)
            table.setColumnCount(0)
            return
        data = node["confusion"]
        table.setRowCount(len(data["options"]))
        table.setColumnCount(len(data["answers"]))
        table.setVerticalHeaderLabels(data["options"])
        table.setHorizontalHeaderLabels(data["answers"])
        top = max([v for row in data["matrix"] for v in row] or [1]) or 1
        for r, row in enumerate(data["matrix"]):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if value:
                    color = theme.color(theme.SUCCESS if r == c else theme.DANGER)
                    color.setAlpha(40 + int(160 * value / top))
                    item.setBackground(color)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        height = table.horizontalHeader().height() + 4 + sum(
            table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(max(120, height))

    # -- recommendation ---------------------------------------------------------------

    def recommended_band(self) -> float | None:
        node = self.node_result()
        if node is None or self.result is None:
            return None
        from runtime.api import recommend_act_band

        return recommend_act_band(self.result, node["node"], self.target.value()).threshold

    def _recommend(self, *_: object) -> None:
        node = self.node_result()
        if node is None or self.result is None:
            self.recommendation.setText("")
            self.apply_button.setEnabled(False)
            return
        from runtime.api import recommend_act_band

        rec = recommend_act_band(self.result, node["node"], self.target.value())
        if rec.threshold is None or rec.point is None:
            text = (f"No act band reaches {rec.target:.0%} precision on these "
                    f"{rec.cases} cases: keep people deciding this step.")
        else:
            text = (f"Act alone at confidence ≥ {rec.threshold:.2f}: {rec.point.acting} of "
                    f"{rec.cases} cases would act alone ({figures.pct(rec.point.coverage)}), "
                    f"{figures.pct(rec.point.precision)} of them right.")
        if rec.warning:
            text += f"\nCaution: {rec.warning}."
        self.recommendation.setText(text)
        current = self._document_band(node["node"])
        self.apply_button.setVisible(rec.threshold is not None)  # nothing to apply: no button
        self.apply_button.setEnabled(rec.threshold is not None and current is not None
                                     and round(current, 4) != round(rec.threshold, 4))
        if rec.threshold is not None:
            self.apply_button.setText(f"Apply act band {rec.threshold:.2f} to {node['node']}")

    def _document_band(self, node_id: str) -> float | None:
        doc = self.session.document
        if not doc.has_node(node_id):
            return None
        node = doc.node(node_id)
        return node.guardrails.bands.act if isinstance(node, ClassifyNode) else None

    def apply_recommendation(self) -> None:
        """Set the node's act band to the recommendation: one undoable edit."""
        node = self.node_result()
        band = self.recommended_band()
        if node is None or band is None or self._document_band(node["node"]) is None:
            return
        current = self.session.document.node(node["node"])
        rails = current.guardrails.model_dump(by_alias=True)  # type: ignore[union-attr]
        rails["bands"]["act"] = round(band, 4)
        rails["bands"]["suggest"] = min(rails["bands"]["suggest"], rails["bands"]["act"])
        try:
            self.session.editor.set_node_properties(node["node"], {"guardrails": rails})
        except JunctionError as error:  # pragma: no cover - the bands are validated above
            self.status.setText(str(error))
            return
        self.status.setText(f"Act band of {node['node']} set to {band:.2f} "
                            "(Edit ▸ Undo puts it back; save to keep it).")
        self._recommend()

    # -- running ----------------------------------------------------------------------

    def _browse(self) -> None:
        start = str(self.session.path.parent) if self.session.path else ""
        chosen, _ = QFileDialog.getOpenFileName(self, "Labelled dataset", start,
                                                "JSON lines (*.jsonl)")
        if chosen:
            self.dataset.setText(chosen)

    def run_evaluation(self) -> None:
        path = self.session.path
        if path is None:
            self.status.setText("Save the flow to a file first: the evaluation runs the "
                                "saved file.")
            return
        dataset = Path(self.dataset.text().strip())
        if not dataset.is_file():
            self.status.setText(f"No dataset at {dataset}: choose a .jsonl file of "
                                "labelled cases.")
            return
        try:
            loaded = load_flow(path)
        except JunctionError as error:
            self.status.setText(f"The saved flow cannot be evaluated: {error}")
            return
        from runtime.api import evaluate_flow

        worker = Worker(evaluate_flow, self.home(), loaded, dataset,
                        model=self.model.text().strip() or None)
        worker.yielded.connect(self._progress)
        worker.returned.connect(self._finished)
        worker.errored.connect(self._failed)
        worker.finished.connect(self._idle)
        self.worker = worker
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(f"Evaluating {path.name} on {dataset.name}…")
        worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.quit()
            self.status.setText("Stopping after the current case; finished cases are kept.")

    def _progress(self, value: object) -> None:
        done, total = value if isinstance(value, tuple) else (0, 0)
        self.progress.setRange(0, int(total))
        self.progress.setValue(int(done))

    def _finished(self, result: object) -> None:
        if result is None:  # stopped: the finished cases stay in the evaluation's batch
            self.status.setText("Stopped. The cases that finished are kept: run the "
                                "evaluation again to continue where it stopped.")
            return
        self.show_result(result)  # type: ignore[arg-type]
        r: dict[str, Any] = result  # type: ignore[assignment]
        self.status.setText(f"Evaluated {r['dataset']['cases']} cases at "
                            f"{figures.when(r.get('generated_at'))}; saved in the workspace.")

    def _failed(self, error: object) -> None:
        self.status.setText(f"The evaluation stopped: {error}")

    def _idle(self) -> None:
        self.worker = None
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.progress.hide()


def _fill_form(form: QFormLayout, rows: list[tuple[str, str]]) -> None:
    while form.rowCount():
        form.removeRow(0)
    for what, value in rows:
        form.addRow(_plain(what), _plain(value))
