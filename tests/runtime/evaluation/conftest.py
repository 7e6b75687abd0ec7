"""Fixtures of the evaluation tests (the scripted template copy lives in eval_support)."""

from __future__ import annotations

from pathlib import Path

import pytest
from eval_support import make_scripted_triage


@pytest.fixture
def scripted_triage(tmp_path: Path) -> Path:
    return make_scripted_triage(tmp_path)
