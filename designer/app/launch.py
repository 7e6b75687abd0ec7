"""A window on screen before the designer's heavy imports.

Building the main window needs most of the designer and, through it, the flow schema,
pydantic and the parts of the runtime the panels use: ~1 s on an idle machine and 10 s
or more on a loaded one, with nothing on screen meanwhile. `run_app` shows a
`LaunchFrame` first — the main window's size, title and colours with "Opening Junction…"
— using Qt alone, and builds the real window once the frame has painted, in its place.
This module must stay light: Qt, the standard library and `designer.theme` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from designer import theme

WINDOW_SIZE = (1280, 800)  # as MainWindow
TITLE = "Junction Designer"


class LaunchFrame(QWidget):
    """What the person sees during the first second: the window, already where it will
    be, saying what is happening."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("launchFrame")
        self.setWindowTitle(TITLE)
        self.resize(*WINDOW_SIZE)
        self.painted = False
        self.designer: object = None  # what replaces the frame, kept alive by it
        self._when_painted: Callable[[], None] | None = None

    def when_painted(self, then: Callable[[], None]) -> None:
        """Run `then` once, just after the frame's first paint."""
        self._when_painted = then

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.CANVAS))
        band = QRect(0, 0, self.width(), 56)
        painter.fillRect(band, QColor(theme.SURFACE))
        painter.setPen(QColor(theme.LINE))
        painter.drawLine(band.bottomLeft(), band.bottomRight())
        title = QFont(self.font())
        title.setPointSizeF(13)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(QColor(theme.INK))
        painter.drawText(band.adjusted(20, 0, 0, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, TITLE)
        note = QFont(self.font())
        note.setPointSizeF(11)
        painter.setFont(note)
        painter.setPen(QColor(theme.INK_SOFT))
        painter.drawText(self.rect().adjusted(0, 56, 0, 0), Qt.AlignmentFlag.AlignCenter,
                         "Opening Junction…")
        painter.end()
        if not self.painted:
            self.painted = True
            if self._when_painted is not None:
                # After this paint reaches the screen, not inside it.
                QTimer.singleShot(0, self._when_painted)


class FirstPaints(QObject):
    """Calls `seen(name, window)` the first time each top-level window named in `names`
    (by object name) paints. Installed on the application, it is how the launch test and
    bench/designer_canvas.py tell when a window is really on screen."""

    def __init__(self, names: Iterable[str],
                 seen: Callable[[str, QWidget], None]) -> None:
        super().__init__()
        self._waiting = set(names)
        self._seen = seen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            window = watched.window()
            if window.objectName() in self._waiting:
                self._waiting.discard(window.objectName())
                self._seen(window.objectName(), window)
        return False
