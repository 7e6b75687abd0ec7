"""How the SQLite store writes: one transaction per verb, or a savepoint of an open unit of
work, with the audit rows each verb describes appended before the commit that keeps it.

Every verb is a `BEGIN IMMEDIATE` transaction (the write lock is taken before the first
read, so read-modify-write verbs are serialised across processes). Inside a unit of work
(see RunStore.begin_unit) a verb is a savepoint instead, undone alone if it fails; its
audit rows wait, stamped with the time the verb ran, and the unit appends them all just
before its COMMIT — one chain-head read, one prepared insert, one head update per commit.
A durable verb ends the unit first and then commits on its own with an fsync, which covers
the unit's commit too: something outside the database is about to depend on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from runtime.store import sqlite_audit as audit
from runtime.store.audit import Entry
from runtime.store.base import Within
from runtime.store.db import transaction


class SqliteWrites:
    def __init__(self, conn: sqlite3.Connection,
                 on_rollback: Callable[[], None] = lambda: None,
                 before_write: Callable[[], None] = lambda: None) -> None:
        """`on_rollback` hears that a unit was undone (the store forgets what it cached
        about rows written in it); `before_write` runs before every verb and before the
        unit's commit (the store writes the rows it kept back, see sqlite_group.py)."""
        self.conn = conn
        self.on_rollback = on_rollback
        self.before_write = before_write
        self.notes: list[Entry] = []
        self.unit_open = False
        # The audit rows of the open unit's verbs (with their times), appended at its end.
        self._unit_notes: list[tuple[str, list[Entry]]] = []

    @contextmanager
    def verb(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction (or a savepoint of the open unit); the audit rows noted
        meanwhile (`note`) are appended with it."""
        self.before_write()
        if self.unit_open and not durable:
            with self._savepoint() as c:
                yield c
            return
        self.end_unit()
        with transaction(self.conn, durable=durable) as c:
            self.notes = []
            try:
                yield c
                audit.append(c, self.notes)
            finally:
                self.notes = []

    @contextmanager
    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        c = self.conn
        c.execute("SAVEPOINT verb")
        self.notes = []
        try:
            yield c
            if self.notes:  # kept for the unit's end: one chain-head read per commit
                self._unit_notes.append((audit.stamp(), self.notes))
        except BaseException:
            c.execute("ROLLBACK TO verb")
            c.execute("RELEASE verb")
            raise
        finally:
            self.notes = []
        c.execute("RELEASE verb")

    def note(self, entries: list[Entry]) -> None:
        """Audit rows describing the current verb's writes."""
        self.notes.extend(entries)

    def note_in_unit(self, entries: list[Entry]) -> None:
        """Audit rows of work the store keeps back for the open unit's commit (stamped
        now, appended in order with the verbs' rows)."""
        if entries:
            self._unit_notes.append((audit.stamp(), entries))

    def begin_unit(self) -> None:
        if self.unit_open:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self.unit_open = True

    def rollback_unit(self) -> None:
        if self.unit_open:
            self.unit_open = False
            self._unit_notes = []
            self.on_rollback()
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def work_in_unit(self, within: Within) -> list[Entry] | None:
        if not self.unit_open:
            return None
        self.before_write()  # work kept back for other runs first: this work may read it
        c = self.conn
        c.execute("SAVEPOINT work")
        try:
            made = within(c)
        except BaseException:
            c.execute("ROLLBACK TO work")
            c.execute("RELEASE work")
            raise
        c.execute("RELEASE work")
        return made

    def end_unit(self) -> None:
        if not self.unit_open:
            return
        self.unit_open = False
        if not self.conn.in_transaction:  # SQLite already rolled it back: nothing to keep
            self._unit_notes = []
            self.on_rollback()
            return
        try:
            self.before_write()  # the rows the store kept back for this commit
            notes, self._unit_notes = self._unit_notes, []
            audit.append_groups(self.conn, notes)
        except BaseException:  # never a commit without its audit rows
            self._unit_notes = []
            self.on_rollback()
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
