"""The default system of record: a table in the workspace database, keyed by case id.

The change and its idempotency key are written in one transaction, so a replay with the
same key returns the first result and writes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from runtime.connectors.base import ApplyResult
from runtime.store.db import transaction
from runtime.store.runs import dumps, now


class SqliteRecordConnector:
    def __init__(self, conn: sqlite3.Connection, table: str = "records") -> None:
        self.conn = conn
        self.table = table
        self.name = f"sqlite:{table}"

    def read(self, case_id: str) -> dict[str, Any]:
        row = self.conn.execute("SELECT data FROM records WHERE tbl=? AND case_id=?",
                                (self.table, case_id)).fetchone()
        return {} if row is None else dict(json.loads(row["data"]))

    def apply(self, case_id: str, changes: dict[str, Any], key: str) -> ApplyResult:
        with transaction(self.conn) as c:
            done = c.execute("SELECT before, after FROM record_changes WHERE idempotency_key=?",
                             (key,)).fetchone()
            if done is not None:
                return ApplyResult(json.loads(done["before"]), json.loads(done["after"]),
                                   replayed=True)
            row = c.execute("SELECT data FROM records WHERE tbl=? AND case_id=?",
                            (self.table, case_id)).fetchone()
            before = {} if row is None else dict(json.loads(row["data"]))
            after = {**before, **changes}
            stamp = now()
            c.execute("INSERT INTO records(tbl, case_id, data, updated_at) VALUES (?,?,?,?)"
                      " ON CONFLICT(tbl, case_id) DO UPDATE SET data=excluded.data,"
                      " updated_at=excluded.updated_at",
                      (self.table, case_id, dumps(after), stamp))
            c.execute("INSERT INTO record_changes(idempotency_key, tbl, case_id, changes, before,"
                      " after, applied_at) VALUES (?,?,?,?,?,?,?)",
                      (key, self.table, case_id, dumps(changes), dumps(before), dumps(after),
                       stamp))
        return ApplyResult(before, after)

    def all_records(self) -> dict[str, dict[str, Any]]:
        rows = self.conn.execute("SELECT case_id, data FROM records WHERE tbl=?", (self.table,))
        return {r["case_id"]: json.loads(r["data"]) for r in rows}
