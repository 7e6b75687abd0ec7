"""The designer application: its windows, settings, prompts, and crash recovery.

`run_app` is what `junction designer [FLOW]` calls. Nothing happens at import time: the
QApplication, the style and the windows are created here, when asked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from designer import appearance, preferences
from designer.app.autosave import leftovers
from designer.app.prompts import DialogPrompter, Prompter
from designer.app.settings import DesignerSettings
from designer.app.window import MainWindow


class DesignerApp:
    """Owns the open windows; each window edits one flow."""

    def __init__(self, settings: DesignerSettings | None = None,
                 prompter: Prompter | None = None) -> None:
        self.settings = settings or DesignerSettings()
        self.prompter: Prompter = prompter or DialogPrompter()
        self.windows: list[MainWindow] = []

    def new_window(self) -> MainWindow:
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

    def start(self, flow: str | Path | None) -> MainWindow:
        """The first window: the given flow, recovered work, or the start page."""
        recovered = self.recover()
        if flow is None and recovered:
            return recovered[0]
        window = self.new_window()
        if flow is not None:
            window.files.open_path(Path(flow))
        return window


def run_app(flow: str | Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # a widgets app: instance() is typed as the core one
    app.setApplicationName("Junction Designer")
    app.setOrganizationName("Junction")
    appearance.start(app)  # Fusion, and the light/dark/system theme from the settings
    designer = DesignerApp()
    designer.start(flow)
    for window in designer.windows:
        window.show()
    preferences.first_run(designer.windows[0])  # the welcome screen, once
    return app.exec()
