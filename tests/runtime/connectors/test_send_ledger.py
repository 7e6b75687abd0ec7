"""The send ledger the file and webhook connectors keep in the workspace (their own tables,
behind the SendLedger port): a person's answer about a send applies only to that send."""

from __future__ import annotations

from pathlib import Path

from runtime.connectors.ports import ABSENT, APPLIED, PENDING
from runtime.connectors.sqlite_tables import open_sqlite_tables
from runtime.store.sqlite import SqliteRunStore

NAME, KEY = "webhook:http://127.0.0.1/records", "r-1:approve:1"


def test_an_answer_about_an_older_send_changes_nothing(tmp_path: Path) -> None:
    tables = open_sqlite_tables(tmp_path / "junction.db")
    ledger = tables.ledger
    ledger.begin(NAME, KEY, "c-1", {"refund": 5}, {}, {"refund": 5})
    ledger.begin(NAME, KEY, "c-1", {"refund": 5}, {}, {"refund": 5})  # sent again
    assert not ledger.answer(NAME, KEY, APPLIED, "ana said: applied", sends=1)
    assert ledger.get(NAME, KEY).status == PENDING  # type: ignore[union-attr]
    assert ledger.answer(NAME, KEY, ABSENT, "ana said: resend", sends=2)
    entry = ledger.get(NAME, KEY)
    assert entry is not None and (entry.status, entry.sends) == (ABSENT, 2)
    assert entry.detail == "ana said: resend"
    assert not ledger.answer(NAME, KEY, APPLIED, "late", sends=2)  # no longer pending
    tables.close()


def test_the_mirror_is_the_last_applied_record(tmp_path: Path) -> None:
    tables = open_sqlite_tables(tmp_path / "junction.db")
    ledger = tables.ledger
    assert ledger.mirror(NAME, "c-1") == {}
    ledger.begin(NAME, KEY, "c-1", {"refund": 5}, {}, {"refund": 5})
    assert ledger.mirror(NAME, "c-1") == {}  # pending is not yet the record
    ledger.finish(NAME, KEY, APPLIED)
    assert ledger.mirror(NAME, "c-1") == {"refund": 5}
    tables.close()


def test_connector_tables_live_beside_the_store_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "junction.db"
    store = SqliteRunStore(path)
    tables = open_sqlite_tables(path)
    tables.records.apply("records", "c-1", {"status": "open"}, "k-1")
    tables.ledger.begin(NAME, KEY, "c-1", {}, {}, {})
    assert tables.records.all_records("records") == {"c-1": {"status": "open"}}
    assert store.audit_rows() == [], "the tables never write the store's audit trail"
    # …so a change applied behind the engine's back is one `audit verify` names (issue 12)
    check = store.verify_audit()
    assert not check.ok and "record_changes k-1" in check.problem
    store.close()
    tables.close()
