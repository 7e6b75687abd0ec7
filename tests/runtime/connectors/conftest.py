"""Fixtures for the connector tests: the `review` flow (one enforce step whose approved
change is written through the flow's connector), copied into a temp folder so a test may
point it at another connector, and a workspace of the test's own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.api import Workspace
from runtime.models import registry

REVIEW = Path(__file__).parent.parent / "guardrails" / "review"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    target = tmp_path / "review"
    shutil.copytree(REVIEW, target)
    return target


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def workspace(home: Path) -> Iterator[Workspace]:
    registry.clear_cache()
    ws = Workspace.open(home)
    yield ws
    ws.close()
    registry.clear_cache()
