"""`WorkspaceLink`: the window's connection to the workspace store the CLI writes too.

The GUI thread reads through one `Workspace` opened on first use; work that writes (a
decision that continues a run, a replay) runs in a worker that opens its own, so the two
never share an SQLite connection across threads (SQLite's WAL mode lets them, and a CLI
process, work side by side).
"""

from __future__ import annotations

from pathlib import Path

from runtime.api import Workspace, home_dir


class WorkspaceLink:
    def __init__(self, home: str | Path | None = None) -> None:
        self.home = home_dir(home)
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self.home.mkdir(parents=True, exist_ok=True)
            self._workspace = Workspace.open(self.home)
        return self._workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None
