"""`HandOffChoice`: what the inbox asks when a team store has no worker to continue a run.

On a team store a decided run goes to the team's workers. When none is taking jobs, the
person is told so plainly and chooses, before anything is decided: continue the run here
(this machine's models), or record the decision and leave the run queued until a worker
starts. Cancel decides nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from designer import theme
from designer.inbox.packet_view import plain
from designer.inbox.work import NoWorker


class HandOffChoice(QFrame):
    chosen = Signal(str)  # "here", "queue", or "" (cancelled: nothing decided)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handOffChoice")
        self.setStyleSheet("#handOffChoice { background: #FFFAEB; border: 1px solid #FEC84B;"
                           " border-radius: 6px; }")
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 8, 10, 8)
        self.text = plain("", name="handOffText")
        self.text.setStyleSheet(f"color: {theme.INK};")
        column.addWidget(self.text)
        row = QHBoxLayout()
        self.here = QPushButton("Continue here")
        self.here.setToolTip("Record the decision and continue the run now, on this machine, "
                             "with its models")
        self.queue = QPushButton("Leave it for a worker")
        self.queue.setToolTip("Record the decision; the run waits on the team queue and "
                              "continues when a worker starts (`junction worker`)")
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Decide nothing for now")
        for button, answer in ((self.here, "here"), (self.queue, "queue"),
                               (self.cancel, "")):
            button.clicked.connect(lambda _=False, a=answer: self._answer(a))
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        self.asked: NoWorker | None = None
        self.hide()

    def ask(self, question: NoWorker) -> None:
        self.asked = question
        self.text.setText(
            f"No worker is taking runs from the team store ({question.store}) right now, "
            "so nobody would continue this run. Nothing has been decided yet.\n\n"
            "Continue the run here, on this machine, or record your decision and leave the "
            "run on the team queue: it continues as soon as a worker starts.")
        self.show()
        self.here.setFocus()

    def withdraw(self) -> None:
        """Forget the question (another task was selected)."""
        self.asked = None
        self.hide()

    def _answer(self, answer: str) -> None:
        self.hide()
        self.chosen.emit(answer)
