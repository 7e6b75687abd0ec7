"""Open the connector a flow names (the workspace table unless it says otherwise)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.connectors.base import Connector
from runtime.connectors.sqlite_table import SqliteRecordConnector
from runtime.errors import InputError
from runtime.flow.schema import Connector as ConnectorConfig


def open_connector(config: ConnectorConfig, store: Any, base_dir: Path) -> Connector:
    if config.kind == "sqlite":
        return SqliteRecordConnector(store.conn, config.path or "records")
    raise InputError(f"connector kind '{config.kind}' is not available in this build")
