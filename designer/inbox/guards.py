"""Guards against accidental gestures: a wheel over a form never changes a choice.

A QComboBox (or spin box) takes wheel events without focus, so scrolling a form with the
pointer over one silently picks another value. Guarded widgets take focus on click only
and pass the wheel to the form around them unless they already have focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget)
                and not watched.hasFocus()):
            event.ignore()  # the scroll area around it scrolls instead
            return True
        return super().eventFilter(watched, event)


def guard_wheel(widget: QWidget) -> QWidget:
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    guard = _WheelGuard(widget)
    widget.installEventFilter(guard)
    return widget
