"""`TaskBadge`: the number of open human tasks, always visible in the status bar.

It reads the count on a timer, so a task a CLI batch opens in another process shows up
without anyone pressing refresh, and at once when told (after a decision); an inbox on
screen follows its changes. Clicking it opens the inbox.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from designer import theme

REFRESH_MS = 3000


def badge_text(count: int) -> str:
    if count == 0:
        return "Inbox: no open tasks"
    return f"Inbox: {count} open task{'s' if count != 1 else ''}"


class TaskBadge(QPushButton):
    count_changed = Signal(int)  # the number of open tasks, when it changes

    def __init__(self, count_open: Callable[[], int], interval_ms: int = REFRESH_MS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskBadge")
        self.setFlat(True)
        self.setToolTip("Human tasks waiting for a decision, in every run of this workspace. "
                        "Click to open the inbox.")
        self._count_open = count_open
        self.count = -1
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.show_count(0)

    def refresh(self) -> None:
        try:
            count = self._count_open()
        except Exception as exc:  # a locked or missing store must not break the window
            self.setText("Inbox: ?")
            self.setToolTip(f"The task count could not be read: {exc}")
            return
        self.show_count(count)

    def show_count(self, count: int) -> None:
        if count == self.count:
            return
        self.count = count
        self.setText(badge_text(count))
        self.count_changed.emit(count)
        busy = count > 0
        self.setStyleSheet(
            "QPushButton { border-radius: 10px; padding: 2px 10px; font-weight: bold;"
            f" color: {'white' if busy else theme.INK_SOFT};"
            f" background: {theme.DANGER if busy else 'transparent'}; border: none; }}")
