"""The contract every system-of-record connector keeps, run against each of them: a change
set is applied once per idempotency key, whatever happens around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from webhook_sink import PATH, Sink

from runtime.api import Workspace
from runtime.connectors.base import Connector
from runtime.connectors.registry import open_connector
from runtime.flow.schema import Connector as ConnectorConfig
from runtime.flow.schema import FieldType, RecordField

FIELDS = [
    RecordField(name="status", type=FieldType.enum, values=["open", "closed"]),
    RecordField(name="refund", type=FieldType.number),
]


@pytest.fixture(params=["sqlite", "csv", "jsonl", "webhook"])
def connector(request: pytest.FixtureRequest, tmp_path: Path,
              httpserver: HTTPServer) -> tuple[Connector, Sink | None]:
    workspace = Workspace.open(tmp_path / "home")
    request.addfinalizer(workspace.close)
    sink = None
    if request.param == "webhook":
        sink = Sink(deduplicates=True)
        sink.install(httpserver)
        config = ConnectorConfig(kind="webhook", url=httpserver.url_for(PATH),
                                 deduplicates=True)
    elif request.param in ("csv", "jsonl"):
        config = ConnectorConfig(kind=request.param, path=f"records.{request.param}")
    else:
        config = ConnectorConfig()
    return open_connector(config, workspace.connectors, tmp_path, FIELDS), sink


def test_an_unknown_case_has_an_empty_record(connector: tuple[Connector, Sink | None]) -> None:
    conn, _ = connector
    assert conn.read("nobody") == {}


def test_a_change_set_is_applied_and_read_back(connector: tuple[Connector, Sink | None]) -> None:
    conn, _ = connector
    result = conn.apply("c-1", {"status": "open", "refund": 12.5}, "r-1:update:1")
    assert not result.replayed
    assert result.before == {}
    assert result.after == {"status": "open", "refund": 12.5}
    assert conn.read("c-1") == {"status": "open", "refund": 12.5}


def test_the_same_key_twice_changes_nothing_the_second_time(
        connector: tuple[Connector, Sink | None]) -> None:
    conn, sink = connector
    first = conn.apply("c-1", {"refund": 10}, "r-1:pay:1")
    again = conn.apply("c-1", {"refund": 10}, "r-1:pay:1")
    assert again.replayed and again.after == first.after
    assert conn.read("c-1") == {"refund": 10}
    if sink is not None:
        assert len(sink.effects) == 1


def test_changes_with_different_keys_accumulate_per_case(
        connector: tuple[Connector, Sink | None]) -> None:
    conn, _ = connector
    conn.apply("c-1", {"status": "open"}, "r-1:a:1")
    conn.apply("c-2", {"status": "closed"}, "r-2:a:1")
    result = conn.apply("c-1", {"refund": 3}, "r-1:b:1")
    assert result.before == {"status": "open"}
    assert conn.read("c-1") == {"status": "open", "refund": 3}
    assert conn.read("c-2") == {"status": "closed"}
