"""Adds the Evaluate view and the Metrics dashboard to a main window: one call.

Both views read the open flow's file and the workspace (`runtime.api.home_dir`); View ▸
Evaluate and View ▸ Metrics show them, View ▸ Design returns to the canvas. Other views
(Runs, Inbox) register the same way, so the window shell needs one line per family.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from designer.app.views import View
from designer.dashboard import DashboardView
from designer.evaluate import EvaluateView
from runtime.api import home_dir


def install_evidence_views(window: Any, home: Callable[[], Path] = home_dir) -> None:
    """Register both views in `window.area` and their View-menu entries."""
    window.evaluate_view = EvaluateView(window.session, home)
    window.dashboard_view = DashboardView(window.session, home)
    window.area.add_view(View("evaluate", "Evaluate", window.evaluate_view,
                              on_shown=window.evaluate_view.reload))
    window.area.add_view(View("dashboard", "Metrics", window.dashboard_view))
    menu = _view_menu(window)
    menu.addSeparator()
    for key, text, shortcut in (("design", "&Design", "Ctrl+Shift+D"),
                                ("evaluate", "&Evaluate", "Ctrl+Shift+E"),
                                ("dashboard", "&Metrics", "Ctrl+Shift+M")):
        action = QAction(text, window)
        action.setObjectName(f"show_{key}")
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False, k=key: window.area.show_view(k))
        menu.addAction(action)
        window.actions_[f"show_{key}"] = action


def _view_menu(window: Any) -> QMenu:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "View":
            return menu
    created: QMenu = window.menuBar().addMenu("&View")
    return created
