"""Shared helpers for the designer tests (a module of its own: every test folder has a
`conftest.py`, so importing from "conftest" would be ambiguous)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_FLOWS = sorted((REPO / "templates").glob("*/flow.yaml"))


class ScriptedPrompter:
    """Answers the window's questions from a script; an unexpected question fails the test."""

    def __init__(self):
        self.answers: dict[str, list] = {}
        self.asked: list[tuple[str, tuple]] = []

    def script(self, question: str, *answers):
        self.answers.setdefault(question, []).extend(answers)
        return self

    def _answer(self, question, *details):
        self.asked.append((question, details))
        queue = self.answers.get(question)
        if not queue:
            raise AssertionError(f"unexpected question: {question} {details}")
        return queue.pop(0)

    def save_changes(self, parent, name):
        return self._answer("save_changes", name)

    def open_path(self, parent, folder):
        return self._answer("open_path", folder)

    def save_path(self, parent, suggested):
        return self._answer("save_path", suggested)

    def flow_name(self, parent, suggested):
        return self._answer("flow_name", suggested)

    def error(self, parent, title, text):
        return self._answer("error", title, text)

    def recover(self, parent, names):
        return self._answer("recover", tuple(names))

    def new_flow(self, parent, templates):
        return self._answer("new_flow", tuple(t.name for t in templates))


def drag(qtbot, view, start, end, steps: int = 5):
    """Press at `start`, move in a few steps, release at `end` (scene coordinates)."""
    from PySide6.QtCore import QPoint, Qt

    viewport = view.viewport()
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    for index in range(1, steps + 1):
        t = index / steps
        qtbot.mouseMove(viewport, a + QPoint(round((b.x() - a.x()) * t),
                                             round((b.y() - a.y()) * t)))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)


def drop_step(view, type_key: str, scene_point) -> None:
    """What dragging an entry from the palette and letting go over the canvas sends."""
    from PySide6.QtCore import QMimeData, QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from designer.canvas.interactions import NODE_MIME

    data = QMimeData()
    data.setData(NODE_MIME, type_key.encode())
    where = view.mapFromScene(scene_point)
    QApplication.sendEvent(view.viewport(), QDragEnterEvent(
        where, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(view.viewport(), QDropEvent(
        QPointF(where), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier))


def type_into(qtbot, line, text: str) -> None:
    """Select all, type, press Enter: how a person replaces a field's text."""
    from PySide6.QtCore import Qt

    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def wheel(widget, notches: int = -1) -> None:
    """A real wheel turn over the middle of `widget`, as a mouse sends it (negative =
    towards the user: scroll down)."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
