"""Runs that begin and end inside one unit of work, written at its commit in bulk.

A unit of work (a run alone, or 64 runs of a batch) is one SQLite transaction: nothing in
it is seen by anyone else, or survives a crash, before its COMMIT. So a run created
claimed in the unit and finished in it need not be inserted, updated and given its steps
statement by statement as it goes: its final row and its steps wait here and are written
just before the commit with one prepared statement per table for the whole unit
(issue 13: a statement costs more than the row it writes; a run's insert, its status
change and its steps were a dozen statements on tables with many indexes).

What a crash can lose is unchanged (the unit's uncommitted work, which had no effect
outside the database); what a reader of this connection sees is unchanged too: the
store writes what waits here before any other statement on its connection
(`SqliteRunStore._conn`), so a read or another verb always finds the rows in the table.
"""

from __future__ import annotations

import sqlite3
from collections import ChainMap
from collections.abc import Callable
from typing import Any

from runtime.store.rows import RUN_INSERT_COLUMNS, RunRow

# A new run's columns, then how it ended (all NULL for a run still going).
_INSERT_RUN_SQL = (f"INSERT INTO runs({', '.join(RUN_INSERT_COLUMNS)}, outcome, error,"
                   f" finished_at) VALUES ({', '.join('?' for _ in RUN_INSERT_COLUMNS)},?,?,?)")


class KeptWork:
    """The handle `work_in_unit` gives work done for a run kept back in the unit (a
    record change in the workspace table): reads (`execute`) go to the connection as
    usual; writes (`later`) wait with the run's rows and are written with them, grouped
    by statement, each statement's rows in the order given. `memo` lets the work
    remember what it wrote (a record's state after a change) for its next read in the
    unit, since the table does not hold it yet.

    Offered only for a run created in the open unit: every idempotency key its work
    writes is new, so nothing written later can already be in the table. What one call
    queues or remembers is kept only if the call returns (`UnitRuns.work`): a failing
    change leaves nothing behind, as a savepoint would. Work for any other run writes
    what waits here first (it may read the same record)."""

    def __init__(self, conn: sqlite3.Connection, memo: dict[Any, Any]) -> None:
        self.conn = conn
        self.writes: list[tuple[str, tuple[Any, ...]]] = []
        self.memo: ChainMap[Any, Any] = ChainMap({}, memo)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def later(self, sql: str, params: tuple[Any, ...]) -> None:
        self.writes.append((sql, params))


class UnitRuns:
    """Runs created in the open unit and not yet written (`created`), and the rows of runs
    that also ended in it (`ended`, `steps`), in the order they happened."""

    def __init__(self, insert_step_sql: str) -> None:
        self._insert_step_sql = insert_step_sql
        self.created: dict[str, tuple[RunRow, str]] = {}  # run id → (row, context text)
        self._by_case: dict[tuple[str, str], RunRow] = {}  # (batch, case) → row here
        self.ended: list[tuple[Any, ...]] = []
        self.steps: list[tuple[Any, ...]] = []
        self.later: dict[str, list[tuple[Any, ...]]] = {}  # statement → rows, in order
        self._memo: dict[Any, Any] = {}

    def __bool__(self) -> bool:
        return bool(self.created or self.ended or self.later)

    def add_created(self, run: RunRow, context_text: str) -> None:
        self.created[run.id] = (run, context_text)
        if run.batch_id is not None:
            self._by_case[run.batch_id, run.case_id] = run

    def batch_run(self, batch_id: str, case_id: str) -> RunRow | None:
        """The run of this case in this batch waiting here (a batch naming a case twice
        runs it once, as when the first run is already in the table)."""
        return self._by_case.get((batch_id, case_id))

    def end(self, run: RunRow, context_text: str, steps: list[tuple[Any, ...]]) -> None:
        """`run` (created here) ended: its final row and its steps wait for the commit."""
        self.created.pop(run.id, None)
        if run.batch_id is not None:
            self._by_case[run.batch_id, run.case_id] = run
        self.ended.append((*run.insert_values(), context_text, run.outcome, run.error,
                           run.finished_at))
        self.steps.extend(steps)

    def work(self, conn: sqlite3.Connection,
             within: Callable[[KeptWork], list[Any]]) -> list[Any]:
        """Run `within` for a run kept here; keep what it queued and remembered only if it
        returns (see KeptWork)."""
        handle = KeptWork(conn, self._memo)
        made = within(handle)
        for sql, params in handle.writes:
            self.later.setdefault(sql, []).append(params)
        self._memo.update(handle.memo.maps[0])
        return made

    def write(self, conn: sqlite3.Connection) -> None:
        """Insert everything waiting (runs before their steps, then the work done for
        them), then forget it."""
        rows = [*self.ended, *((*run.insert_values(), text, None, None, None)
                               for run, text in self.created.values())]
        steps, later = self.steps, self.later
        self.clear()
        if rows:
            conn.executemany(_INSERT_RUN_SQL, rows)
        if steps:
            conn.executemany(self._insert_step_sql, steps)
        for sql, params in later.items():
            conn.executemany(sql, params)

    def clear(self) -> None:
        self.created, self._by_case, self.ended, self.steps = {}, {}, [], []
        self.later, self._memo = {}, {}
