"""`FlowSession`: one open flow — its document, editor, file and saved state.

Opening goes through the runtime's `load_flow` (the same strict loader `junction run`
uses) and saving through its canonical `save_flow`, so what the designer writes is
exactly what the runtime reads, and a file opened and saved unchanged stays byte for byte
the same. The undo stack's clean state is the "modified" mark.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from designer.document.editor import FlowEditor
from designer.document.layout import tidy_positions
from designer.document.model import FlowDocument
from runtime.api import Flow, LoadedFlow, dump_flow, load_flow, parse_flow, save_flow

BLANK_NAME = "Untitled flow"


def with_tidy_layout(flow: Flow) -> Flow:
    """Give positions to a flow that has none (or some missing): layered, left to right."""
    if all(node.position is not None for node in flow.nodes):
        return flow
    start = next((n.id for n in flow.nodes if n.kind == "start"), None)
    places = tidy_positions(flow.node_ids(), [(e.source, e.target) for e in flow.edges], start)
    nodes = [n if n.position is not None else n.model_copy(update={"position": places[n.id]})
             for n in flow.nodes]
    return flow.model_copy(update={"nodes": nodes})


def blank_flow() -> Flow:
    """A new flow: a start and an end, ready for the first steps in between."""
    return Flow.model_validate({
        "name": BLANK_NAME,
        "nodes": [{"id": "start", "kind": "start", "position": [0, 0]},
                  {"id": "done", "kind": "end", "title": "Done", "outcome": "done",
                   "position": [440, 0]}],
    })


class FlowSession(QObject):
    modified_changed = Signal(bool)
    path_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = uuid.uuid4().hex  # names this session's autosave copy
        self.document = FlowDocument(blank_flow(), parent=self)
        self.editor = FlowEditor(self.document, self)
        self.editor.undo_stack.cleanChanged.connect(
            lambda clean: self.modified_changed.emit(not clean))
        self.untouched = True  # a fresh blank flow nobody edited: Open may replace it

        self.document.changed.connect(self._touched)

    def _touched(self) -> None:
        self.untouched = False

    @property
    def path(self) -> Path | None:
        return self.document.path

    @property
    def display_name(self) -> str:
        return self.path.name if self.path else self.document.header.name

    def is_modified(self) -> bool:
        return not self.editor.undo_stack.isClean()

    def new(self, flow: Flow | None = None) -> None:
        self._replace(flow or blank_flow(), None)
        self.untouched = flow is None

    def open(self, path: str | Path) -> LoadedFlow:
        """Load with the runtime's loader; FlowError (with located problems) if it can't."""
        loaded = load_flow(path)
        self._replace(with_tidy_layout(loaded.flow), Path(path))
        return loaded

    def open_text(self, text: str, path: Path | None, modified: bool) -> None:
        """Open recovered text (an autosave copy) as if it were the file at `path`."""
        loaded = parse_flow(text, filename=str(path or "<recovered>"), path=path)
        self._replace(with_tidy_layout(loaded.flow), path)
        if modified:
            self.editor.undo_stack.resetClean()
            self.modified_changed.emit(True)

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("an untitled flow needs a file name: use save(path)")
        save_flow(self.document.flow(), target)
        if target != self.path:
            self.document.path = target
            self.path_changed.emit()
        self.editor.undo_stack.setClean()
        return target

    def text(self) -> str:
        return dump_flow(self.document.flow())

    def _replace(self, flow: Flow, path: Path | None) -> None:
        self.editor.undo_stack.clear()
        self.document.load(flow, path)
        self.editor.undo_stack.setClean()
        self.untouched = False
        self.path_changed.emit()
        self.modified_changed.emit(False)
