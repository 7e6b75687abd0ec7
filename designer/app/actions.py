"""Menus, shortcuts and toolbar buttons of the main window, declared as one table.

Standard shortcuts come from Qt's platform key sequences (Ctrl+S here, ⌘S on a Mac), so
people get the keys their system taught them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QToolBar, QToolButton

from designer import theme

if TYPE_CHECKING:
    from designer.app.window import MainWindow

Key = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    run: Callable[[], object]
    keys: tuple[QKeySequence.StandardKey | str, ...] = ()
    tip: str = ""
    checkable: bool = False
    short: str = ""  # the toolbar's text, when the menu's is too long
    icon: str = ""  # a small SVG in designer/resources, for the toolbar


Menus = dict[str, list[ActionSpec | None]]


def menus(window: MainWindow) -> Menus:
    """The menu bar, each entry bound to the callable it runs (checked by mypy, not
    looked up by name at run time)."""
    w, files = window, window.files
    return {
        "&File": [
            ActionSpec("new", "&New…", files.new_flow, (Key.New,), "Start a new flow"),
            ActionSpec("new_window", "New &Window", w.open_new_window, ("Ctrl+Shift+N",)),
            ActionSpec("open", "&Open…", files.open_dialog, (Key.Open,), "Open a flow file"),
            None,
            ActionSpec("save", "&Save", files.save, (Key.Save,), "Save the flow",
                       short="Save", icon="save"),
            ActionSpec("save_as", "Save &As…", files.save_as, (Key.SaveAs, "Ctrl+Shift+S")),
            None,
            ActionSpec("close", "&Close Window", w.close, (Key.Close,)),
            ActionSpec("quit", "&Quit", w.app.close_all, (Key.Quit, "Ctrl+Q")),
        ],
        "&Edit": [
            ActionSpec("undo", "&Undo", w.undo, (Key.Undo,), "Undo the last change",
                       short="Undo", icon="undo"),
            ActionSpec("redo", "&Redo", w.redo, (Key.Redo, "Ctrl+Shift+Z"), "Redo",
                       short="Redo", icon="redo"),
            None,
            ActionSpec("cut", "Cu&t", w.cut_selection, (Key.Cut,)),
            ActionSpec("copy", "&Copy", w.copy_selection, (Key.Copy,)),
            ActionSpec("paste", "&Paste", w.paste, (Key.Paste,)),
            ActionSpec("duplicate", "&Duplicate", w.duplicate_selection, ("Ctrl+D",)),
            ActionSpec("delete", "De&lete", w.delete_selection, (Key.Delete, "Backspace")),
            None,
            ActionSpec("select_all", "Select &All", w.select_all, (Key.SelectAll,)),
            ActionSpec("find", "&Find Step…", w.focus_find, (Key.Find,)),
        ],
        "&View": [
            ActionSpec("zoom_in", "Zoom &In", w.zoom_in, (Key.ZoomIn, "Ctrl+="), "Zoom in",
                       short="+", icon="zoom-in"),
            ActionSpec("zoom_out", "Zoom &Out", w.zoom_out, (Key.ZoomOut,), "Zoom out",
                       short="−", icon="zoom-out"),
            ActionSpec("zoom_fit", "&Fit to Window", w.zoom_fit, ("Ctrl+0",),
                       "Show the whole flow", short="Fit", icon="fit"),
            ActionSpec("zoom_reset", "&Actual Size", w.zoom_reset, ("Ctrl+1",)),
            None,
            ActionSpec("snap", "Snap to &Grid", w.toggle_snap, ("Ctrl+'",), checkable=True),
            ActionSpec("tidy", "&Tidy Layout", w.tidy_layout, ("Ctrl+Shift+L",),
                       "Arrange the steps left to right", short="Tidy", icon="tidy"),
        ],
        "F&low": [
            ActionSpec("flow_properties", "Flow &Properties", w.show_flow_properties,
                       ("Ctrl+Shift+P",), "Name, autonomy, fields"),
            ActionSpec("validate", "&Check for Problems", w.validate_now, ("F7",)),
        ],
    }


TOOLBAR = ["save", None, "undo", "redo", None, "zoom_out", "zoom_fit", "zoom_in", "tidy"]


ICON_ONLY = ("undo", "redo", "zoom_out", "zoom_fit", "zoom_in")  # their pictures say it all


def fill_toolbar(bar: QToolBar, actions: dict[str, QAction]) -> None:
    """The toolbar's buttons: an icon and a short word, zoom buttons icon only (their
    tooltips say what they do)."""
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.setIconSize(QSize(16, 16))
    for name in TOOLBAR:
        if name is None:
            bar.addSeparator()
            continue
        bar.addAction(actions[name])
        button = bar.widgetForAction(actions[name])
        if name in ICON_ONLY and isinstance(button, QToolButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)


def build(window: MainWindow) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    bar = window.menuBar()
    for title, specs in menus(window).items():
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
    if spec.icon:
        action.setIcon(QIcon(str(theme.RESOURCES / f"{spec.icon}.svg")))
    action.triggered.connect(lambda _=False, run=spec.run: run())
    return action
