"""File commands of a window: new, open, save, save as, and the unsaved-changes prompt.

Every question goes through the app's `Prompter`, so these paths are tested with
scripted answers instead of modal dialogs. Errors reach the person as the runtime words
them (file, line, problem), never as a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from designer import registry
from designer.document.errors import DocumentError
from designer.app.templates import TemplateCopyError, TemplateInfo, copy_template
from runtime.api import FlowError

if TYPE_CHECKING:
    from designer.app.window import MainWindow

MAX_PROBLEMS_SHOWN = 12


def may_close(window: MainWindow) -> bool:
    """True when the flow may be closed or replaced (saved, discarded or unchanged)."""
    session = window.session
    if not session.is_modified():
        return True
    choice = window.app.prompter.save_changes(window, session.display_name)
    if choice == "save":
        return save(window)
    return choice == "discard"


def new_flow(window: MainWindow) -> None:
    accepted, template = window.app.prompter.new_flow(window, window.templates)
    if accepted:
        start_from(window, template)


def start_from(window: MainWindow, template: object) -> None:
    """A blank flow (template None) or a copy of a template, saved where the person says."""
    if not may_close(window):
        return
    if template is None:
        window.session.new()
        window.show_canvas()
        return
    assert isinstance(template, TemplateInfo)
    suggested = _free_name(window.app.settings.new_flows_folder / registry.slug(template.name)
                           / "flow.yaml")
    destination = window.app.prompter.save_path(window, suggested)
    if destination is None:
        return
    try:
        copy_template(template, destination)
    except (TemplateCopyError, OSError) as error:
        window.app.prompter.error(window, "Cannot create the flow", str(error))
        return
    open_path(window, destination, ask=False)


def _free_name(path: Path) -> Path:
    folder, number = path.parent, 2
    while folder.exists() and any(folder.iterdir()):
        folder = path.parent.with_name(f"{path.parent.name}-{number}")
        number += 1
    return folder / path.name


def open_dialog(window: MainWindow) -> None:
    folder = window.session.path.parent if window.session.path else None
    path = window.app.prompter.open_path(window, folder)
    if path is not None:
        open_path(window, path)


def open_path(window: MainWindow, path: Path, ask: bool = True) -> bool:
    if ask and not may_close(window):
        return False
    try:
        window.session.open(path)
    except FlowError as error:
        lines = [str(p) for p in error.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(error.problems) - len(lines)
        if more > 0:
            lines.append(f"…and {more} more")
        window.app.prompter.error(window, "Cannot open the flow", "\n".join(lines))
        return False
    except (OSError, DocumentError) as error:
        window.app.prompter.error(window, "Cannot open the flow", f"{path}: {error}")
        return False
    window.remember(path)
    window.show_canvas()
    return True


def save(window: MainWindow) -> bool:
    session = window.session
    if session.path is None:
        return save_as(window)
    return _write(window, session.path)


def save_as(window: MainWindow) -> bool:
    session = window.session
    suggested = session.path or (window.app.settings.new_flows_folder
                                 / f"{registry.slug(session.document.header.name)}.yaml")
    path = window.app.prompter.save_path(window, suggested)
    return _write(window, path) if path is not None else False


def _write(window: MainWindow, path: Path) -> bool:
    try:
        saved = window.session.save(path)
    except OSError as error:
        window.app.prompter.error(window, "Cannot save the flow", f"{path}: {error}")
        return False
    window.remember(saved)
    window.problems.refresh()
    count = len(window.problems.problems)
    note = f" — {count} problem{'s' * (count != 1)} to fix before it can run" if count else ""
    window.statusBar().showMessage(f"Saved {saved}{note}", 8000)
    return True
