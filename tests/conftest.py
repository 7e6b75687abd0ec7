"""Suite-wide settings: no test reaches the network or the user's real workspace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paths import TEMPLATES

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own JUNCTION_HOME unless it passes --home explicitly."""
    monkeypatch.setenv("JUNCTION_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("JUNCTION_FAULT", raising=False)


@pytest.fixture
def support_triage() -> Path:
    return TEMPLATES / "support-triage"
