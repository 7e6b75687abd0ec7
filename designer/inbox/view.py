"""`InboxView`: the open human tasks across runs, each packet, and deciding from the app.

A decision continues its run in a worker (the window never freezes); then the list and
the badge refresh and `decided` tells the other views (the runs list) which run moved.
A task someone already decided — a second click, `junction decide` in another process —
is reported plainly with who decided what and when, and nothing is changed. On a team
store the decided run goes to the team's workers (designer/inbox/work.py); with none
running, the person chooses where it continues (designer/inbox/handoff.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.inbox.decide_form import DecideForm, Submission
from designer.inbox.handoff import HandOffChoice
from designer.inbox.packet_view import PacketView, plain
from designer.inbox.task_list import TaskLine, TaskList, short_time, task_lines
from designer.inbox.work import Decided, NoWorker, Where, decide_task
from designer.inbox.workspace_link import WorkspaceLink
from designer.workers.bridge import Worker
from runtime.api import (
    ConflictError,
    EditRefused,
    HumanDecision,
    InputError,
    JunctionError,
    TaskForms,
    TaskQuery,
    TaskRow,
)

BANNER_STYLES = {
    "info": (theme.INK, "#EFF8FF", "#B2DDFF"),
    "done": ("#054F31", "#ECFDF3", "#ABEFC6"),
    "conflict": ("#7A2E0E", "#FFFAEB", "#FEC84B"),
    "error": ("#7A271A", "#FEF3F2", "#FECDCA"),
}


def decision_text(decision: dict[str, Any] | None) -> str:
    if not decision:
        return "—"
    action = str(decision.get("action", ""))
    words = {"approve": "approved", "reject": "rejected", "timeout": "timed out"}
    text = words.get(action, action)
    if decision.get("choice") and action in ("choose", "edit"):
        text = f"chose '{decision['choice']}'" if action == "choose" else \
            f"{words.get(decision['choice'], decision['choice'])} with edits"
    values = decision.get("values") or {}
    if values:
        text += " (" + ", ".join(f"{k} = {v}" for k, v in values.items()) + ")"
    return text


def conflict_text(task: TaskRow) -> str:
    return (f"Already decided — nothing was changed. {task.decided_by or 'Someone'} "
            f"{decision_text(task.decision)} at {short_time(task.decided_at)}.")


def build_decision(submission: Submission, values: dict[str, Any]) -> HumanDecision:
    """The decision `junction decide` would make from the same input: approve with edits
    is an edit that approves (see `runtime.cli.tasks.parse_decision`)."""
    if submission.action == "approve" and values:
        return HumanDecision(action="edit", choice="approve", values=values)
    return HumanDecision(action=submission.action, choice=submission.choice)


class InboxView(QWidget):
    decided = Signal(str)              # the id of a run a decision continued
    open_count_changed = Signal(int)   # open tasks in the workspace, after each refresh

    def __init__(self, link: WorkspaceLink, decider: str | Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxView")
        self.link = link
        self._decider = decider
        self._forms: TaskForms | None = None
        self._worker: Worker | None = None
        self._refreshing = False
        self.current: TaskLine | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 8)
        top = QHBoxLayout()
        title = QLabel("Inbox")
        title.setFont(theme.font(15, bold=True))
        self.summary = QLabel()
        self.summary.setObjectName("inboxSummary")
        self.summary.setStyleSheet(f"color: {theme.INK_SOFT};")
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        top.addWidget(refresh)
        outer.addLayout(top)
        self.tasks = TaskList()
        self.tasks.task_selected.connect(self._show)
        self.tasks.filters_changed.connect(self.refresh)
        reading = QWidget()
        packet_column = QVBoxLayout(reading)
        packet_column.setContentsMargins(0, 0, 4, 4)
        self.packet = PacketView()
        packet_column.addWidget(self.packet)
        self.reading = QScrollArea()
        self.reading.setWidgetResizable(True)
        self.reading.setWidget(reading)
        self.reading.setFrameShape(QScrollArea.Shape.NoFrame)
        right = QWidget()  # the banner and the form stay in sight; the packet scrolls
        column = QVBoxLayout(right)
        column.setContentsMargins(4, 0, 0, 0)
        self.banner = plain("", name="inboxBanner")
        self.banner.hide()
        column.addWidget(self.banner)
        self.handoff = HandOffChoice()
        self.handoff.chosen.connect(self._hand_off)
        column.addWidget(self.handoff)
        column.addWidget(self.reading, 1)
        self.form = DecideForm(self.decider)
        self.form.submitted.connect(self.submit)
        column.addWidget(self.form)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tasks)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([600, 660])
        outer.addWidget(splitter, 1)

    def decider(self) -> str:
        """Who decides now (a name, or read from the settings at each decision)."""
        return self._decider if isinstance(self._decider, str) else self._decider()

    @property
    def forms(self) -> TaskForms:
        if self._forms is None:
            self._forms = TaskForms(self.link.workspace.store)
        return self._forms

    # -- reading -----------------------------------------------------------------------

    def refresh(self) -> None:
        store = self.link.workspace.store
        every = task_lines(store, TaskQuery(status="open"))
        self._refreshing = True
        try:
            self.tasks.offer_choices(every)
            lines = task_lines(store, self.tasks.query())
            keep = self.current.task.id if self.current else None
            self.tasks.show_lines(lines, keep)
        finally:
            self._refreshing = False
        shown = len(self.tasks.lines)
        self.summary.setText(f"{len(every)} open task{'s' if len(every) != 1 else ''}"
                             + (f", {shown} shown by the filters" if shown != len(every)
                                else ""))
        self.open_count_changed.emit(len(every))

    def select_task(self, task_id: str) -> bool:
        return self.tasks.select(task_id)

    def _show(self, line: TaskLine | None) -> None:
        changed = (line.task.id if line else None) != (
            self.current.task.id if self.current else None)
        self.current = line
        if changed and not self._refreshing:
            self.say(None)
            self.handoff.withdraw()
        if not changed and self._refreshing:
            return  # the same task stays on screen: keep what the person typed
        self.packet.show_line(line)
        if line is None:
            self.form.set_task([], [], None)
            return
        packet = line.task.packet
        try:
            form = self.forms.form(line.task.id)
        except JunctionError as exc:
            self.say(f"This task's form could not be built: {exc}", "error")
            form = None
        self.form.set_task(line.task.allowed, list(packet.get("options") or []), form)
        self.form.set_busy(self._worker is not None)

    def say(self, text: str | None, kind: str = "info") -> None:
        if not text:
            self.banner.hide()
            return
        ink, background, border = BANNER_STYLES[kind]
        self.banner.setProperty("kind", kind)
        self.banner.setText(text)
        self.banner.setStyleSheet(f"color: {ink}; background: {background}; border: 1px solid"
                                  f" {border}; border-radius: 6px; padding: 8px 10px;"
                                  " font-weight: bold;")
        self.banner.show()

    # -- deciding ----------------------------------------------------------------------

    def submit(self, submission: Submission) -> None:
        line = self.current
        if line is None:
            return
        if self._worker is not None:
            self.say("A decision on this task is already being recorded — this click "
                     "changed nothing.", "conflict")
            return
        store = self.link.workspace.store
        task = store.task(line.task.id)
        if task.status != "open":
            self.say(conflict_text(task), "conflict")
            self.refresh()
            return
        values, problems = self.forms.problems(task.id, submission.texts)
        if submission.action == "approve":
            self.form.show_problems(problems)
            if problems:
                self.say("Nothing was decided: correct the marked value"
                         f"{'s' if len(problems) > 1 else ''} first.", "error")
                return
        self._start(task.id, build_decision(submission, values), "auto")

    def _start(self, task_id: str, decision: HumanDecision, where: Where) -> None:
        self.handoff.withdraw()
        self.say(f"Recording your decision on {task_id}…")
        self.form.set_busy(True)
        worker = Worker(decide_task, self.link.home, task_id, decision, self.decider(), where)
        worker.returned.connect(self._decided)
        worker.errored.connect(lambda error, t=task_id: self._failed(t, error))
        worker.finished.connect(self._worker_done)
        self._worker = worker
        worker.start()

    def _worker_done(self) -> None:
        self._worker = None
        self.form.set_busy(False)

    def _decided(self, result: Decided | NoWorker) -> None:
        if isinstance(result, NoWorker):
            self.say("Nothing was decided yet: choose where the run continues.", "conflict")
            self.handoff.ask(result)
            return
        if not result.fresh:
            self.say(conflict_text(result.task), "conflict")
        else:
            run = result.run
            said = (f"Decided by {result.task.decided_by}: "
                    f"{decision_text(result.asked.key())}. Run {run.id} (case {run.case_id}) ")
            if result.queued_for is None:
                status = run.status.value + (f", outcome '{run.outcome}'" if run.outcome
                                             else "")
                said += f"continued and is now {status}."
            elif result.queued_for:
                said += (f"was handed to the team's workers ({result.queued_for} running); "
                         "the first free one continues it.")
            else:
                said += "is on the team queue; it continues when a worker starts."
            self.say(said, "done")
            self.decided.emit(run.id)
        self.refresh()

    def _hand_off(self, where: str) -> None:
        asked, self.handoff.asked = self.handoff.asked, None
        if asked is None:
            return
        if where in ("here", "queue"):
            self._start(asked.task_id, asked.asked, "here" if where == "here" else "queue")
        else:
            self.say("Nothing was decided.")

    def _failed(self, task_id: str, error: BaseException) -> None:
        if isinstance(error, ConflictError):
            self.say(conflict_text(self.link.workspace.store.task(task_id)), "conflict")
            self.refresh()
        elif isinstance(error, EditRefused):
            self.form.show_problems({error.field: str(error)} if error.field else {})
            self.say(f"Nothing was decided: {error}", "error")
        elif isinstance(error, InputError):
            self.say(f"Nothing was decided: {error}", "error")
        else:
            self.say(f"The decision could not be recorded: {error}", "error")

    def busy(self) -> bool:
        return self._worker is not None
