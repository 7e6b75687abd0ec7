"""Helpers shared by the guardrail tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from memory_keyring import MemoryKeyring  # noqa: F401  (re-exported for the tests here)

from runtime.api import Workspace

HERE = Path(__file__).parent


def copy_flow(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(HERE / name, target)
    return target


def read_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def records(workspace: Workspace) -> dict[str, dict[str, Any]]:
    return workspace.connectors.records.all_records("records")


def hits(workspace: Workspace, run_id: str) -> list[dict[str, Any]]:
    """Guardrail hits stored on the run's steps."""
    return [v for s in workspace.store.steps(run_id) for v in s.verdicts or [] if v["hit"]]
