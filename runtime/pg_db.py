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

A *unit of work* (`begin_unit` … `end_unit`, see RunStore.begin_unit) is one transaction
that takes the write lock once and spans many writes, each of them a savepoint inside it
(undone alone if it fails): a stretch of a run pays for one commit instead of one per
write. A durable write ends the unit first, so its WAL flush covers the unit's commit too.

A connection the server dropped (a restart, `pg_terminate_backend`, a network cut) is
replaced on the next call: the transaction it was in is rolled back by the server, so
nothing half-written remains (an open unit is lost whole), and the caller sees the error
of the call that was cut.
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

UNIT_LOST = ("the team store dropped the connection; the server rolled back the open unit "
             "of work (nothing of it was kept) — run it again")


class StoreUnavailable(JunctionError):
    """The team server could not be reached or dropped the connection mid-call."""


def connect(url: str) -> Connection:
    try:
        return psycopg.connect(url, autocommit=True, row_factory=dict_row,
                               application_name="junction", connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"cannot reach the team store {redact(url)}: "
                               f"{_first_line(exc)}") from None


class Handle:
    """A connection that is replaced when the server dropped it, shared by threads one
    call at a time (the designer's worker thread and its GUI thread both read)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Connection | None = connect(url)
        self.lock = threading.RLock()
        self.in_unit = False

    @property
    def conn(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._conn is not None:
                self._conn.close()
            if self.in_unit:  # never carry on as if the lost unit's writes were there
                self.in_unit = False
                raise StoreUnavailable(UNIT_LOST)
            self._conn = connect(self.url)
        return self._conn

    def close(self) -> None:
        with self.lock:
            try:
                self.end_unit()  # like SQLite's close: an open unit is committed
            finally:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.lock:
            try:
                yield self.conn
            except psycopg.OperationalError as exc:
                raise self._cut(exc) from exc

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Connection]:
        """One transaction holding the store's write lock; rolled back on any error. In an
        open unit of work, a savepoint of the unit's transaction instead (a durable write
        ends the unit and commits on its own)."""
        with self.lock:
            if self.in_unit and durable:
                self.end_unit()
            conn = self.conn
            try:
                with conn.transaction():  # a savepoint when the unit's transaction is open
                    if not self.in_unit:
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                        if not durable:
                            conn.execute("SET LOCAL synchronous_commit = off")
                    yield conn
            except psycopg.OperationalError as exc:
                raise self._cut(exc) from exc

    def _cut(self, exc: Exception) -> StoreUnavailable:
        """The error for a call the server cut; an open unit went with it."""
        lost, self.in_unit = self.in_unit, False
        return StoreUnavailable(f"{UNIT_LOST} ({_first_line(exc)})" if lost else _dropped(exc))

    # -- units of work -------------------------------------------------------------

    def begin_unit(self) -> None:
        """Open the unit's transaction and take the write lock (nothing when open)."""
        with self.lock:
            if self.in_unit:
                return
            conn = self.conn
            try:
                conn.execute("BEGIN")
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                conn.execute("SET LOCAL synchronous_commit = off")
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(_dropped(exc)) from exc
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self.in_unit = True

    def end_unit(self) -> None:
        """Commit the unit (which releases the write lock); nothing when none is open."""
        self._close_unit("COMMIT")

    def rollback_unit(self) -> None:
        """Undo the unit's writes (which releases the write lock)."""
        self._close_unit("ROLLBACK")

    def _close_unit(self, verb: str) -> None:
        with self.lock:
            if not self.in_unit:
                return
            self.in_unit = False
            conn = self._conn
            if conn is None or conn.closed or conn.broken:
                raise StoreUnavailable(UNIT_LOST)
            try:
                conn.execute(verb)
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(f"{UNIT_LOST} ({_first_line(exc)})") from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _dropped(exc: Exception) -> str:
    return (f"the team store dropped the connection ({_first_line(exc)}); nothing of this call was "
            "kept — try again")
