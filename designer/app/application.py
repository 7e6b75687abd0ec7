"""The designer application: its windows, settings, prompts, and crash recovery.

`run_app` is what `junction designer [FLOW]` calls. Nothing happens at import time: the
QApplication, the style and the windows are created here, when asked. This module imports
Qt and the launch frame alone; the main window (and through it the runtime) is imported
once the frame is on screen (`designer.app.launch` says why).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from designer import theme
from designer.app.launch import LaunchFrame

if TYPE_CHECKING:
    from designer.app.prompts import Prompter
    from designer.app.settings import DesignerSettings
    from designer.app.window import MainWindow


class DesignerApp:
    """Owns the open windows; each window edits one flow."""

    def __init__(self, settings: DesignerSettings | None = None,
                 prompter: Prompter | None = None) -> None:
        from designer.app.prompts import DialogPrompter
        from designer.app.settings import DesignerSettings

        self.settings = settings or DesignerSettings()
        self.prompter: Prompter = prompter or DialogPrompter()
        self.windows: list[MainWindow] = []

    def new_window(self) -> MainWindow:
        from designer.app.window import MainWindow

        window = MainWindow(self)
        self.windows.append(window)
        return window

    def forget(self, window: MainWindow) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def close_all(self) -> bool:
        return all(window.close() for window in list(self.windows))

    def refresh_recent(self) -> None:
        for window in self.windows:
            window.refresh_recent()

    def recover(self) -> list[MainWindow]:
        """Offer back the autosave copies of sessions that ended without closing."""
        from designer.app.autosave import leftovers

        found = leftovers(self.settings.autosave_folder)
        if not found:
            return []
        names = [f"{item.name} ({item.original or 'never saved'})" for item in found]
        if not self.prompter.recover(None, names):
            for item in found:
                item.discard()
            return []
        windows = []
        for item in found:
            window = self.new_window()
            window.session.open_text(item.text(), item.original, modified=True)
            window.autosaver.write_now()
            item.discard()
            window.show_canvas()
            windows.append(window)
        return windows

    def start(self, flow: str | Path | None, open_later: bool = False) -> MainWindow:
        """The first window: the given flow, recovered work, or the start page. With
        `open_later` the flow is opened once the event loop turns, so the window is on
        screen first (a 2,000-step flow takes a second or more to open)."""
        recovered = self.recover()
        if flow is None and recovered:
            return recovered[0]
        window = self.new_window()
        if flow is not None and open_later:
            QTimer.singleShot(0, window, lambda: window.files.open_path(Path(flow)))
        elif flow is not None:
            window.files.open_path(Path(flow))
        return window


def run_app(flow: str | Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # a widgets app: instance() is typed as the core one
    app.setApplicationName("Junction Designer")
    app.setOrganizationName("Junction")
    app.setStyle("Fusion")
    app.setStyleSheet(theme.style_sheet())
    frame = LaunchFrame()
    frame.when_painted(lambda: open_designer(frame, flow))
    frame.show()
    return app.exec()


def open_designer(frame: LaunchFrame, flow: str | Path | None) -> DesignerApp:
    """The designer proper, in the launch frame's place: import it, show the first window
    where the frame is, close the frame, then open the flow asked for."""
    from designer import preferences

    designer = DesignerApp()
    frame.designer = designer  # kept alive with the frame until the windows are shown
    designer.start(flow, open_later=True)
    for window in designer.windows:
        window.setGeometry(frame.geometry())
        window.show()
    frame.close()
    preferences.first_run(designer.windows[0])  # the welcome screen, once
    return designer
