"""`ViewArea`: the window's central area, one view at a time.

Today it holds the start page and the Design view; the run, inspector and inbox views
register here the same way. Each view brings its chrome — the docks, toolbars and
status-bar labels that belong to it — and the area shows that chrome with the view and
hides every other view's, so a new view needs no edits to the window's show/hide code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QWidget


@dataclass(frozen=True)
class View:
    key: str
    title: str
    widget: QWidget
    chrome: Sequence[QWidget] = ()  # shown with this view, hidden with the others
    on_shown: Callable[[], None] | None = None  # after it is on screen: fit, focus…


class ViewArea(QStackedWidget):
    view_changed = Signal(str)  # the key of the view now shown

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

    def view(self, key: str) -> View:
        return self._views[key]

    def current_key(self) -> str | None:
        current = self.currentWidget()
        return next((k for k, v in self._views.items() if v.widget is current), None)

    def show_view(self, key: str) -> None:
        target = self._views[key]
        self.setCurrentWidget(target.widget)
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
