"""What only a server store must survive: several machines at once, and dropped connections.

Each test opens several handles (separate connections, as separate machines would) on one
database of a real PostgreSQL server (tests/team_server.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from optional_extras import needs

needs("team", "psycopg", "pgserver")

import psycopg  # noqa: E402
from team_server import new_database, server_url  # noqa: E402

from runtime.errors import ConflictError  # noqa: E402
from runtime.pg_db import StoreUnavailable  # noqa: E402
from runtime.store.audit import Entry  # noqa: E402
from runtime.store.pg_schema import SchemaError  # noqa: E402
from runtime.store.postgres import PostgresRunStore  # noqa: E402
from runtime.store.rows import NewStep  # noqa: E402
from runtime.store.states import RunStatus  # noqa: E402


@pytest.fixture
def handles() -> Iterator[Callable[..., PostgresRunStore]]:
    url = new_database("conc")
    opened: list[PostgresRunStore] = []

    def open_one(owner: str | None = None) -> PostgresRunStore:
        store = PostgresRunStore(url, owner=owner)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


def _new_run(store: PostgresRunStore, case_id: str = "c-1") -> str:
    run, _ = store.create_run(flow_text="format_version: 1\n", flow_sha="sha", flow_name="F",
                              flow_path=None, case_id=case_id, context={"case": {}})
    return run.id


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call at the same moment; each result is a value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def go(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_machines_deciding_the_same_task_exactly_one_wins(handles) -> None:
    first, second = handles("laptop-a:1"), handles("laptop-b:2")
    run_id = _new_run(first)
    first.claim(run_id, start_node="review")
    _, task_id = first.block_with_task(
        NewStep(run_id=run_id, node_id="review", kind="human", visit=1, status="blocked"),
        reason="needs a person", allowed=["approve", "reject"], packet={})
    results = _race([
        lambda: first.settle_task(task_id, decision={"action": "approve"}, decided_by="ana",
                                  step_update={"next_node": "pay"}),
        lambda: second.settle_task(task_id, decision={"action": "reject"}, decided_by="bo",
                                   step_update={"next_node": "refuse"}),
    ])
    wins = [r for r in results if isinstance(r, tuple) and r[1]]
    losses = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(losses) == 1, results
    winner = wins[0][0]
    assert winner.decided_by in str(losses[0])  # the loser is told who decided
    assert first.run(run_id).status is RunStatus.running
    decisions = [r for r in first.audit_rows(run_id=run_id) if r["kind"] == "decision"]
    assert len(decisions) == 1 and decisions[0]["actor"] == f"person:{winner.decided_by}"


def test_two_workers_claiming_the_same_run_exactly_one_does(handles) -> None:
    workers = [handles(f"worker-{i}.example:{100 + i}") for i in range(4)]
    run_id = _new_run(workers[0])
    results = _race([lambda w=w: w.claim(run_id, start_node="start") for w in workers])
    claimed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(claimed) == 1 and len(refused) == 3, results
    assert workers[0].run(run_id).owner == claimed[0].owner


def test_a_released_run_of_a_dead_worker_is_claimed_by_another(handles) -> None:
    dead, alive = handles("gone.example:7"), handles("here.example:8")
    run_id = _new_run(dead)
    dead.claim(run_id, start_node="start")
    with pytest.raises(ConflictError):
        alive.claim(run_id)
    assert alive.release(run_id, "heartbeat stopped")
    assert alive.claim(run_id).owner == "here.example:8"
    kinds = [r["kind"] for r in alive.audit_rows(run_id=run_id)]
    assert "run.released" in kinds and "run.claimed" in kinds


def test_the_audit_chain_appended_from_many_connections_never_forks(handles) -> None:
    stores = [handles(f"m{i}:1") for i in range(6)]

    def writer(store: PostgresRunStore, n: int) -> None:
        for k in range(15):
            store.append_audit([Entry("note", f"m{n}", subject=f"{n}-{k}"),
                                Entry("note", f"m{n}", subject=f"{n}-{k}b")])

    _race([lambda s=s, n=n: writer(s, n) for n, s in enumerate(stores)])
    check = stores[0].verify_audit()
    assert check.ok, check.problem
    assert check.rows == 6 * 15 * 2
    rows = stores[0].audit_rows()
    assert [r["seq"] for r in rows] == list(range(1, 181))
    # each call's two rows are adjacent: an append is never interleaved with another
    for a, b in zip(rows[::2], rows[1::2], strict=True):
        assert b["subject"] == a["subject"] + "b"


def test_a_connection_dropped_mid_transaction_loses_nothing_committed(handles) -> None:
    store, killer = handles(), handles()
    kept = _new_run(store, "kept")
    with (pytest.raises(StoreUnavailable, match="dropped the connection"),
          store._db.write() as conn):
        conn.execute("INSERT INTO flow_snapshots(sha, name, text, created_at)"
                     " VALUES ('half', 'H', 'x', 'now')")
        pid = conn.info.backend_pid
        with psycopg.connect(killer.url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        conn.execute("SELECT 1")
    # the handle reconnects on the next call; the cut transaction left nothing behind
    assert store.run(kept).case_id == "kept"
    assert killer._one("SELECT sha FROM flow_snapshots WHERE sha='half'") is None
    again = _new_run(store, "after")
    assert {r.id for r in killer.runs()} == {kept, again}
    assert killer.verify_audit().ok


def test_a_unit_cut_by_a_dropped_connection_is_lost_whole_and_said_so(handles) -> None:
    store, killer = handles(), handles()
    kept = _new_run(store, "kept")
    store.begin_unit()
    _new_run(store, "in-unit-1")
    pid = store._db.conn.info.backend_pid
    with psycopg.connect(killer.url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StoreUnavailable, match="open unit of work"):
        _new_run(store, "in-unit-2")  # never committed alone, as if the first were kept
    store.end_unit()  # nothing open any more: a no-op
    assert [r.case_id for r in killer.runs()] == ["kept"]
    after = _new_run(store, "after")  # the handle reconnects on the next call
    assert {r.id for r in killer.runs()} == {kept, after}
    assert killer.verify_audit().ok


def test_an_open_unit_holds_other_writers_until_it_ends(handles) -> None:
    store, other = handles(), handles()
    store.begin_unit()
    _new_run(store, "first")
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (_new_run(other, "second"), done.set()))
    waiter.start()
    assert not done.wait(0.5), "another machine's write waits for the unit's lock"
    store.end_unit()
    waiter.join(10)
    assert done.is_set()
    assert [r.case_id for r in other.runs()] == ["first", "second"]
    assert other.verify_audit().ok


def test_a_store_of_another_schema_version_is_refused_with_what_to_do() -> None:
    url = new_database("ver")
    PostgresRunStore(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(SchemaError, match="newer than this Junction"):
        PostgresRunStore(url)
    assert server_url().startswith("postgresql://")
