"""Fixtures for engine tests: a small returns flow copied into a temp folder, so a test
may edit the flow or its scripted answers without touching the repository."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.api import Workspace
from runtime.models import registry

HERE = Path(__file__).parent


@pytest.fixture
def returns_dir(tmp_path: Path) -> Path:
    target = tmp_path / "returns"
    shutil.copytree(HERE / "returns", target)
    return target


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    registry.clear_cache()
    ws = Workspace.open(tmp_path / "home")
    yield ws
    ws.close()
    registry.clear_cache()
