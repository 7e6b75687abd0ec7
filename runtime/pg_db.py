"""PostgreSQL the house way, for every part of the runtime that keeps tables on a team server.

The counterpart of `sqlite_db.py`. One psycopg 3 connection per handle, in autocommit mode
so reads never hold a transaction open; writes run in explicit transactions that first
take one cluster-wide advisory lock (`WRITE_LOCK`). That lock is what SQLite's
`BEGIN IMMEDIATE` gives the laptop store: two processes — on any machine — never
interleave a read-modify-write, and the audit chain's head is read and extended by one
writer at a time, so it never forks. Commits are durable by default
(`synchronous_commit=on`); commits that gate nothing outside the database skip the wait
for the WAL flush (`SET LOCAL synchronous_commit = off`), which is the same trade the
SQLite store makes with `synchronous=NORMAL`.

A connection the server dropped (a restart, `pg_terminate_backend`, a network cut) is
replaced on the next call: the transaction it was in is rolled back by the server, so
nothing half-written remains, and the caller sees the error of the call that was cut.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from runtime.errors import JunctionError
from runtime.urls import redact

# pg_advisory_xact_lock key of the store's write lock ("JUNCTION" as a number).
WRITE_LOCK = 0x4A554E4354494F4E

Connection = psycopg.Connection[dict[str, Any]]


class StoreUnavailable(JunctionError):
    """The team server could not be reached or dropped the connection mid-call."""


def connect(url: str) -> Connection:
    try:
        return psycopg.connect(url, autocommit=True, row_factory=dict_row,
                               application_name="junction", connect_timeout=10)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"cannot reach the team store {redact(url)}: {first}") from None


class Handle:
    """A connection that is replaced when the server dropped it, shared by threads one
    call at a time (the designer's worker thread and its GUI thread both read)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Connection | None = connect(url)
        self.lock = threading.RLock()

    @property
    def conn(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._conn is not None:
                self._conn.close()
            self._conn = connect(self.url)
        return self._conn

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.lock:
            try:
                yield self.conn
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(_dropped(exc)) from exc

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Connection]:
        """One transaction holding the store's write lock; rolled back on any error."""
        with self.lock:
            conn = self.conn
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    if not durable:
                        conn.execute("SET LOCAL synchronous_commit = off")
                    yield conn
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(_dropped(exc)) from exc


def _dropped(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (f"the team store dropped the connection ({first}); nothing of this call was "
            "kept — try again")
