"""The default system of record: a table in the workspace, keyed by case id.

The change and its idempotency key are written in one transaction (see
`RecordTable.apply`), so a replay with the same key returns the first result and writes
nothing. When the table is in the run store's database, the engine passes the store's
open transaction instead (`apply_within`): the change, its step and its audit rows then
commit as one.
"""

from __future__ import annotations

from typing import Any

from runtime.connectors.base import ApplyResult
from runtime.connectors.ports import RecordTable


class SqliteRecordConnector:
    def __init__(self, records: RecordTable, table: str = "records") -> None:
        self.records = records
        self.table = table
        self.name = f"sqlite:{table}"

    def read(self, case_id: str) -> dict[str, Any]:
        return self.records.read(self.table, case_id)

    def apply(self, case_id: str, changes: dict[str, Any], key: str) -> ApplyResult:
        return self.records.apply(self.table, case_id, changes, key)

    def apply_within(self, handle: Any, case_id: str, changes: dict[str, Any],
                     key: str) -> ApplyResult:
        """`apply` inside the caller's open transaction (it commits or rolls back)."""
        return self.records.apply_within(handle, self.table, case_id, changes, key)

    def prepare(self) -> None:
        self.records.prepare()

    def all_records(self) -> dict[str, dict[str, Any]]:
        return self.records.all_records(self.table)
