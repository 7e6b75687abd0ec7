"""Where a workspace lives: `--home DIR`, else `JUNCTION_HOME`, else the settings file's
`workspace.home`, else the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_NAME = "junction.db"


def home_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("JUNCTION_HOME")
    if env:
        return Path(env).expanduser()
    from runtime import settings  # the settings file is read when the folder is asked for

    configured = settings.load().workspace.home
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("junction", appauthor=False))


def database_path(home: Path) -> Path:
    return home / DB_NAME
