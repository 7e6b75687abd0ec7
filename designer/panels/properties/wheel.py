"""One wheel guard for the whole property panel.

Qt gives a combo box, spin box or slider the mouse wheel even when it has no focus, so
scrolling down a long form silently changed an autonomy stage or a confidence band (one
undo step per notch). This filter is installed once on the application and looks only at
widgets inside its panel: such a widget is focused by a click or Tab (never by the wheel),
and while it is not focused a wheel over it scrolls the panel instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollArea,
    QScrollBar,
    QWidget,
)

VALUE_WIDGETS = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def takes_values_by_wheel(widget: QObject) -> bool:
    """A widget whose value the wheel would change (a scroll bar only scrolls)."""
    return isinstance(widget, VALUE_WIDGETS) and not isinstance(widget, QScrollBar)


class PanelWheelGuard(QObject):
    """Keeps the wheel from editing values anywhere inside `panel`."""

    def __init__(self, panel: QScrollArea) -> None:
        super().__init__(panel)
        self.panel = panel
        for child in panel.findChildren(QWidget):
            self._calm(child)
        app = QApplication.instance()
        assert app is not None, "a QApplication must exist before the panel"
        app.installEventFilter(self)
        panel.destroyed.connect(lambda *_: app.removeEventFilter(self))

    def _calm(self, widget: QObject) -> None:
        if takes_values_by_wheel(widget) and isinstance(widget, QWidget):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _inside(self, widget: QObject) -> bool:
        return isinstance(widget, QWidget) and self.panel.isAncestorOf(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.Polish, QEvent.Type.Show) and takes_values_by_wheel(watched) \
                and self._inside(watched):
            self._calm(watched)  # every editor a form creates later, when it is shown
        elif kind == QEvent.Type.Wheel and takes_values_by_wheel(watched) \
                and isinstance(watched, QWidget) and not watched.hasFocus() \
                and self._inside(watched):
            assert isinstance(event, QWheelEvent)
            self._scroll_panel(event)
            return True
        return False

    def _scroll_panel(self, event: QWheelEvent) -> None:
        bar = self.panel.verticalScrollBar()
        forwarded = QWheelEvent(event.position(), event.globalPosition(), event.pixelDelta(),
                                event.angleDelta(), event.buttons(), event.modifiers(),
                                event.phase(), event.inverted())
        QApplication.sendEvent(bar, forwarded)
