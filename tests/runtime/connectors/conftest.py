"""Fixtures for the connector tests: the `review` flow (one enforce step whose approved
change is written through the flow's connector), copied into a temp folder so a test may
point it at another connector, and a workspace of the test's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REVIEW = Path(__file__).parent.parent / "guardrails" / "review"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    target = tmp_path / "review"
    shutil.copytree(REVIEW, target)
    return target


