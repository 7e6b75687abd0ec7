"""Fixtures for the guardrail, autonomy, handoff, connector and audit tests.

Flows live next to this file (`desk/`, `review/`) and are copied into a temp folder so a
test may rewrite them. The OS keyring is replaced in-process by a dictionary (this box
has no keyring backend; nothing here ever writes a secret to disk).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from guard_support import copy_flow


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    return copy_flow("desk", tmp_path)


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return copy_flow("review", tmp_path)


