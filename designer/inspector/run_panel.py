"""`RunPanel`: one run — its summary, its step timeline and the chosen step's details.

The audit rows are one click away (Audit trail…), and the run can be exported as one
self-contained HTML page or as JSON. The panel reads the run from the store each time it
is shown or the store moves on, so a running run fills in while it is being watched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.inspector.audit_dialog import AuditDialog
from designer.inspector.format import duration, inline, local_time
from designer.inspector.step_detail import StepDetail, kind_words, text_label
from runtime.api import (
    RunReport,
    RunStore,
    StepFacts,
    export_html,
    export_json,
    load_report,
    parse_flow,
    step_facts,
)

#: Asks where to save an export: (suggested path, "html" | "json") → path or None.
AskPath = Callable[[QWidget, Path, str], Path | None]
FILTERS = {"html": "Web page (*.html)", "json": "JSON (*.json)"}


def ask_with_dialog(parent: QWidget, suggested: Path, kind: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, f"Export the run as {kind.upper()}",
                                          str(suggested), FILTERS[kind])
    return Path(name) if name else None


class RunPanel(QWidget):
    exported = Signal(Path)

    def __init__(self, ask_path: AskPath = ask_with_dialog,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ask_path = ask_path
        self.store: RunStore | None = None
        self.report: RunReport | None = None
        self.titles: dict[str, str] = {}
        self.summary = text_label("Choose a run in the list above.")
        self.summary.setStyleSheet("font-size: 11pt;")
        self.reason = text_label("")
        self.reason.hide()
        self.audit_button = QPushButton("Audit trail…")
        self.html_button = QPushButton("Export HTML…")
        self.json_button = QPushButton("Export JSON…")
        self.audit_button.clicked.connect(self.open_audit)
        self.html_button.clicked.connect(lambda: self._export_asked("html"))
        self.json_button.clicked.connect(lambda: self._export_asked("json"))
        self.timeline = QListWidget()
        self.timeline.setMinimumWidth(240)
        self.timeline.setWordWrap(True)
        self.timeline.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline.currentRowChanged.connect(self._step_chosen)
        self.detail = StepDetail()
        self._build()
        self._enable(False)

    def _build(self) -> None:
        top = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.summary)
        texts.addWidget(self.reason)
        top.addLayout(texts, 1)
        for button in (self.audit_button, self.html_button, self.json_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.timeline)
        split.addWidget(self.detail)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 860])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def _enable(self, on: bool) -> None:
        for button in (self.audit_button, self.html_button, self.json_button):
            button.setEnabled(on)

    # -- showing a run -----------------------------------------------------------------

    def show_run(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.report = load_report(store, run_id)
        self.titles = _titles(store, self.report.run.flow_sha)
        run = self.report.run
        status = run.status.value + (f" — outcome {run.outcome}" if run.outcome else "")
        took = duration(run.started_at, run.finished_at)
        stage = run.autonomy or "the flow's own stage"
        model = run.model_override or "the flow's own models"
        self.summary.setText(
            f"Case {inline(run.case_id, 60)} · {inline(run.flow_name, 60)} · {status}\n"
            f"Started {local_time(run.started_at or run.created_at)}"
            f"{' · took ' + took if took else ''} · stage: {stage} · model: {model}")
        why = run.blocked_reason or run.error
        self.reason.setText(f"{'Waiting' if run.blocked_reason else 'Failed'}: {inline(why, 300)}"
                            if why else "")
        self.reason.setStyleSheet(f"color: {theme.DANGER if run.error else '#B54708'};")
        self.reason.setVisible(bool(why))
        self.audit_button.setText(f"Audit trail ({len(self.report.audit)})…")
        self._enable(True)
        self._fill_timeline()

    def reload(self) -> None:
        """Read the shown run again (it may have moved on), keeping the chosen step."""
        if self.store is None or self.report is None:
            return
        row = self.timeline.currentRow()
        self.show_run(self.store, self.report.run.id)
        if 0 <= row < self.timeline.count():
            self.timeline.setCurrentRow(row)

    def clear(self) -> None:
        self.report = None
        self.summary.setText("Choose a run in the list above.")
        self.reason.hide()
        self.timeline.clear()
        self.detail.show_nothing()
        self._enable(False)

    def _fill_timeline(self) -> None:
        assert self.report is not None
        self.timeline.blockSignals(True)
        self.timeline.clear()
        for step in self.report.steps:
            hits = sum(1 for v in step.verdicts or [] if isinstance(v, dict)
                       and v.get("outcome") in ("drop", "block", "hold"))
            text = f"{step.seq}. {self.titles.get(step.node_id, step.node_id)}"
            note = _step_note(step.output, step.decision)
            line2 = kind_words(step.kind) + (f" · {note}" if note else "")
            if hits:
                line2 = f"⚠ {hits} guardrail hit{'s' * (hits != 1)} · {line2}"
            if step.status not in ("done",):
                line2 += f" · {step.status}"
            item = QListWidgetItem(f"{text}\n   {line2}")
            if step.status == "failed" or step.error:
                item.setForeground(QBrush(theme.color(theme.DANGER)))
            elif hits or step.status == "blocked":
                item.setForeground(QBrush(theme.color("#B54708")))
            self.timeline.addItem(item)
        self.timeline.blockSignals(False)
        if self.report.steps:
            self.timeline.setCurrentRow(0)  # currentRowChanged shows its details
        else:
            self.detail.show_nothing("This run has no steps yet.")

    def _step_chosen(self, row: int) -> None:
        if self.report is None or not 0 <= row < len(self.report.steps):
            return
        step = self.report.steps[row]
        self.detail.show_step(self.step_facts(row),
                              self.titles.get(step.node_id, step.node_id))

    def step_facts(self, row: int) -> StepFacts:
        assert self.report is not None
        return step_facts(self.report.steps[row], tasks=self.report.tasks,
                          audit=self.report.audit)

    def choose_step(self, node_id: str) -> int:
        """Select the first step at `node_id`; its row."""
        assert self.report is not None
        row = next(i for i, s in enumerate(self.report.steps) if s.node_id == node_id)
        self.timeline.setCurrentRow(row)
        return row

    # -- audit and export ----------------------------------------------------------------

    def open_audit(self) -> AuditDialog | None:
        if self.report is None or self.store is None:
            return None
        rows = self.store.audit_rows(run_id=self.report.run.id)
        dialog = AuditDialog(self.report.run.id, rows, self)
        dialog.show()
        return dialog

    def _export_asked(self, kind: str) -> None:
        if self.report is None:
            return
        suggested = Path.home() / f"run-{self.report.run.id}.{kind}"
        path = self._ask_path(self, suggested, kind)
        if path is not None:
            self.export_to(path, kind)

    def export_to(self, path: Path, kind: str) -> Path:
        assert self.report is not None and self.store is not None
        report = load_report(self.store, self.report.run.id)  # what the store has now
        text = export_html(report) if kind == "html" else export_json(report)
        path.write_text(text, encoding="utf-8")
        self.exported.emit(path)
        return path


def _titles(store: RunStore, sha: str) -> dict[str, str]:
    """Step titles from the flow text the run was pinned to (ids if it cannot be read)."""
    try:
        flow = parse_flow(store.flow_text(sha)).flow
    except Exception:  # a missing or unreadable snapshot must not stop the inspector
        return {}
    return {node.id: node.label() for node in flow.nodes}


def _step_note(output: object, decision: object) -> str:
    """A few words for the timeline: the label chosen, the branch taken, what was done."""
    out = output if isinstance(output, dict) else {}
    if "label" in out and isinstance(out.get("confidence"), (int, float)):
        return f"{inline(out['label'], 30)} ({out['confidence']:.0%})"
    if "branch" in out:
        return f"→ {inline(out['branch'], 30)}"
    dec = decision if isinstance(decision, dict) else {}
    action = dec.get("action") or (dec.get("handoff") and "held for a person")
    return inline(action, 40) if action else ""
