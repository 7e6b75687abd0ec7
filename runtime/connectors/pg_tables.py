"""The connectors' own tables on the team's PostgreSQL server, on their own connection.

The PostgreSQL side of the ports in `ports.py` (the SQLite side is `sqlite_tables.py`).
The tables are created by the team store's migrations (runtime/store/pg_schema.py) so
one `junction store migrate` sets a server up; the connectors never use the store's
connection. Writes take the same advisory write lock as the store's (runtime/pg_db.py),
so an idempotency key is checked and written by one machine at a time: two workers
replaying the same step write the record once.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.connectors.base import ApplyResult
from runtime.connectors.ports import APPLIED, PENDING, ConnectorTables, LedgerEntry
from runtime.pg_db import Handle
from runtime.sqlite_db import dumps, now


class PgSendLedger:
    def __init__(self, db: Handle) -> None:
        self._db = db

    def get(self, connector: str, key: str) -> LedgerEntry | None:
        with self._db.read() as c:
            row = c.execute("SELECT * FROM connector_ledger WHERE connector=%s AND"
                            " idempotency_key=%s", (connector, key)).fetchone()
        return None if row is None else _entry(row)

    def begin(self, connector: str, key: str, case_id: str, changes: dict[str, Any],
              before: dict[str, Any], after: dict[str, Any]) -> None:
        stamp = now()
        with self._db.write() as c:
            c.execute(
                "INSERT INTO connector_ledger(connector, idempotency_key, case_id, changes,"
                " before, after, status, sends, created_at, updated_at)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,1,%s,%s)"
                " ON CONFLICT (connector, idempotency_key) DO UPDATE SET"
                " status=excluded.status, before=excluded.before, after=excluded.after,"
                " sends=connector_ledger.sends+1, updated_at=excluded.updated_at",
                (connector, key, case_id, dumps(changes), dumps(before), dumps(after), PENDING,
                 stamp, stamp))

    def finish(self, connector: str, key: str, status: str, detail: str = "") -> None:
        with self._db.write(durable=False) as c:
            c.execute("UPDATE connector_ledger SET status=%s, detail=%s, updated_at=%s"
                      " WHERE connector=%s AND idempotency_key=%s",
                      (status, detail or None, now(), connector, key))

    def answer(self, connector: str, key: str, status: str, detail: str, *,
               sends: int | None) -> bool:
        with self._db.write() as c:
            cur = c.execute(
                "UPDATE connector_ledger SET status=%s, detail=%s, updated_at=%s"
                " WHERE connector=%s AND idempotency_key=%s AND status=%s"
                " AND (%s::int IS NULL OR sends=%s::int)",
                (status, detail or None, now(), connector, key, PENDING, sends, sends))
            return cur.rowcount == 1

    def mirror(self, connector: str, case_id: str) -> dict[str, Any]:
        with self._db.read() as c:
            row = c.execute("SELECT after FROM connector_ledger WHERE connector=%s AND"
                            " case_id=%s AND status=%s ORDER BY updated_at DESC, ord DESC"
                            " LIMIT 1", (connector, case_id, APPLIED)).fetchone()
        return {} if row is None else dict(json.loads(row["after"]))

    def entries(self, connector: str | None = None) -> list[LedgerEntry]:
        sql, args = "SELECT * FROM connector_ledger", []
        if connector:
            sql += " WHERE connector=%s"
            args.append(connector)
        with self._db.read() as c:
            rows = c.execute(sql + " ORDER BY created_at, ord", args).fetchall()
        return [_entry(row) for row in rows]

    def close(self) -> None:
        self._db.close()


class PgRecordTable:
    def __init__(self, db: Handle) -> None:
        self._db = db

    def read(self, table: str, case_id: str) -> dict[str, Any]:
        with self._db.read() as c:
            row = c.execute("SELECT data FROM records WHERE tbl=%s AND case_id=%s",
                            (table, case_id)).fetchone()
        return {} if row is None else dict(json.loads(row["data"]))

    def prepare(self) -> None:
        """The tables come with the team store's migrations; nothing to create here."""

    def apply(self, table: str, case_id: str, changes: dict[str, Any],
              key: str) -> ApplyResult:
        with self._db.write() as c:
            return self.apply_within(c, table, case_id, changes, key)

    def apply_within(self, handle: Any, table: str, case_id: str, changes: dict[str, Any],
                     key: str) -> ApplyResult:
        """`apply` inside the caller's transaction on the same server (it commits)."""
        c = handle
        done = c.execute("SELECT before, after FROM record_changes WHERE"
                         " idempotency_key=%s", (key,)).fetchone()
        if done is not None:
            return ApplyResult(json.loads(done["before"]), json.loads(done["after"]),
                               replayed=True)
        row = c.execute("SELECT data FROM records WHERE tbl=%s AND case_id=%s",
                        (table, case_id)).fetchone()
        before = {} if row is None else dict(json.loads(row["data"]))
        after = {**before, **changes}
        stamp = now()
        c.execute("INSERT INTO records(tbl, case_id, data, updated_at) VALUES (%s,%s,%s,%s)"
                  " ON CONFLICT (tbl, case_id) DO UPDATE SET data=excluded.data,"
                  " updated_at=excluded.updated_at", (table, case_id, dumps(after), stamp))
        c.execute("INSERT INTO record_changes(idempotency_key, tbl, case_id, changes,"
                  " before, after, applied_at) VALUES (%s,%s,%s,%s,%s,%s,%s)",
                  (key, table, case_id, dumps(changes), dumps(before), dumps(after), stamp))
        return ApplyResult(before, after)

    def all_records(self, table: str) -> dict[str, dict[str, Any]]:
        with self._db.read() as c:
            rows = c.execute("SELECT case_id, data FROM records WHERE tbl=%s ORDER BY case_id",
                             (table,)).fetchall()
        return {r["case_id"]: json.loads(r["data"]) for r in rows}

    def close(self) -> None:
        self._db.close()


def open_pg_tables(url: str) -> ConnectorTables:
    """The connectors' tables on the team server at `url` (one connection for both)."""
    db = Handle(url)
    return ConnectorTables(ledger=PgSendLedger(db), records=PgRecordTable(db))


def _entry(row: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(row["connector"], row["idempotency_key"], row["case_id"],
                       json.loads(row["changes"]), json.loads(row["before"]),
                       json.loads(row["after"]), row["status"], int(row["sends"]),
                       row["detail"])
