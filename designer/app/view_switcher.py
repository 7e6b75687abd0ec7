"""`ViewSwitcher`: always-visible buttons that show the window's views (Design, Inbox,
Compare…). It follows the `ViewArea`, so a view shown by any other route (opening a file,
clicking the task badge) is the one marked here."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QToolBar, QWidget

from designer import theme
from designer.app.views import ViewArea


class ViewSwitcher(QToolBar):
    def __init__(self, area: ViewArea, keys: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__("Views", parent)
        self.setObjectName("viewSwitcher")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setStyleSheet(
            "QToolButton { font-size: 10pt; padding: 4px 14px; border-radius: 5px; }"
            f"QToolButton:checked {{ background: {theme.SELECTION}; color: white;"
            " font-weight: bold; }")
        self.area = area
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.by_key: dict[str, QAction] = {}
        for key in keys:
            action = QAction(area.view(key).title, self)
            action.setObjectName(f"view_{key}")
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, k=key: area.show_view(k))
            self.group.addAction(action)
            self.addAction(action)
            self.by_key[key] = action
        area.view_changed.connect(self._follow)

    def _follow(self, key: str) -> None:
        action = self.by_key.get(key)
        if action is not None:
            action.setChecked(True)
        else:  # a view without a button (the start page): nothing is marked
            checked = self.group.checkedAction()
            if checked is not None:
                self.group.setExclusive(False)
                checked.setChecked(False)
                self.group.setExclusive(True)
