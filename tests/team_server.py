"""A real PostgreSQL 16 server for the tests, from the `pgserver` package: started once per
test session (on first use) in a temporary folder, removed when the session ends.

`database_url(name)` gives a URL to a database of its own, created on first use, so each
test starts from empty tables and a second handle on the same name sees the same data.
"""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
import threading
from typing import Any

from optional_extras import needs

_lock = threading.Lock()
_server: Any = None
_folder: str | None = None
_counter = itertools.count(1)


def _start() -> Any:
    global _server, _folder
    with _lock:
        if _server is None:
            needs("team", "psycopg", "pgserver")
            import pgserver

            _folder = tempfile.mkdtemp(prefix="junction-pg-")
            _server = pgserver.get_server(_folder, cleanup_mode="stop")
            atexit.register(_stop)
        return _server


def _stop() -> None:
    if _server is not None:
        try:  # connections left open (a worker's pool) would make a clean stop wait
            import psycopg

            with psycopg.connect(server_url(), autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                             " WHERE pid <> pg_backend_pid() AND backend_type='client backend'")
        except Exception:
            pass
        _server.cleanup()
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)


def server_url(database: str = "postgres") -> str:
    """The URL of `database` on the session's server (the socket folder is the host)."""
    server = _start()
    return f"postgresql://postgres:@/{database}?host={server.pgdata}"


def new_database(prefix: str = "t") -> str:
    """Create an empty database with a fresh name and return its URL."""
    import psycopg

    name = f"{prefix}_{next(_counter)}"
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url(name)


_named: dict[str, str] = {}


def database_url(key: str) -> str:
    """The URL of the database called `key` in this session, created on first use."""
    with _lock:
        url = _named.get(key)
    if url is None:
        url = new_database("db")
        with _lock:
            url = _named.setdefault(key, url)
    return url
