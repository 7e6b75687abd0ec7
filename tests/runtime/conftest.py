"""Fixtures shared by the runtime tests of several packages (engine, command line)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture
def returns_dir(tmp_path: Path) -> Path:
    """A small returns flow with scripted answers, copied into a temp folder so a test
    may edit the flow or its answers without touching the repository."""
    target = tmp_path / "returns"
    shutil.copytree(HERE / "returns", target)
    return target
