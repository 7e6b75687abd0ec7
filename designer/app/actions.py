"""Menus, shortcuts and toolbar buttons of the main window, declared as one table.

Standard shortcuts come from Qt's platform key sequences (Ctrl+S here, ⌘S on a Mac), so
people get the keys their system taught them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from designer.app.window import MainWindow

Key = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    slot: str
    keys: tuple[QKeySequence.StandardKey | str, ...] = ()
    tip: str = ""
    checkable: bool = False
    short: str = ""  # the toolbar's text, when the menu's is too long


MENUS: dict[str, list[ActionSpec | None]] = {
    "&File": [
        ActionSpec("new", "&New…", "files.new_flow", (Key.New,), "Start a new flow"),
        ActionSpec("new_window", "New &Window", "open_new_window", ("Ctrl+Shift+N",)),
        ActionSpec("open", "&Open…", "files.open_dialog", (Key.Open,), "Open a flow file"),
        None,
        ActionSpec("save", "&Save", "files.save", (Key.Save,), "Save the flow", short="Save"),
        ActionSpec("save_as", "Save &As…", "files.save_as", (Key.SaveAs, "Ctrl+Shift+S")),
        None,
        ActionSpec("close", "&Close Window", "close", (Key.Close,)),
        ActionSpec("quit", "&Quit", "quit_all", (Key.Quit, "Ctrl+Q")),
    ],
    "&Edit": [
        ActionSpec("undo", "&Undo", "undo", (Key.Undo,), "Undo the last change",
                   short="Undo"),
        ActionSpec("redo", "&Redo", "redo", (Key.Redo, "Ctrl+Shift+Z"), "Redo",
                   short="Redo"),
        None,
        ActionSpec("cut", "Cu&t", "cut_selection", (Key.Cut,)),
        ActionSpec("copy", "&Copy", "copy_selection", (Key.Copy,)),
        ActionSpec("paste", "&Paste", "paste", (Key.Paste,)),
        ActionSpec("duplicate", "&Duplicate", "duplicate_selection", ("Ctrl+D",)),
        ActionSpec("delete", "De&lete", "delete_selection", (Key.Delete, "Backspace")),
        None,
        ActionSpec("select_all", "Select &All", "select_all", (Key.SelectAll,)),
        ActionSpec("find", "&Find Step…", "focus_find", (Key.Find,)),
    ],
    "&View": [
        ActionSpec("zoom_in", "Zoom &In", "zoom_in", (Key.ZoomIn, "Ctrl+="), "Zoom in",
                   short="+"),
        ActionSpec("zoom_out", "Zoom &Out", "zoom_out", (Key.ZoomOut,), "Zoom out",
                   short="−"),
        ActionSpec("zoom_fit", "&Fit to Window", "zoom_fit", ("Ctrl+0",),
                   "Show the whole flow", short="Fit"),
        ActionSpec("zoom_reset", "&Actual Size", "zoom_reset", ("Ctrl+1",)),
        None,
        ActionSpec("snap", "Snap to &Grid", "toggle_snap", ("Ctrl+'",), checkable=True),
        ActionSpec("tidy", "&Tidy Layout", "tidy_layout", ("Ctrl+Shift+L",),
                   "Arrange the steps left to right", short="Tidy"),
    ],
    "F&low": [
        ActionSpec("flow_properties", "Flow &Properties", "show_flow_properties",
                   ("Ctrl+Shift+P",), "Name, autonomy, fields"),
        ActionSpec("validate", "&Check for Problems", "validate_now", ("F7",)),
    ],
}

TOOLBAR = ["save", None, "undo", "redo", None, "zoom_out", "zoom_fit", "zoom_in", "tidy"]


def build(window: MainWindow) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    bar = window.menuBar()
    for title, specs in MENUS.items():
        menu = bar.addMenu(title)
        menu.setObjectName(f"menu_{title.strip('&').lower()}")
        for spec in specs:
            if spec is None:
                menu.addSeparator()
                continue
            action = _action(window, spec)
            menu.addAction(action)
            actions[spec.name] = action
            if spec.name == "open":
                window.recent_menu = menu.addMenu("Open &Recent")
    return actions


def _action(window: MainWindow, spec: ActionSpec) -> QAction:
    action = QAction(spec.text, window)
    action.setObjectName(f"action_{spec.name}")
    keys: list[QKeySequence] = []
    for key in spec.keys:
        if isinstance(key, str):
            keys.append(QKeySequence(key))
        else:
            keys.extend(QKeySequence.keyBindings(key))
    unique = list(dict.fromkeys(k.toString() for k in keys if not k.isEmpty()))
    action.setShortcuts([QKeySequence(k) for k in unique])
    if spec.tip:
        action.setToolTip(f"{spec.tip} ({unique[0]})" if unique else spec.tip)
        action.setStatusTip(spec.tip)
    action.setCheckable(spec.checkable)
    if spec.short:
        action.setIconText(spec.short)
    slot: Callable[[], object] = attrgetter(spec.slot)(window)
    action.triggered.connect(lambda _=False, s=slot: s())
    return action
