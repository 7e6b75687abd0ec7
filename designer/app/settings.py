"""What the designer remembers between runs: recent files and where autosaves go.

Stored in an INI file through QSettings. Everything that touches the user's profile takes
explicit paths here, so tests (and a portable install) can point it at a folder of their
own instead of the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_documents_path
from PySide6.QtCore import QSettings

from designer.app.autosave import default_folder

MAX_RECENT = 8


def default_templates_folder() -> Path:
    """`templates/` of the checkout or installed tree this designer came from."""
    return Path(__file__).resolve().parents[2] / "templates"


def default_flows_folder() -> Path:
    """Where new flows are saved unless the person picks another folder: a folder of
    their own under Documents, made on first use (not the process's working folder)."""
    return user_documents_path() / "Junction Flows"


def default_settings_file() -> Path:
    return default_folder().parent / "designer.ini"


@dataclass
class DesignerSettings:
    settings_file: Path = field(default_factory=default_settings_file)
    autosave_folder: Path = field(default_factory=default_folder)
    templates_folder: Path = field(default_factory=default_templates_folder)
    new_flows_folder: Path = field(default_factory=default_flows_folder)
    #: The workspace whose runs the Runs view shows (None: the CLI's default, so a run
    #: started with `junction batch` shows up here).
    workspace_home: Path | None = None

    def _store(self) -> QSettings:
        return QSettings(str(self.settings_file), QSettings.Format.IniFormat)

    def recent_files(self) -> list[Path]:
        items = _strings(self._store().value("recent_files", []))
        return [Path(p) for p in items if p and Path(p).exists()]

    def recent_names(self) -> dict[Path, str]:
        """The flow name each recent file had when last opened or saved."""
        store = self._store()
        paths, names = (_strings(store.value(k, [])) for k in ("recent_files", "recent_names"))
        return {Path(p): n for p, n in zip(paths, names, strict=False) if n}

    def recent_title(self, path: Path) -> str:
        """What a recent-files list shows: the flow's name, not `flow.yaml`."""
        return self.recent_names().get(path) or (
            path.parent.name if path.stem == "flow" else path.stem)

    def add_recent(self, path: Path, name: str = "") -> None:
        path = path.resolve()
        names = self.recent_names()
        recent = [p for p in self.recent_files() if p.resolve() != path][: MAX_RECENT - 1]
        store = self._store()
        store.setValue("recent_files", [str(p) for p in [path, *recent]])
        store.setValue("recent_names", [name, *(names.get(p, "") for p in recent)])
        store.sync()

    def pane_state(self, name: str) -> bool | None:
        """A remembered fold state of the window's panes (None: never set)."""
        value = self._store().value(f"panes/{name}")
        return None if value is None else str(value).lower() in ("true", "1")

    def set_pane_state(self, name: str, state: bool) -> None:
        store = self._store()
        store.setValue(f"panes/{name}", state)
        store.sync()

    def ensure_flows_folder(self) -> Path:
        """The new-flows folder, created the first time something is saved there."""
        self.new_flows_folder.mkdir(parents=True, exist_ok=True)
        return self.new_flows_folder


def _strings(value: object) -> list[str]:
    """A QSettings list value (INI files give a bare string for a one-item list)."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []
