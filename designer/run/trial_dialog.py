"""`TrialDialog`: "Try one step" — the selected AI step, alone, on one case.

The analyst's tuning loop: pick a sample case (or type one), press Try, read the prompt
that was sent, the model's answer, the probabilities and what each guardrail said — then
change an option or a band and try again. Nothing is started or written: the runtime's
`try_step` takes no store. Every model text is shown as plain text.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.run.case_form import GuardedCombo
from designer.run.jobs import RunSettings, trial
from designer.run.run_dialog import models_named
from designer.workers.bridge import Worker
from runtime.api import Flow, InputError, TrialResult, read_case

VERDICT_INK = {"pass": theme.SUCCESS, "hold": "#B54708", "drop": theme.INK_SOFT,
               "block": theme.DANGER}
VERDICT_WORDS = {"pass": "passed", "hold": "held for a person", "drop": "dropped",
                 "block": "blocked"}


class ProbabilityBars(QWidget):
    """One bar per option, highest first: the chart an analyst reads confidence from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.bars: dict[str, QProgressBar] = {}

    def show_probabilities(self, probabilities: dict[str, float]) -> None:
        for bar_or_label in self.findChildren(QWidget):
            bar_or_label.deleteLater()
        self.bars = {}
        ranked = sorted(probabilities.items(), key=lambda kv: -kv[1])
        for row, (name, value) in enumerate(ranked):
            label = QLabel(name)
            label.setTextFormat(Qt.TextFormat.PlainText)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(round(value * 1000))
            bar.setFormat(f"{value:.1%}")
            bar.setFixedHeight(18)
            color = theme.SELECTION if row == 0 else theme.INK_FAINT
            bar.setStyleSheet(f"QProgressBar {{ border: 1px solid {theme.LINE};"
                              f" border-radius: 4px; background: white; text-align: center; }}"
                              f"QProgressBar::chunk {{ background: {color}; }}")
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(bar, row, 1)
            self.bars[name] = bar


class TrialDialog(QDialog):
    tried = Signal(object)  # TrialResult
    failed = Signal(str)

    def __init__(self, flow: Flow, node_id: str, settings: RunSettings,
                 samples: list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trialDialog")
        title = getattr(flow.node(node_id), "title", "") or node_id
        self.setWindowTitle(f"Try “{title}” on one case")
        self.resize(1100, 720)
        self.flow, self.node_id, self.settings = flow, node_id, settings
        self.samples = samples
        self.worker: Worker | None = None
        self.shown: TrialResult | None = None  # the last result on screen
        layout = QVBoxLayout(self)
        heading = QLabel(f"Try “{title}” on one case")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        layout.addWidget(heading)
        intro = QLabel(f"Runs the step “{title}” alone on the case below and shows what it "
                       "would do. Nothing is started, saved or sent.")
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.sample = GuardedCombo()
        self.sample.setObjectName("trialSample")
        self.sample.addItem("Type a case below", None)
        for case in samples:
            self.sample.addItem(str(case["id"]), case)
        self.sample.currentIndexChanged.connect(self._sample_chosen)
        self.stage = GuardedCombo()
        for stage, (text, _, _) in theme.AUTONOMY.items():
            self.stage.addItem(text, stage)
        self.stage.setCurrentIndex(max(0, self.stage.findData(
            settings.autonomy or flow.autonomy.value)))
        self.model = GuardedCombo()
        self.model.addItem("As the flow says", None)
        for ref in models_named(flow):
            self.model.addItem(ref, ref)
        self.model.setCurrentIndex(max(0, self.model.findData(settings.model)))
        self.try_button = QPushButton("Try this step")
        self.try_button.setObjectName("tryButton")
        self.try_button.setDefault(True)
        self.try_button.clicked.connect(self.try_now)
        for label, widget in (("Case", self.sample), ("Stage", self.stage),
                              ("Model", self.model)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.try_button)
        layout.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.addWidget(_heading("Case (JSON)"))
        self.case_text = QPlainTextEdit()
        self.case_text.setObjectName("trialCase")
        left_col.addWidget(self.case_text, 1)
        left_col.addWidget(_heading("Prompt sent to the model"))
        self.prompt = _reader("trialPrompt")
        left_col.addWidget(self.prompt, 2)
        right = QWidget()
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(0, 0, 0, 0)
        self.verdict_line = QLabel()
        self.verdict_line.setObjectName("trialOutcome")
        self.verdict_line.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict_line.setWordWrap(True)
        self.verdict_line.setStyleSheet("font-size: 11pt; font-weight: bold;")
        right_col.addWidget(self.verdict_line)
        right_col.addWidget(_heading("The model's answer"))
        self.answer = _reader("trialAnswer")
        self.answer.setMaximumHeight(90)
        right_col.addWidget(self.answer)
        self.chart_heading = _heading("Confidence")
        right_col.addWidget(self.chart_heading)
        self.confidence = QLabel()
        self.confidence.setTextFormat(Qt.TextFormat.PlainText)
        right_col.addWidget(self.confidence)
        self.bars = ProbabilityBars()
        right_col.addWidget(self.bars)
        right_col.addWidget(_heading("Guardrails"))
        self.verdicts = QTableWidget(0, 4)
        self.verdicts.setObjectName("trialVerdicts")
        self.verdicts.setHorizontalHeaderLabels(["Rule", "Field", "Verdict", "Reason"])
        header = self.verdicts.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.verdicts.setWordWrap(True)
        self.verdicts.verticalHeader().hide()
        self.verdicts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        right_col.addWidget(self.verdicts, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([520, 560])
        layout.addWidget(split, 1)
        self.error = QLabel()
        self.error.setObjectName("trialError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.DANGER}; font-weight: bold;")
        layout.addWidget(self.error)
        if samples:
            self.sample.setCurrentIndex(1)
        self.tried.connect(self._show)
        self.failed.connect(self._fail)

    def _sample_chosen(self, index: int) -> None:
        case = self.sample.itemData(index)
        if case is not None:
            self.case_text.setPlainText(json.dumps(case, indent=2, ensure_ascii=False))

    def try_now(self) -> None:
        if self.worker is not None and self.worker.is_running():
            return
        try:
            case = read_case(self.case_text.toPlainText() or "{}")
        except InputError as error:
            self._fail(str(error).replace("--case", "The case"))
            return
        self.error.setText("")
        self.verdict_line.setText("Asking the model…")
        self.try_button.setEnabled(False)
        settings = RunSettings(self.settings.text, self.settings.path,
                               autonomy=self.stage.currentData(),
                               model=self.model.currentData(), home=self.settings.home)
        self.worker = Worker(trial, settings, self.node_id, case)
        self.worker.returned.connect(self.tried.emit)
        self.worker.errored.connect(lambda error: self.failed.emit(str(error)))
        self.worker.finished.connect(lambda: self.try_button.setEnabled(True))
        self.worker.start()

    def _fail(self, message: str) -> None:
        self.verdict_line.setText("")
        self.error.setText(message)

    def _show(self, result: TrialResult) -> None:
        self.shown = result
        self.prompt.setPlainText("\n\n".join(f"[{m.get('role', '')}]\n{m.get('content', '')}"
                                             for m in result.prompt))
        self.answer.setPlainText(result.answer or str(result.output.get("draft", "")))
        self.verdict_line.setText(_what_a_run_would_do(result))
        confidence = result.output.get("confidence")
        kind = {"measured": "measured", "self_reported": "self-reported by the model",
                "scripted": "scripted"}.get(result.confidence_kind, result.confidence_kind)
        self.confidence.setText(f"Confidence {confidence:.0%} ({kind})"
                                if isinstance(confidence, int | float)
                                else "This step gives no confidence.")
        self.bars.show_probabilities(result.probabilities)
        self.chart_heading.setText("Probabilities" if result.probabilities else "Confidence")
        self.verdicts.setRowCount(len(result.verdicts))
        for row, verdict in enumerate(result.verdicts):
            outcome = str(verdict.get("outcome", ""))
            cells = [verdict.get("rule", ""), verdict.get("field") or "",
                     VERDICT_WORDS.get(outcome, outcome), verdict.get("reason", "")]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                if col == 2:
                    item.setForeground(theme.color(VERDICT_INK.get(outcome, theme.INK)))
                self.verdicts.setItem(row, col, item)
        self.verdicts.resizeRowsToContents()

    def done(self, code: int) -> None:
        if self.worker is not None and self.worker.is_running():
            self.worker.wait()
        super().done(code)


def _what_a_run_would_do(result: TrialResult) -> str:
    label = result.output.get("label")
    head = f"Answer: {label}. " if label else ""
    if result.handoff:
        return f"{head}A run would ask a person: {result.handoff}"
    if result.changes:
        changes = ", ".join(f"{k} = {v}" for k, v in result.changes.items())
        return f"{head}A run would apply {changes} and go on to {result.next_node}."
    return f"{head}A run would go on to {result.next_node}."


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {theme.INK_SOFT}; font-weight: bold; margin-top: 4px;")
    return label


def _reader(name: str) -> QPlainTextEdit:
    """Read-only plain text (QPlainTextEdit never interprets HTML)."""
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setReadOnly(True)
    box.setFont(theme.font(9))
    return box
