"""Upgrades keep people's data: a workspace written by an earlier Junction still opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from frozen_workspace import restore_v1

from runtime.api import Workspace
from runtime.store import migrations
from runtime.store.db import SCHEMA_VERSION


@pytest.fixture
def old_workspace(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    restore_v1(home / "junction.db")
    return home


def _facts(path: Path) -> dict[str, object]:
    conn = sqlite3.connect(path)
    try:
        return {
            "runs": conn.execute("SELECT id, status, outcome FROM runs ORDER BY id").fetchall(),
            "steps": conn.execute("SELECT count(*) FROM steps").fetchone()[0],
            "tasks": conn.execute("SELECT id, status, decided_by FROM tasks ORDER BY id")
            .fetchall(),
            "audit": conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq").fetchall(),
        }
    finally:
        conn.close()


def test_a_frozen_workspace_from_version_1_opens_with_everything_in_it(old_workspace: Path) -> None:
    before = _facts(old_workspace / "junction.db")
    assert before["runs"] and before["audit"]
    workspace = Workspace.open(old_workspace)
    try:
        runs = workspace.store.runs()
        assert sorted((r.id, r.status, r.outcome) for r in runs) == sorted(
            tuple(row) for row in before["runs"])  # type: ignore[union-attr]
        assert all(workspace.store.steps(r.id) for r in runs)
        assert workspace.store.verify_audit().ok
        assert workspace.store.schema_version() == SCHEMA_VERSION
    finally:
        workspace.close()
    assert _facts(old_workspace / "junction.db") == before


def test_steps_apply_in_order_after_a_backup(old_workspace: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def add_label(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE runs ADD COLUMN label TEXT")

    def fill_label(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE runs SET label = 'case ' || case_id")

    monkeypatch.setattr(migrations, "STEPS", [(2, fill_label), (1, add_label)])
    path = old_workspace / "junction.db"
    before = _facts(path)
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrations.upgrade(conn, 3, path) == 1
    labels = conn.execute("SELECT label FROM runs").fetchall()
    assert labels and all(row[0].startswith("case ") for row in labels)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "3"
    conn.close()
    assert _facts(path.with_name("junction.db.v1.bak")) == before


def test_a_failing_step_leaves_the_database_as_it_was(old_workspace: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def breaks(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM runs")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(migrations, "STEPS", [(1, breaks)])
    path = old_workspace / "junction.db"
    before = _facts(path)
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrations.upgrade(conn, 2, path)
    assert migrations.stored_version(conn) == 1
    conn.close()
    assert _facts(path) == before


def test_a_workspace_from_a_newer_junction_is_refused_untouched(
        old_workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from runtime.cli.main import main

    path = old_workspace / "junction.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.close()
    before = _facts(path)
    assert main(["runs", "--home", str(old_workspace)]) == 2
    err = capsys.readouterr().err
    assert "newer Junction (schema version 99" in err and "Traceback" not in err
    assert _facts(path) == before
