"""Exactly-once writes for systems that cannot store our idempotency keys themselves.

Subclasses say how to read a record, how to send a change set, and how to reconcile a
send whose outcome was lost; this class keeps the ledger (see `ledger.py`) so that:

- an `applied` key is never sent again (the first result is returned, `replayed`);
- a `pending` key (the process died or the line dropped after sending) is reconciled
  first: found → marked applied; not there → sent again; cannot tell → OutcomeUnknown,
  and the run blocks for a person;
- an `absent` key (nothing landed, or a person said so) is simply sent again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from runtime.connectors import ledger
from runtime.connectors.base import ApplyResult, ConnectorUnavailable, OutcomeUnknown

LANDED, NOT_LANDED = "landed", "not_landed"


class LedgeredConnector:
    name: str = "ledgered"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # Called after a send returns and before the ledger says so (crash tests set it).
        self.checkpoint: Callable[[str], None] = lambda point: None

    # -- what subclasses provide -------------------------------------------

    def read(self, case_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def send(self, case_id: str, changes: dict[str, Any], after: dict[str, Any],
             key: str) -> dict[str, Any]:
        """Write the change set; return details for the audit trail. Raise
        ConnectorUnavailable when nothing was written, OutcomeUnknown when unsure."""
        raise NotImplementedError

    def reconcile(self, entry: ledger.LedgerEntry) -> str:
        """LANDED or NOT_LANDED for a pending entry; raise OutcomeUnknown when unsure."""
        raise NotImplementedError

    # -- the protocol ------------------------------------------------------

    def apply(self, case_id: str, changes: dict[str, Any], key: str) -> ApplyResult:
        entry = ledger.get(self.conn, self.name, key)
        if entry is not None and entry.status == ledger.APPLIED:
            return ApplyResult(entry.before, entry.after, replayed=True)
        if (entry is not None and entry.status == ledger.PENDING
                and self.reconcile(entry) == LANDED):
            ledger.finish(self.conn, self.name, key, ledger.APPLIED,
                          "reconciled: the change was found")
            return ApplyResult(entry.before, entry.after, replayed=True,
                               details={"reconciled": True})
        before = self.read(case_id)
        after = {**before, **changes}
        ledger.begin(self.conn, self.name, key, case_id, changes, before, after)
        try:
            details = self.send(case_id, changes, after, key)
        except ConnectorUnavailable as exc:
            ledger.finish(self.conn, self.name, key, ledger.ABSENT, str(exc))
            raise
        except OutcomeUnknown as exc:
            ledger.finish(self.conn, self.name, key, ledger.PENDING, str(exc))
            raise
        self.checkpoint("sent")
        ledger.finish(self.conn, self.name, key, ledger.APPLIED)
        resent = entry is not None
        return ApplyResult(before, after, details={**details, "resent": resent})


def landed_in(record: dict[str, Any], entry: ledger.LedgerEntry) -> str:
    """Compare a record read back with a pending change set: every changed field has its
    new value → LANDED; every one still has its old value → NOT_LANDED; anything else
    (someone else changed the record meanwhile) → OutcomeUnknown."""
    fields = list(entry.changes)
    if all(record.get(f) == entry.after.get(f) for f in fields):
        return LANDED
    if all(record.get(f) == entry.before.get(f) for f in fields):
        return NOT_LANDED
    raise OutcomeUnknown(f"case {entry.case_id} was changed by someone else since the "
                         f"change set {entry.key} was sent")
