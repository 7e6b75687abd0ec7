"""Which store a command works on: `--store URL`, else `JUNCTION_STORE`, else the settings
file's `workspace.store`, else the workspace's SQLite file (the default, one person on one
machine).

A `postgresql://…` URL selects the team store on a PostgreSQL server; a path or
`sqlite:///path` selects a SQLite file. The PostgreSQL driver is imported only when a
team store is asked for, so a laptop without the `team` extra never needs it.
"""

from __future__ import annotations

from pathlib import Path

from runtime import settings
from runtime.errors import InputError
from runtime.store.base import RunStore
from runtime.store.sqlite import SqliteRunStore
from runtime.urls import is_postgres_url

ENV = settings.ENVIRONMENT["workspace.store"]  # "JUNCTION_STORE"


def store_url(explicit: str | None = None) -> str | None:
    """The store the user chose (None: the workspace's SQLite file). The settings file is
    read only when neither the flag nor the environment names one."""
    return chosen_store(explicit).value or None


def chosen_store(explicit: str | None = None) -> settings.Effective:
    """The store URL that applies and where it came from (for `junction doctor`, the
    settings dialog): flag > `JUNCTION_STORE` > settings file > default."""
    return settings.effective("workspace.store", flag=explicit)


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url)


def open_store(url: str) -> RunStore:
    """The store a URL names (PostgreSQL URL, `sqlite:///file` or a file path)."""
    if is_postgres_url(url):
        try:
            from runtime.store.postgres import PostgresRunStore
        except ImportError as exc:
            raise InputError(f"a postgresql:// store needs the team extra ({exc.name} is "
                             "missing): pip install 'junction[team]'") from None
        return PostgresRunStore(url)
    if "://" in url and not url.startswith("sqlite:///"):
        raise InputError(f"--store {url.split('://')[0]}://…: not a store Junction knows; give "
                         "postgresql://user@host/db or a SQLite file path")
    return SqliteRunStore(sqlite_path(url))
