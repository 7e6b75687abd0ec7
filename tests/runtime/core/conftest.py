"""Fixtures for engine tests (the returns flow they run is in tests/runtime/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.api import Workspace
from runtime.models import registry


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    registry.clear_cache()
    ws = Workspace.open(tmp_path / "home")
    yield ws
    ws.close()
    registry.clear_cache()
