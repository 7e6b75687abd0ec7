"""Open the connector a flow names (the workspace table unless it says otherwise)."""

from __future__ import annotations

from pathlib import Path

from runtime.connectors.base import Connector, ConnectorUnavailable
from runtime.connectors.files import CsvConnector, JsonlConnector
from runtime.connectors.ports import ConnectorTables
from runtime.connectors.sqlite_table import SqliteRecordConnector
from runtime.connectors.webhook import WebhookConnector
from runtime.errors import InputError
from runtime.flow.schema import Connector as ConnectorConfig
from runtime.flow.schema import RecordField
from runtime.settings import default_table


def open_connector(config: ConnectorConfig, tables: ConnectorTables, base_dir: Path,
                   fields: list[RecordField] | None = None) -> Connector:
    """`path` is relative to the flow's folder; file connectors need one. `tables` is where
    connectors keep their send ledger and the workspace record table."""
    if config.kind == "sqlite":
        return SqliteRecordConnector(tables.records, config.path or default_table())
    if config.kind in ("csv", "jsonl"):
        if not config.path:
            raise InputError(f"a {config.kind} connector needs a 'path' to its records file")
        path = Path(config.path)
        if not path.is_absolute():
            path = base_dir / path
        kind = CsvConnector if config.kind == "csv" else JsonlConnector
        return kind(tables.ledger, path, list(fields or []))
    if config.kind == "webhook":
        try:
            return WebhookConnector(tables.ledger, config)
        except ConnectorUnavailable as exc:
            raise InputError(str(exc)) from None
    raise InputError(f"connector kind '{config.kind}' is not available in this build")
