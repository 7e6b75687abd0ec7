"""Exactly-once writes for systems that cannot store our idempotency keys themselves.

Subclasses say how to read a record, how to send a change set, and how to reconcile a
send whose outcome was lost; this class keeps the send ledger (a port, see `ports.py`) so
that:

- an `applied` key is never sent again (the first result is returned, `replayed`);
- a `pending` key (the process died or the line dropped after sending) is reconciled
  first: found → marked applied; not there → sent again; cannot tell → OutcomeUnknown,
  and the run blocks for a person;
- an `absent` key (nothing landed, or a person said so) is simply sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.connectors.base import ApplyResult, ConnectorUnavailable, OutcomeUnknown
from runtime.connectors.ports import ABSENT, APPLIED, PENDING, LedgerEntry, SendLedger

LANDED, NOT_LANDED = "landed", "not_landed"


class LedgeredConnector:
    name: str = "ledgered"

    def __init__(self, ledger: SendLedger) -> None:
        self.ledger = ledger
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

    def reconcile(self, entry: LedgerEntry) -> str:
        """LANDED or NOT_LANDED for a pending entry; raise OutcomeUnknown when unsure."""
        raise NotImplementedError

    # -- the protocol ------------------------------------------------------

    def apply(self, case_id: str, changes: dict[str, Any], key: str) -> ApplyResult:
        entry = self.ledger.get(self.name, key)
        if entry is not None and entry.status == APPLIED:
            return ApplyResult(entry.before, entry.after, replayed=True)
        if (entry is not None and entry.status == PENDING
                and self.reconcile(entry) == LANDED):
            self.ledger.finish(self.name, key, APPLIED, "reconciled: the change was found")
            return ApplyResult(entry.before, entry.after, replayed=True,
                               details={"reconciled": True})
        before = self.read(case_id)
        after = {**before, **changes}
        self.ledger.begin(self.name, key, case_id, changes, before, after)
        try:
            details = self.send(case_id, changes, after, key)
        except ConnectorUnavailable as exc:
            self.ledger.finish(self.name, key, ABSENT, str(exc))
            raise
        except OutcomeUnknown as exc:
            self.ledger.finish(self.name, key, PENDING, str(exc))
            raise
        self.checkpoint("sent")
        self.ledger.finish(self.name, key, APPLIED)
        resent = entry is not None
        return ApplyResult(before, after, details={**details, "resent": resent})

    # -- when nobody could tell whether a send landed ------------------------

    def sends(self, key: str) -> int | None:
        """How many times this change set was sent (asked before a person is asked)."""
        entry = self.ledger.get(self.name, key)
        return None if entry is None else entry.sends

    def record_answer(self, key: str, landed: bool, detail: str, *,
                      sends: int | None) -> bool:
        """A person said whether the change set sent `sends` times landed: `applied` is
        never sent again, `absent` is sent again with the same key. A stale answer (sent
        again since) changes nothing; see SendLedger.answer."""
        return self.ledger.answer(self.name, key, APPLIED if landed else ABSENT, detail,
                                  sends=sends)


def landed_in(record: dict[str, Any], entry: LedgerEntry) -> str:
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
