"""`DashboardView`: containment, escalation, override and agreement of the open flow's runs,
per autonomy stage side by side, filterable by date and stage.

The figures are `junction metrics` (runtime.api.metrics_for), computed in a worker. The
view refreshes itself every few seconds while it is shown, so runs landing from the
command line or another window appear without a click; a refresh never runs twice at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.app.session import FlowSession
from designer.charts import BarChart, EmptyState
from designer.guards import guard_wheel
from designer.workers.bridge import Worker
from runtime.api import JunctionError, load_flow, metrics_for

STAGES = (("", "All stages"), ("observe", "Observe"), ("copilot", "Co-pilot"),
          ("operate", "Operate"))
REFRESH_MS = 5000


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _seconds(value: float | None) -> str:
    """A duration in the unit a person reads it in: seconds, minutes, hours or days."""
    if value is None:
        return "n/a"
    for unit, size in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.1f} s"


def table_rows(stages: dict[str, dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(figure, one text per stage): the table under the charts."""
    def pairs(counts: dict[str, int]) -> str:
        return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none"

    get = [
        ("Runs", lambda m: str(m["runs"])),
        ("Containment", lambda m: _pct(m["containment"])),
        ("Escalation", lambda m: _pct(m["escalation"])),
        ("Human override rate", lambda m: _pct(m["human_override_rate"])),
        ("Low-confidence rate", lambda m: _pct(m["low_confidence_rate"])),
        ("Time to resolution (median)", lambda m: _seconds(m["time_to_resolution_s"]["median"])),
        ("Time to resolution (p90)", lambda m: _seconds(m["time_to_resolution_s"]["p90"])),
        ("Runs by status", lambda m: pairs(m["runs_by_status"])),
        ("Outcomes", lambda m: pairs(m["resolution_by_outcome"])),
        ("Guardrail hits", lambda m: pairs(m["guardrail_hits"])),
        ("AI–human agreement", lambda m: ", ".join(
            f"{k}: {_pct(v['agreement'])} of {v['decided']}"
            for k, v in m["agreement_by_node"].items()) or "none decided by people"),
    ]
    return [(name, [fn(m) for m in stages.values()]) for name, fn in get]


def _stage_title(key: str) -> str:
    """The stage as the rest of the designer names it (Observe, Co-pilot, Operate)."""
    return theme.AUTONOMY.get(key, (key,))[0]


class DashboardView(QWidget):
    def __init__(self, session: FlowSession, home: Callable[[], Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardView")
        self.session, self.home = session, home
        self.stages: dict[str, dict[str, Any]] = {}
        self.worker: Worker | None = None
        self._pending = False
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        # only while shown: opening a flow must not open (or create) the workspace
        self.session.path_changed.connect(lambda: self.refresh() if self.isVisible() else None)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        self.title = QLabel("Metrics")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title.setFont(font)
        bar.addWidget(self.title, 1)
        bar.addWidget(QLabel("Stage"))
        self.stage_box = QComboBox()
        for key, text in STAGES:
            self.stage_box.addItem(text, key)
        guard_wheel(self.stage_box)
        self.stage_box.currentIndexChanged.connect(self.refresh)
        bar.addWidget(self.stage_box)
        self.since_on = QCheckBox("Since")
        self.since_on.toggled.connect(self._since_toggled)
        bar.addWidget(self.since_on)
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setEnabled(False)
        guard_wheel(self.since)
        self.since.dateChanged.connect(self.refresh)
        bar.addWidget(self.since)
        outer.addLayout(bar)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet(f"color: {theme.INK_SOFT}")
        outer.addWidget(self.status)
        self.empty = EmptyState()
        content = QWidget()
        holder = QVBoxLayout(content)
        holder.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(content)
        outer.addWidget(self.pages, 1)
        charts = QGridLayout()
        self.rates = BarChart("Contained, escalated, overridden", y_label="share of runs")
        self.rates.empty_text = "No runs of this flow yet"
        self.volume = BarChart("Runs by status", percent=False, y_label="runs")
        self.volume.empty_text = "No runs of this flow yet"
        self.agreement = BarChart("AI–human agreement by step",
                                  y_label="decisions agreeing with the AI")
        self.agreement.empty_text = "No step decided by a person yet"
        charts.addWidget(self.rates, 0, 0)
        charts.addWidget(self.volume, 0, 1)
        charts.addWidget(self.agreement, 0, 2)
        holder.addLayout(charts, 3)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(True)
        holder.addWidget(self.table, 2)

    def _since_toggled(self, on: bool) -> None:
        self.since.setEnabled(on)
        self.refresh()

    # -- filters ------------------------------------------------------------------------

    def stage_filter(self) -> str | None:
        return self.stage_box.currentData() or None

    def since_filter(self) -> str | None:
        return self.since.date().toString("yyyy-MM-dd") if self.since_on.isChecked() else None

    # -- refreshing -----------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.timer.start()
        self.refresh()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def refresh(self, *_: object) -> None:
        """Recompute the metrics in a worker (once more afterwards if asked meanwhile)."""
        path = self.session.path
        name = self.session.document.flow().name or self.session.display_name
        self.title.setText(f"Metrics — {name}")
        if path is None:
            self.show_metrics({})
            return
        if self.worker is not None:
            self._pending = True
            return
        try:
            loaded = load_flow(path)
        except JunctionError as error:
            self.status.setText(f"The saved flow cannot be read: {error}")
            return
        worker = Worker(metrics_for, self.home(), loaded, since=self.since_filter(),
                        stage=self.stage_filter())
        worker.returned.connect(self.show_metrics)
        worker.errored.connect(lambda e: self.status.setText(f"Metrics failed: {e}"))
        worker.finished.connect(self._idle)
        self.worker = worker
        worker.start()

    def _idle(self) -> None:
        self.worker = None
        if self._pending:
            self._pending = False
            self.refresh()

    def has_ai_steps(self) -> bool:
        return any(n.kind == "ai" for n in self.session.document.flow().nodes)

    def _show_empty(self) -> None:
        """No runs to count: why, and what fills the dashboard."""
        self.status.setText("")
        self.pages.setCurrentIndex(0)
        if self.session.path is None:
            self.empty.show_state("Save the flow to see its metrics",
                                  "The dashboard counts the runs of a saved flow file. "
                                  "Save the flow (File ▸ Save), run some cases, then come "
                                  "back here.")
            return
        chosen = [text for text in (
            self.stage_box.currentText() if self.stage_filter() else "",
            f"since {self.since_filter()}" if self.since_filter() else "") if text]
        if chosen:
            self.empty.show_state(
                f"No runs match: {', '.join(chosen)}",
                "Choose All stages, or an earlier date, to see the runs of this flow.")
            return
        self.empty.show_state(
            "No runs of this flow yet",
            "The dashboard counts the runs of this flow file, per autonomy stage: "
            "how many completed without a person, how many went to a person, how often "
            "people overrode the AI, and how long runs took. It refreshes every "
            f"{REFRESH_MS // 1000} s while shown, so runs appear as they land.\n\n"
            "Run cases with Run ▸ Run on a Case… (F5) or Run on a Case File… (Shift+F5), "
            "or from the command line: junction batch FLOW --cases FILE.jsonl. Evaluation "
            "runs are not counted.")

    def show_metrics(self, stages: object) -> None:
        self.stages = dict(stages or {})  # type: ignore[call-overload]
        if not self.stages:
            self._show_empty()
        else:
            self.pages.setCurrentIndex(1)
        m = self.stages
        keys = list(m)
        names = [_stage_title(k) for k in keys]
        rates = [("contained", [m[s]["containment"] for s in keys]),
                 ("escalated", [m[s]["escalation"] for s in keys])]
        if self.has_ai_steps():  # a flow without AI steps has nothing to override
            rates.append(("overridden", [m[s]["human_override_rate"] for s in keys]))
        self.rates.title = ("Contained, escalated, overridden" if self.has_ai_steps()
                            else "Contained and escalated")
        self.rates.set_bars(names, rates)
        statuses = sorted({k for s in keys for k in m[s]["runs_by_status"]})
        self.volume.set_bars(names, [(status, [float(m[s]["runs_by_status"].get(status, 0))
                                               for s in keys]) for status in statuses])
        # a flow without AI steps has nothing to agree with or override
        self.agreement.setVisible(self.has_ai_steps())
        nodes = sorted({k for s in keys for k in m[s]["agreement_by_node"]})
        self.agreement.set_bars(nodes, [(_stage_title(s), [m[s]["agreement_by_node"].get(
            n, {}).get("agreement") for n in nodes]) for s in keys])
        rows = table_rows(self.stages)
        self.table.clear()
        self.table.setColumnCount(len(names))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(names)
        self.table.setVerticalHeaderLabels([name for name, _ in rows])
        for r, (_name, values) in enumerate(rows):
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        total = sum(s["runs"] for s in self.stages.values())
        if self.session.path is not None and self.stages:
            self.status.setText(f"{total} runs of this flow ({self.session.path.name})"
                                + (f" since {self.since_filter()}" if self.since_filter()
                                   else "")
                                + "; evaluation runs are not counted. Refreshes every "
                                f"{REFRESH_MS // 1000} s."
                                + ("" if self.has_ai_steps() else " This flow has no AI "
                                   "step: overrides, agreement and low confidence do not "
                                   "apply."))
