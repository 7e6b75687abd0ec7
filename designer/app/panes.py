"""The side panes that give the canvas its room: the palette folds to a rail of icons and
the property drawer closes, each with one click, and the window remembers both.

At 1280×800 the palette and the property panel took half the width; an analyst drawing
a flow needs the canvas most. The palette's rail keeps every kind one drag away (its
tooltip says what it is); a closed drawer opens again from View ▸ Properties, its
toolbar button, or "Edit properties" on a step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from designer import theme
from designer.panels.palette import RAIL_WIDTH

if TYPE_CHECKING:
    from designer.app.window import MainWindow

PALETTE_WIDTH = 224
DRAWER_WIDTH = 320
WIDE_WINDOW = 1500  # below this width the palette starts as a rail


class Panes:
    """Fold and unfold the palette dock and the property drawer of one window."""

    def __init__(self, window: MainWindow, palette_dock: QDockWidget,
                 drawer: QDockWidget) -> None:
        self.window, self.palette_dock, self.drawer = window, palette_dock, drawer
        self.settings = window.app.settings
        self._sized = False
        self._drawer_width = DRAWER_WIDTH  # the person's width, kept across view switches
        window.area.leaving.connect(self._leaving)
        self.palette_button = _title_bar(palette_dock, "Steps", self.toggle_palette)
        _title_bar(drawer, "Properties", lambda: self.set_drawer_open(False),
                   "Close the properties drawer (View ▸ Properties opens it)", "»")
        self.drawer_action = QAction("&Properties", window)
        self.drawer_action.setObjectName("action_properties_drawer")
        self.drawer_action.setCheckable(True)
        self.drawer_action.setShortcut(QKeySequence("Ctrl+I"))
        self.drawer_action.setIcon(QIcon(str(theme.RESOURCES / "panel-right.svg")))
        self.drawer_action.setToolTip("Show or hide the properties drawer (Ctrl+I)")
        self.drawer_action.triggered.connect(self.set_drawer_open)
        self.palette_action = QAction("Step &Palette as Icons", window)
        self.palette_action.setObjectName("action_palette_rail")
        self.palette_action.setCheckable(True)
        self.palette_action.triggered.connect(self.set_palette_compact)
        view_menu = window.menuBar().findChild(QMenu, "menu_view")
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addAction(self.drawer_action)
            view_menu.addAction(self.palette_action)
        window.toolbar.addAction(self.drawer_action)
        button = window.toolbar.widgetForAction(self.drawer_action)
        if isinstance(button, QToolButton):  # the toolbar is full at 1280: its icon only
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        compact = self.settings.pane_state("palette_rail")
        self.set_palette_compact(window.width() < WIDE_WINDOW if compact is None else compact)
        self.set_drawer_open(self.settings.pane_state("drawer_open") is not False,
                             remember=False)

    # -- the palette ---------------------------------------------------------------------

    def toggle_palette(self) -> None:
        self.set_palette_compact(not self.window.step_palette.is_compact())

    def set_palette_compact(self, compact: bool) -> None:
        palette = self.window.step_palette
        palette.set_compact(compact)
        self.palette_action.setChecked(compact)
        self.palette_button.setText("»" if compact else "«")
        self.palette_button.setToolTip("Show the steps with their names" if compact
                                       else "Fold the steps to a rail of icons")
        label = self.palette_dock.titleBarWidget().findChild(QLabel)
        if label is not None:
            label.setVisible(not compact)
        if compact:
            self.palette_dock.setFixedWidth(RAIL_WIDTH)
        else:
            self.palette_dock.setMinimumWidth(160)
            self.palette_dock.setMaximumWidth(16777215)
            self.window.resizeDocks([self.palette_dock], [PALETTE_WIDTH],
                                    Qt.Orientation.Horizontal)
        self.settings.set_pane_state("palette_rail", compact)

    # -- the property drawer -------------------------------------------------------------

    def set_drawer_open(self, open_: bool, remember: bool = True) -> None:
        """Open or close the drawer; the Design view shows it only when it is open."""
        self.drawer_action.setChecked(open_)
        if open_:
            if self.window.area.current_key() == "design":
                self.drawer.show()
            self.window.resizeDocks([self.drawer], [DRAWER_WIDTH], Qt.Orientation.Horizontal)
        else:
            self.drawer.hide()
        if remember:
            self.settings.set_pane_state("drawer_open", open_)

    def drawer_open(self) -> bool:
        return self.drawer_action.isChecked()

    def design_shown(self) -> None:
        """The view switch shows every dock of Design; a closed drawer stays closed. The
        first time, the docks get their widths (sizes set before the window is on screen
        are lost to its first layout)."""
        if not self.drawer_open():
            self.drawer.hide()
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._size_docks)
        elif self.drawer_open():  # hidden docks come back at Qt's idea of a width, not ours
            QTimer.singleShot(0, lambda: self.window.resizeDocks(
                [self.drawer], [self._drawer_width], Qt.Orientation.Horizontal))

    def _leaving(self, key: str) -> None:
        """Keep the drawer's width before another view's minimum size squeezes it."""
        if key == "design" and self._sized and self.drawer.isVisible():
            self._drawer_width = self.drawer.width()

    def _size_docks(self) -> None:
        docks, widths = [self.drawer], [self._drawer_width]
        if not self.window.step_palette.is_compact():
            docks.append(self.palette_dock)
            widths.append(PALETTE_WIDTH)
        self.window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)


def _title_bar(dock: QDockWidget, title: str, on_click: Callable[[], None], tip: str = "",
               arrow: str = "«") -> QToolButton:
    """A dock title with a fold button at its end (Qt's own bar truncates to "S…")."""
    bar = QWidget()
    bar.setObjectName(f"{dock.objectName()}_title")
    row = QHBoxLayout(bar)
    row.setContentsMargins(10, 4, 4, 4)
    label = QLabel(title)
    label.setStyleSheet(f"font-weight: bold; color: {theme.INK};")
    button = QToolButton()
    button.setObjectName(f"{dock.objectName()}_fold")
    button.setText(arrow)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.clicked.connect(lambda _=False: on_click())
    row.addWidget(label, 1)
    row.addWidget(button)
    dock.setTitleBarWidget(bar)
    return button
