"""Team-mode tests: a real PostgreSQL server (tests/team_server.py) and the real commands."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from optional_extras import needs

HERE = Path(__file__).parent


@pytest.fixture
def team_url() -> str:
    """A fresh, migrated-on-first-use database for one test."""
    needs("team", "psycopg", "procrastinate", "pgserver")
    from team_server import new_database

    return new_database("team")


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    """The test flows and cases, in a folder of the test's own."""
    target = tmp_path / "flows"
    shutil.copytree(HERE, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


@pytest.fixture
def junction(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, Any]]:
    """Run a `junction` command in this process: (exit code, JSON output or text)."""
    from runtime.cli.main import main

    def run(*args: str) -> tuple[int, Any]:
        code = main(list(args))
        out = capsys.readouterr()
        text = out.out.strip()
        try:
            return code, json.loads(text)
        except json.JSONDecodeError:
            return code, text + out.err
    return run
