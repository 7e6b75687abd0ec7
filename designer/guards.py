"""Form widgets that ignore a stray wheel: a combo box or spin box scrolled past in a form
must not change a setting. They take the wheel only once a click (or Tab) focused them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            event.ignore()  # let the scroll area behind it scroll instead
            return True
        return False


def guard_wheel(widget: QWidget) -> QWidget:
    """Focus by click or Tab only (never by wheel), and no wheel edits until focused."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    guard = _WheelGuard(widget)
    widget.installEventFilter(guard)
    return widget
