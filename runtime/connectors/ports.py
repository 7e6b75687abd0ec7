"""What connectors need from the workspace: a port, not the store's connection.

Two kinds of tables belong to the connectors, not to the run store:

- the **send ledger** (`SendLedger`): for systems of record that cannot keep our
  idempotency keys themselves (a file, a webhook), the intent to send a change set is
  committed as `pending` before anything leaves the process and marked `applied` (or
  `absent`) afterwards — see `ledgered.py`;
- the **workspace record table** (`RecordTable`): the default system of record, where a
  change and its idempotency key are written in one transaction.

`ConnectorTables` bundles both. The SQLite workspace implements them in
`sqlite_tables.py`; another backend implements the same two protocols.

**Joining the store's unit of work.** When the record table lives in the same database
file as the run store (`ConnectorTables.location` equals the store's `database_path`), the
engine does not let the connector commit on its own: it asks the store for one
transaction that writes the step, the record change and their audit rows together, and
the store hands the connector its open transaction (`RecordTable.apply_within`). A power
cut then loses all of them or none, so no separate fsync is needed. A connector on another
database, a file or a webhook keeps its own ledger and its own durable commits. Neither
side imports the other: the handle is a plain DB-API connection of the shared database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runtime.connectors.base import ApplyResult

PENDING, APPLIED, ABSENT = "pending", "applied", "absent"


@dataclass(frozen=True)
class LedgerEntry:
    connector: str
    key: str
    case_id: str
    changes: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    status: str
    sends: int
    detail: str | None


class SendLedger(Protocol):
    def get(self, connector: str, key: str) -> LedgerEntry | None: ...

    def begin(self, connector: str, key: str, case_id: str, changes: dict[str, Any],
              before: dict[str, Any], after: dict[str, Any]) -> None:
        """Commit the intent to send (and count the send) durably, before anything leaves
        the process: after a power cut the ledger still says a send may have happened."""

    def finish(self, connector: str, key: str, status: str, detail: str = "") -> None:
        """Set an entry's status (one commit)."""

    def answer(self, connector: str, key: str, status: str, detail: str, *,
               sends: int | None) -> bool:
        """Record a person's answer about a `pending` entry (one durable commit), but only
        while it is still the send they were asked about: pending, and sent `sends` times
        (None: any count). Returns whether the answer was recorded. Applying the same
        answer twice is harmless; a stale one (the change was sent again since) is not
        applied."""

    def mirror(self, connector: str, case_id: str) -> dict[str, Any]:
        """The record as this connector last wrote it (for systems Junction cannot read)."""

    def entries(self, connector: str | None = None) -> list[LedgerEntry]:
        """Every entry, oldest first."""


class RecordTable(Protocol):
    def read(self, table: str, case_id: str) -> dict[str, Any]: ...

    def apply(self, table: str, case_id: str, changes: dict[str, Any],
              key: str) -> ApplyResult:
        """Merge `changes` into the record and remember `key`, in one commit; a key seen
        before returns the first result (`replayed`) and writes nothing."""

    def apply_within(self, handle: Any, table: str, case_id: str, changes: dict[str, Any],
                     key: str) -> ApplyResult:
        """`apply` inside a transaction someone else opened and will commit (`handle` is a
        DB-API connection of the same database, already in a write transaction). Writes
        nothing of its own accord: a rollback of the caller's transaction undoes it."""

    def prepare(self) -> None:
        """Create the tables if needed (called outside any transaction, before the first
        `apply_within`, so the caller's write lock is never waited on)."""

    def all_records(self, table: str) -> dict[str, dict[str, Any]]: ...


@dataclass(frozen=True)
class ConnectorTables:
    """The tables connectors own in one workspace."""

    ledger: SendLedger
    records: RecordTable
    #: The database file the tables live in (resolved), or None when they are not in a
    #: file on this machine; a store writing the same file can share its transactions.
    location: Path | None = None

    def close(self) -> None:
        for part in (self.ledger, self.records):
            close = getattr(part, "close", None)
            if close is not None:
                close()
