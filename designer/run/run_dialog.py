"""`RunDialog`: what to run the open flow on, at which autonomy stage, with which model.

A case comes from one of four places, one tab each: a sample case (the flow's
`cases.jsonl` beside it), pasted JSON, a form generated from the case fields, or a whole
case file (a batch). The autonomy stage is the choice a trainer talks about, so it is three
large buttons, not a list; it and the model override are stored on the run exactly as
`junction run --autonomy/--model` would store them. The model list offers only what the
flow names. The dialog says plainly when the run will use edits that are not saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.run.case_form import CaseForm, GuardedCombo
from runtime.api import Flow, InputError, case_problems, read_case, read_cases

TABS = ("sample", "json", "form", "batch")


@dataclass(frozen=True)
class RunChoice:
    """What the person asked for: one case, or a list of cases from a file (a batch)."""

    autonomy: str
    model: str | None
    case: dict[str, Any] | None = None
    cases: list[dict[str, Any]] | None = None
    cases_path: Path | None = None


def models_named(flow: Flow) -> list[str]:
    """Every model the flow itself names (default, per step, embeddings): the only
    overrides worth offering — the dialog never invents a model."""
    named = [flow.default_model, *(getattr(n, "model", None) for n in flow.nodes)]
    return list(dict.fromkeys(m for m in named if m))


def unsaved_note(text: str, path: Path | None) -> str:
    """What the person should know about the text the run will use, or ''."""
    if path is None:
        return "This flow is not saved yet: the run uses the flow as it is on screen."
    try:
        on_disk = path.read_text(encoding="utf-8")
    except OSError:
        return f"{path.name} is not on disk: the run uses the flow as it is on screen."
    if on_disk != text:
        return (f"Unsaved edits: the run uses the flow as it is on screen, which differs "
                f"from {path.name} on disk. The run keeps a copy of exactly this text.")
    return ""


class StageChooser(QWidget):
    """Observe / Co-pilot / Operate as three large buttons, with what the chosen one means."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        for stage, (text, color, _) in theme.AUTONOMY.items():
            button = QToolButton()
            button.setObjectName(f"run_stage_{stage}")
            button.setText(text)
            button.setCheckable(True)
            button.setMinimumSize(150, 46)
            button.setStyleSheet(
                f"QToolButton {{ font-size: 15pt; font-weight: bold; color: {theme.INK_SOFT};"
                f" background: white; border: 2px solid {theme.LINE}; border-radius: 10px; }}"
                f"QToolButton:checked {{ color: white; background: {color};"
                f" border-color: {color}; }}")
            button.clicked.connect(self._explain)
            self.group.addButton(button)
            self.buttons[stage] = button
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        self.meaning = QLabel()
        self.meaning.setTextFormat(Qt.TextFormat.PlainText)
        self.meaning.setStyleSheet(f"color: {theme.INK_SOFT};")
        column.addWidget(self.meaning)
        self.buttons.get(current, self.buttons["copilot"]).setChecked(True)
        self._explain()

    def stage(self) -> str:
        return next(s for s, b in self.buttons.items() if b.isChecked())

    def _explain(self) -> None:
        text, _, meaning = theme.AUTONOMY[self.stage()]
        self.meaning.setText(f"{text}: {meaning}.")


class RunDialog(QDialog):
    def __init__(self, flow: Flow, text: str, path: Path | None,
                 parent: QWidget | None = None, batch: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("runDialog")
        self.setWindowTitle(f"Run “{flow.name}”")
        self.resize(760, 640)
        self.flow = flow
        self.choice: RunChoice | None = None
        layout = QVBoxLayout(self)
        heading = QLabel(f"Run “{flow.name}”")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        layout.addWidget(heading)
        note = unsaved_note(text, path)
        self.note = QLabel(note)
        self.note.setObjectName("unsavedNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #FFFAEB; color: #93370D; border: 1px solid "
                                "#FEC84B; border-radius: 6px; padding: 6px 8px;")
        self.note.setVisible(bool(note))
        layout.addWidget(self.note)
        layout.addWidget(_caption("AUTONOMY STAGE OF THIS RUN"))
        self.stages = StageChooser(flow.autonomy.value)
        layout.addWidget(self.stages)
        layout.addWidget(_caption("MODEL"))
        self.model = GuardedCombo()
        self.model.setObjectName("runModel")
        self.model.addItem("As the flow says (each step's own model)", None)
        for ref in models_named(flow):
            self.model.addItem(f"{ref} for every AI step", ref)
        layout.addWidget(self.model)
        layout.addWidget(_caption("RUN ON"))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("caseTabs")
        layout.addWidget(self.tabs, 1)
        self._sample_tab(path)
        self._json_tab()
        self._form_tab()
        self._batch_tab(path)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.run_button = self.buttons.addButton("Run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("runButton")
        self.run_button.setDefault(True)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.show_tab("batch" if batch else "sample" if self.samples_list.count() else "form")

    # -- tabs ---------------------------------------------------------------------------

    def _sample_tab(self, path: Path | None) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        self.samples: list[dict[str, Any]] = []
        self.samples_list = QListWidget()
        self.samples_list.setObjectName("sampleCases")
        self.samples_note = _plain("")
        file = path.parent / "cases.jsonl" if path else None
        if file is not None and file.exists():
            try:
                self.samples = read_cases(file)
                self.samples_note.setText(f"{len(self.samples)} sample cases from {file.name}")
            except InputError as error:
                self.samples_note.setText(str(error))
        else:
            self.samples_note.setText("This flow has no cases.jsonl beside it: paste a case "
                                      "or fill the form.")
        for case in self.samples:
            item = QListWidgetItem(f"{case['id']} — {_preview(case)}")
            self.samples_list.addItem(item)
        if self.samples:
            self.samples_list.setCurrentRow(0)
        self.samples_list.currentRowChanged.connect(self._sample_chosen)
        self.samples_list.itemDoubleClicked.connect(lambda _: self._accept())
        column.addWidget(self.samples_note)
        column.addWidget(self.samples_list)
        self.tabs.addTab(page, "Sample case")

    def _json_tab(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(_plain("Paste one case as a JSON object with an \"id\"."))
        self.json_text = QPlainTextEdit()
        self.json_text.setObjectName("caseJson")
        self.json_text.setFont(theme.font(9.5))
        if self.samples:
            self.json_text.setPlainText(json.dumps(self.samples[0], indent=2,
                                                   ensure_ascii=False))
        column.addWidget(self.json_text)
        self.json_error = _error_label("caseJsonError")
        column.addWidget(self.json_error)
        self.tabs.addTab(page, "Paste JSON")

    def _form_tab(self) -> None:
        self.form = CaseForm(self.flow)
        if self.samples:
            self.form.fill(self.samples[0])
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.tabs.addTab(scroll, "Fill a form")

    def _batch_tab(self, path: Path | None) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(_plain("Run every case of a JSON-lines file (one case per line) as "
                                "one batch. You can cancel it; cases not started are left "
                                "alone."))
        row = QHBoxLayout()
        self.batch_path = QLineEdit()
        self.batch_path.setObjectName("batchPath")
        if path is not None and (path.parent / "cases.jsonl").exists():
            self.batch_path.setText(str(path.parent / "cases.jsonl"))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.batch_path, 1)
        row.addWidget(browse)
        column.addLayout(row)
        self.batch_error = _error_label("batchError")
        column.addWidget(self.batch_error)
        column.addStretch(1)
        self.tabs.addTab(page, "Case file (batch)")

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))
        self._tab_changed(self.tabs.currentIndex())

    def _tab_changed(self, index: int) -> None:
        self.run_button.setText("Run batch" if TABS[index] == "batch" else "Run")

    def _sample_chosen(self, row: int) -> None:
        if 0 <= row < len(self.samples):
            case = self.samples[row]
            self.json_text.setPlainText(json.dumps(case, indent=2, ensure_ascii=False))
            self.form.fill(case)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Cases to run", self.batch_path.text(),
                                              "Cases (*.jsonl);;All files (*)")
        if name:
            self.batch_path.setText(name)

    # -- reading the choice ---------------------------------------------------------------

    def _accept(self) -> None:
        choice = self.read_choice()
        if choice is not None:
            self.choice = choice
            self.accept()

    def read_choice(self) -> RunChoice | None:
        """The choice, or None after showing what is wrong where it is wrong."""
        stage, model = self.stages.stage(), self.model.currentData()
        tab = TABS[self.tabs.currentIndex()]
        if tab == "batch":
            text = self.batch_path.text().strip()
            try:
                cases = read_cases(Path(text)) if text else None
            except InputError as error:
                self.batch_error.setText(str(error))
                return None
            if cases is None:
                self.batch_error.setText("Choose a cases file (.jsonl).")
                return None
            return RunChoice(stage, model, cases=cases, cases_path=Path(text))
        case: dict[str, Any] | None
        if tab == "sample":
            row = self.samples_list.currentRow()
            case = self.samples[row] if 0 <= row < len(self.samples) else None
            if case is None:
                return None
        elif tab == "json":
            try:
                case = read_case(self.json_text.toPlainText() or "{}")
            except InputError as error:
                self.json_error.setText(str(error).replace("--case", "The pasted case"))
                return None
            problems = case_problems(self.flow, case)
            if problems:
                self.json_error.setText("\n".join(f"{name}: {why}"
                                                   for name, why in problems.items()))
                return None
            self.json_error.setText("")
        else:
            case = self.form.case()
            if case is None:
                return None
        return RunChoice(stage, model, case=case)


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {theme.INK_FAINT}; font-size: 7.5pt; font-weight: bold;"
                        " letter-spacing: 1px; margin-top: 6px;")
    return label


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _error_label(name: str) -> QLabel:
    label = _plain("")
    label.setObjectName(name)
    label.setStyleSheet(f"color: {theme.DANGER}; font-weight: bold;")
    return label


def _preview(case: dict[str, Any]) -> str:
    """The case's first text values, for picking it out of a list."""
    words = [str(v) for k, v in case.items() if k != "id" and isinstance(v, str)]
    text = " · ".join(words)
    return text if len(text) <= 110 else text[:107] + "…"
