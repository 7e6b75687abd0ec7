"""`ViewArea`: the window's central area, one view at a time.

Today it holds the start page and the Design view; the run, inspector and inbox views
register here the same way. Each view brings its chrome — the docks, toolbars and
status-bar labels that belong to it — and the area shows that chrome with the view and
hides every other view's, so a new view needs no edits to the window's show/hide code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QStackedWidget, QToolBar, QWidget


@dataclass(frozen=True)
class View:
    key: str
    title: str
    widget: QWidget
    chrome: Sequence[QWidget] = ()  # shown with this view, hidden with the others
    on_shown: Callable[[], None] | None = None  # after it is on screen: fit, focus…


class ViewArea(QStackedWidget):
    view_changed = Signal(str)  # the key of the view now shown
    leaving = Signal(str)  # the key of the view about to be hidden, while still laid out

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._views: dict[str, View] = {}

    def add_view(self, view: View) -> None:
        if view.key in self._views:
            raise ValueError(f"a view named {view.key!r} is already in this window")
        self._views[view.key] = view
        self.addWidget(view.widget)

    def keys(self) -> list[str]:
        return list(self._views)

    def minimumSizeHint(self) -> QSize:
        """The view on screen's own minimum: a stack asks for the largest of all its
        pages, so a wide hidden view (Compare, Evaluate) squeezed the Design view's
        docks to their minimum."""
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()

    def view(self, key: str) -> View:
        return self._views[key]

    def current_key(self) -> str | None:
        current = self.currentWidget()
        return next((k for k, v in self._views.items() if v.widget is current), None)

    def show_view(self, key: str) -> None:
        target = self._views[key]
        previous = self.current_key()
        if previous is not None and previous != key:
            self.leaving.emit(previous)
        self.setCurrentWidget(target.widget)
        self.updateGeometry()  # the new view's minimum size, not the previous one's
        keep = [id(widget) for widget in target.chrome]
        for view in self._views.values():
            for widget in view.chrome:
                if id(widget) not in keep:
                    widget.hide()
        for widget in target.chrome:
            widget.show()
        if target.on_shown is not None:
            target.on_shown()
        self.view_changed.emit(key)


class ViewRail(QToolBar):
    """The always-visible switch between views (Design, Runs, …) on the window's left.

    One checkable button per view key given; it follows the area, so a view shown from a
    menu or a test lights up its button too. `open_view(key)` is what a button calls (the
    window may need to do more than `show_view`, e.g. Design fits the canvas)."""

    def __init__(self, area: ViewArea, keys: Sequence[str],
                 open_view: Callable[[str], None]) -> None:
        super().__init__("Views")
        self.setObjectName("viewRail")
        self.setMovable(False)
        self.setFloatable(False)
        self.setOrientation(Qt.Orientation.Vertical)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setStyleSheet(
            "QToolBar#viewRail { spacing: 2px; padding: 6px 4px; }"
            "QToolBar#viewRail QToolButton { padding: 8px 8px; border-radius: 6px;"
            " min-width: 48px; }"
            "QToolBar#viewRail QToolButton:checked { background: #EFF8FF; color: #1570EF;"
            " font-weight: bold; }")
        self.buttons: dict[str, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(True)
        for key in keys:
            action = QAction(area.view(key).title, self)
            action.setCheckable(True)
            action.setToolTip(f"Show the {area.view(key).title} view")
            action.triggered.connect(lambda _=False, k=key: open_view(k))
            group.addAction(action)
            self.addAction(action)
            self.buttons[key] = action
        area.view_changed.connect(self._follow)
        self._follow(area.current_key())

    def _follow(self, key: str | None) -> None:
        for name, action in self.buttons.items():
            action.setChecked(name == key)
