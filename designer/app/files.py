"""`FileController`: new, open, save, save as and the unsaved-changes question of one
window's flow.

It holds what these commands need — the window's `FlowSession`, the app's `Prompter` and
settings, the templates on offer — and not the window: it says what happened through
signals (`opened`, `started`, `saved`) and the window decides how to show it. Every
question goes through the `Prompter`, so these paths are tested with scripted answers
instead of modal dialogs. Errors reach the person as the runtime words them (file, line,
problem), never as a traceback.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from designer import nodes
from designer.app.prompts import Prompter
from designer.app.session import FlowSession
from designer.app.settings import DesignerSettings
from designer.app.templates import TemplateCopyError, TemplateInfo, copy_template
from designer.document.errors import DocumentError
from runtime.api import FlowError

MAX_PROBLEMS_SHOWN = 12


class FileController(QObject):
    """The file commands of one window; `dialog_parent` only parents the dialogs."""

    opened = Signal(object)  # Path: a flow file was opened (or a template copied and opened)
    started = Signal()  # a blank, never-saved flow replaced the previous one
    saved = Signal(object)  # Path: where it was written

    def __init__(self, session: FlowSession, prompter: Prompter, settings: DesignerSettings,
                 templates: list[TemplateInfo], dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.session = session
        self.prompter = prompter
        self.settings = settings
        self.templates = templates
        self.dialog_parent = dialog_parent

    def may_close(self) -> bool:
        """True when the flow may be closed or replaced (saved, discarded or unchanged)."""
        if not self.session.is_modified():
            return True
        choice = self.prompter.save_changes(self.dialog_parent, self.session.display_name)
        if choice == "save":
            return self.save()
        return choice == "discard"

    def new_flow(self) -> None:
        accepted, template = self.prompter.new_flow(self.dialog_parent, self.templates)
        if accepted:
            self.start_from(template)

    def start_from(self, template: object) -> None:
        """A blank flow (template None) or a copy of a template, saved where the person
        says."""
        if not self.may_close():
            return
        if template is None:
            self.session.new()
            self.started.emit()
            return
        assert isinstance(template, TemplateInfo)
        suggested = _free_name(self.settings.ensure_flows_folder()
                               / nodes.slug(template.name) / "flow.yaml")
        destination = self.prompter.save_path(self.dialog_parent, suggested)
        if destination is None:
            return
        try:
            copy_template(template, destination)
        except (TemplateCopyError, OSError) as error:
            self.prompter.error(self.dialog_parent, "Cannot create the flow", str(error))
            return
        self.open_path(destination, ask=False)

    def open_dialog(self) -> None:
        """Open…, starting in the open flow's folder, else the Junction flows folder."""
        flows = self.settings.new_flows_folder
        folder = (self.session.path.parent if self.session.path
                  else flows if flows.is_dir() else None)
        path = self.prompter.open_path(self.dialog_parent, folder)
        if path is not None:
            self.open_path(path)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        path = Path(path)
        if ask and not self.may_close():
            return False
        try:
            self.session.open(path)
        except FlowError as error:
            lines = [str(p) for p in error.problems[:MAX_PROBLEMS_SHOWN]]
            more = len(error.problems) - len(lines)
            if more > 0:
                lines.append(f"…and {more} more")
            self.prompter.error(self.dialog_parent, "Cannot open the flow", "\n".join(lines))
            return False
        except (OSError, DocumentError) as error:
            self.prompter.error(self.dialog_parent, "Cannot open the flow", f"{path}: {error}")
            return False
        self.opened.emit(path)
        return True

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self._write(self.session.path)

    def save_as(self) -> bool:
        """Save under a new path; a never-saved flow is first given its name, which also
        names the file in the Junction flows folder."""
        suggested = self.session.path
        if suggested is None:
            name = self._ask_name()
            if name is None:
                return False
            suggested = self.settings.ensure_flows_folder() / f"{nodes.slug(name)}.yaml"
        path = self.prompter.save_path(self.dialog_parent, suggested)
        return self._write(path) if path is not None else False

    def _ask_name(self) -> str | None:
        """The flow's name, asked once before its first save (None: cancelled)."""
        current = self.session.document.header.name
        name = self.prompter.flow_name(self.dialog_parent, current)
        if name is None or not name.strip():
            return None
        name = name.strip()
        if name != current:
            self.session.editor.set_flow_property("name", name)
        return name

    def _write(self, path: Path) -> bool:
        try:
            saved = self.session.save(path)
        except OSError as error:
            self.prompter.error(self.dialog_parent, "Cannot save the flow", f"{path}: {error}")
            return False
        self.saved.emit(saved)
        return True


def _free_name(path: Path) -> Path:
    folder, number = path.parent, 2
    while folder.exists() and any(folder.iterdir()):
        folder = path.parent.with_name(f"{path.parent.name}-{number}")
        number += 1
    return folder / path.name
