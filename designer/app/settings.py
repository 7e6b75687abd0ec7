"""What the designer remembers between runs: recent files and where autosaves go.

Stored in an INI file through QSettings. Everything that touches the user's profile takes
explicit paths here, so tests (and a portable install) can point it at a folder of their
own instead of the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings

from designer.app.autosave import default_folder

MAX_RECENT = 8


def default_templates_folder() -> Path:
    """`templates/` of the checkout or installed tree this designer came from."""
    return Path(__file__).resolve().parents[2] / "templates"


def default_settings_file() -> Path:
    return default_folder().parent / "designer.ini"


@dataclass
class DesignerSettings:
    settings_file: Path = field(default_factory=default_settings_file)
    autosave_folder: Path = field(default_factory=default_folder)
    templates_folder: Path = field(default_factory=default_templates_folder)
    new_flows_folder: Path = field(default_factory=lambda: Path.home() / "Junction flows")
    #: The workspace whose runs the Runs view shows (None: the CLI's default, so a run
    #: started with `junction batch` shows up here).
    workspace_home: Path | None = None

    def _store(self) -> QSettings:
        return QSettings(str(self.settings_file), QSettings.Format.IniFormat)

    def recent_files(self) -> list[Path]:
        value = self._store().value("recent_files", [])
        items = [value] if isinstance(value, str) else list(value) if isinstance(
            value, (list, tuple)) else []
        return [Path(p) for p in items if p and Path(p).exists()]

    def add_recent(self, path: Path) -> None:
        path = path.resolve()
        recent = [p for p in self.recent_files() if p.resolve() != path]
        store = self._store()
        store.setValue("recent_files", [str(p) for p in [path, *recent][:MAX_RECENT]])
        store.sync()
