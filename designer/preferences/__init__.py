"""Settings, diagnostics and the first-run screen, added to a main window by `install`.

Each part is a standalone dialog; `install(window)` only adds their menu items (Edit ▸
Settings…, Help ▸ Diagnostics, Help ▸ Getting Started), so the window shell needs one call
line. `first_run(window)` shows the welcome screen once, when the app starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

# Imported here, not lazily: importing the submodule later would rebind this package's
# `first_run` (the function below) to the module.
from designer.preferences.first_run import SUGGESTED_FLOW, FirstRunDialog, should_show

if TYPE_CHECKING:
    from designer.preferences.diagnostics_window import DiagnosticsWindow
    from designer.preferences.settings_dialog import SettingsDialog

__all__ = ["DiagnosticsWindow", "FirstRunDialog", "SettingsDialog", "first_run", "install"]

# The settings and diagnostics dialogs are imported when first opened: they bring keyring,
# the secrets store and the diagnostics checks, which the main window need not wait for.
_DIALOGS = {"DiagnosticsWindow": "designer.preferences.diagnostics_window",
            "SettingsDialog": "designer.preferences.settings_dialog"}


def __getattr__(name: str) -> Any:
    if name not in _DIALOGS:
        raise AttributeError(f"module 'designer.preferences' has no attribute {name!r}")
    return getattr(importlib.import_module(_DIALOGS[name]), name)


def install(window: QMainWindow) -> None:
    edit = _menu(window, "&Edit")
    edit.addSeparator()
    _add(window, edit, "settings", "&Settings…", lambda: open_settings(window),
         QKeySequence(QKeySequence.StandardKey.Preferences))
    help_menu = _menu(window, "&Help")
    _add(window, help_menu, "getting_started", "&Getting Started…",
         lambda: open_first_run(window))
    _add(window, help_menu, "diagnostics", "&Diagnostics…", lambda: open_diagnostics(window))


def first_run(window: QMainWindow) -> FirstRunDialog | None:
    """The welcome screen, the first time the app starts (a flag in the settings file)."""
    if not should_show():
        return None
    return open_first_run(window)


def open_settings(window: QMainWindow) -> SettingsDialog:
    from designer.preferences.settings_dialog import SettingsDialog

    dialog = SettingsDialog(parent=window)
    dialog.setModal(True)
    dialog.show()
    return dialog


def open_diagnostics(window: QMainWindow) -> DiagnosticsWindow:
    from designer.preferences.diagnostics_window import DiagnosticsWindow

    found = window.findChild(DiagnosticsWindow)
    dialog = found if isinstance(found, DiagnosticsWindow) else DiagnosticsWindow(window)
    dialog.show()
    dialog.raise_()
    dialog.start()
    return dialog


def open_first_run(window: QMainWindow) -> FirstRunDialog:
    dialog = FirstRunDialog(parent=window)
    dialog.open_suggested.connect(lambda: _open_suggested(window))
    dialog.show()
    dialog.look()
    return dialog


def _open_suggested(window: Any) -> None:
    """The suggested template as a new flow, the way the start page's gallery opens it."""
    for template in getattr(window, "templates", []):
        if template.name == SUGGESTED_FLOW:
            window.files.start_from(template)
            return
    if hasattr(window, "show_start_page"):
        window.show_start_page()


def _menu(window: QMainWindow, title: str) -> QMenu:
    bar = window.menuBar()
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == title.replace("&", ""):
            return menu
    menu = bar.addMenu(title)
    menu.setObjectName(f"menu_{title.strip('&').lower()}")
    return menu


def _add(window: QMainWindow, menu: QMenu, name: str, text: str, slot: Any,
         keys: QKeySequence | None = None) -> QAction:
    action = QAction(text, window)
    action.setObjectName(f"action_{name}")
    if keys is not None and not keys.isEmpty():
        action.setShortcut(keys)
    action.triggered.connect(lambda _=False: slot())
    menu.addAction(action)
    return action
