"""Questions the window asks the user, behind one small interface.

The main window never calls QMessageBox or QFileDialog directly: it asks a `Prompter`.
The real one shows dialogs; tests pass one with scripted answers, so "close with unsaved
changes → Save" is tested without a modal dialog blocking the test run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

SaveChoice = Literal["save", "discard", "cancel"]
FLOW_FILTER = "Flow files (*.yaml *.yml);;All files (*)"


class Prompter(Protocol):
    def save_changes(self, parent: QWidget, name: str) -> SaveChoice: ...
    def open_path(self, parent: QWidget, folder: Path | None) -> Path | None: ...
    def save_path(self, parent: QWidget, suggested: Path) -> Path | None: ...
    def flow_name(self, parent: QWidget, suggested: str) -> str | None: ...
    def error(self, parent: QWidget, title: str, text: str) -> None: ...
    def recover(self, parent: QWidget | None, names: list[str]) -> bool: ...
    def new_flow(self, parent: QWidget, templates: list) -> tuple[bool, object]: ...


class DialogPrompter:
    def save_changes(self, parent: QWidget, name: str) -> SaveChoice:
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"Save the changes to “{name}” before closing it?",
                          QMessageBox.StandardButton.Save
                          | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, parent)
        box.setInformativeText("If you don't save, your changes will be lost.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        box.deleteLater()
        choices: dict[QMessageBox.StandardButton, SaveChoice] = {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard"}
        return choices.get(QMessageBox.StandardButton(answer), "cancel")

    def open_path(self, parent: QWidget, folder: Path | None) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Open a flow", str(folder or ""),
                                              FLOW_FILTER)
        return Path(name) if name else None

    def save_path(self, parent: QWidget, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, "Save the flow as", str(suggested),
                                              FLOW_FILTER)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix in (".yaml", ".yml") else path.with_suffix(".yaml")

    def flow_name(self, parent: QWidget, suggested: str) -> str | None:
        """The name a new flow is saved under (its title everywhere in the designer)."""
        name, accepted = QInputDialog.getText(
            parent, "Name the flow", "What is this flow called? (for example "
            "“Refund requests”)", QLineEdit.EchoMode.Normal, suggested)
        return name if accepted else None

    def error(self, parent: QWidget, title: str, text: str) -> None:
        QMessageBox.critical(parent, title, text)

    def new_flow(self, parent: QWidget, templates: list) -> tuple[bool, object]:
        """(chosen?, template or None for blank) from the New dialog."""
        from designer.app.startpage import NewFlowDialog

        dialog = NewFlowDialog(templates, parent)
        try:
            dialog.exec()
            return dialog.accepted_choice, dialog.choice
        finally:
            dialog.deleteLater()

    def recover(self, parent: QWidget | None, names: list[str]) -> bool:
        listing = "\n".join(f"• {name}" for name in names)
        answer = QMessageBox.question(
            parent, "Recover unsaved work",
            "The designer did not close properly last time. Recover the unsaved changes "
            f"to these flows?\n\n{listing}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
