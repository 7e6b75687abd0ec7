"""The Run menu and its toolbar button, installed on a window by one call.

Kept apart from `actions.py` so the run feature plugs into the shell in one line
(`install(window)`) and the shell's own action table stays as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from designer.run.controller import RunController

if TYPE_CHECKING:
    from designer.app.window import MainWindow


def install(window: MainWindow) -> RunController:
    controller = RunController(window)
    bar = window.menuBar()
    menu = QMenu("&Run", bar)
    menu.setObjectName("menu_run")
    help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_menu is not None:  # Help stays the last menu, as everywhere
        bar.insertMenu(help_menu, menu)
    else:
        bar.addMenu(menu)
    entries = [
        ("run_case", "&Run on a Case…", "F5", "Run the flow on one case",
         lambda: controller.open_run_dialog()),
        ("run_batch", "Run on a Case &File…", "Shift+F5",
         "Run the flow on every case of a file (a batch)",
         lambda: controller.open_run_dialog(batch=True)),
        ("try_step", "&Try Selected Step…", "Ctrl+T",
         "Run the selected AI step alone on one case; nothing is saved", controller.open_trial),
        ("cancel_batch", "&Cancel Batch", "", "Stop the batch after the case in hand",
         controller.cancel_batch),
    ]
    for name, text, key, tip, run in entries:
        action = QAction(text, window)
        action.setObjectName(f"action_{name}")
        if key:
            action.setShortcut(QKeySequence(key))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({key})" if key else tip)
        action.triggered.connect(lambda _=False, run=run: run())
        menu.addAction(action)
        window.actions_[name] = action
    run_button = window.actions_["run_case"]
    run_button.setIconText("▶ Run…")
    window.toolbar.insertAction(window.toolbar.actions()[0], run_button)
    return controller
