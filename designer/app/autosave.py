"""Autosave copies, so a crash (or a power cut) loses at most a few seconds of work.

A few seconds after the last edit, a modified flow's text is written next to a small JSON
note naming the file it belongs to. Saving or closing cleanly removes both; anything left
at the next start is offered back. The copies live in their own folder under the
Junction home, never next to the user's file, so they cannot end up in someone's git.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from designer.app.session import FlowSession
from runtime.api import home_dir, pid_alive

DELAY_MS = 3000


def default_folder() -> Path:
    return home_dir() / "designer-autosave"


@dataclass(frozen=True)
class Leftover:
    """An autosave copy found at start-up: what it was and where it belongs."""

    copy: Path
    original: Path | None
    name: str
    saved_at: float

    def text(self) -> str:
        return self.copy.read_text(encoding="utf-8")

    def discard(self) -> None:
        self.copy.unlink(missing_ok=True)
        self.copy.with_suffix(".json").unlink(missing_ok=True)


class Autosaver(QObject):
    """Watches one session and keeps its autosave copy current."""

    def __init__(self, session: FlowSession, folder: Path, delay_ms: int = DELAY_MS) -> None:
        super().__init__(session)
        self.session = session
        self.folder = folder
        self.timer = QTimer(self, singleShot=True, interval=delay_ms)
        self.timer.timeout.connect(self.write_now)
        session.document.changed.connect(self.timer.start)
        session.modified_changed.connect(self._on_modified)

    @property
    def copy_path(self) -> Path:
        return self.folder / f"{self.session.key}.yaml"

    def _on_modified(self, modified: bool) -> None:
        if not modified:
            self.timer.stop()
            self.discard()

    def write_now(self) -> None:
        if not self.session.is_modified():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        note = {"original": str(self.session.path) if self.session.path else None,
                "name": self.session.document.header.name, "saved_at": time.time(),
                "pid": os.getpid()}
        scratch = self.copy_path.with_suffix(".tmp")
        scratch.write_text(self.session.text(), encoding="utf-8")
        scratch.replace(self.copy_path)
        self.copy_path.with_suffix(".json").write_text(json.dumps(note), encoding="utf-8")

    def discard(self) -> None:
        self.copy_path.unlink(missing_ok=True)
        self.copy_path.with_suffix(".json").unlink(missing_ok=True)


def leftovers(folder: Path) -> list[Leftover]:
    """Autosave copies from sessions that did not end cleanly, newest first.

    Copies owned by a designer that is still running (another window's process) are
    left alone.
    """
    found = []
    for copy in folder.glob("*.yaml") if folder.is_dir() else ():
        try:
            note = json.loads(copy.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            note = {}
        if pid_alive(note.get("pid")):
            continue
        original = note.get("original")
        found.append(Leftover(copy, Path(original) if original else None,
                              note.get("name") or copy.stem,
                              float(note.get("saved_at") or copy.stat().st_mtime)))
    return sorted(found, key=lambda item: -item.saved_at)
