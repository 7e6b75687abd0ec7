"""Schema 2: a workspace from schema 1 keeps its data and gets its steps' metric columns
backfilled, with the same values the write path stores for a new step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from frozen_workspace import restore_v1

from runtime.api import Workspace
from runtime.sqlite_db import loads
from runtime.store.sqlite_metrics import insert_values


def test_a_version_1_workspace_gets_the_metric_columns_filled(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    restore_v1(home / "junction.db")
    old = sqlite3.connect(home / "junction.db")
    steps_before = old.execute("SELECT id, output, decision, verdicts FROM steps"
                               " ORDER BY id").fetchall()
    old.close()
    assert steps_before

    Workspace.open(home).close()

    conn = sqlite3.connect(home / "junction.db")
    try:
        after = conn.execute("SELECT id, output, decision, verdicts, label, confidence,"
                             " decided_by, agrees, hit_rules FROM steps ORDER BY id").fetchall()
    finally:
        conn.close()
    assert [row[:4] for row in after] == steps_before  # nothing lost or changed
    for _id, output, decision, verdicts, *columns in after:
        expected = insert_values(loads(output), loads(decision), loads(verdicts))
        assert (columns[0], columns[2], columns[3]) == (expected[0], expected[2], expected[3])
        assert columns[1] == expected[1]
        assert loads(columns[4]) == loads(expected[4])
    assert any(row[4] is not None for row in after), "the fixture has classify labels"
    assert any(row[6] == "human" for row in after), "…and a person's decision"


def test_an_older_workspace_knows_which_runs_involved_a_person(tmp_path: Path) -> None:
    """Schema 3: `runs.person` is filled from the tasks already stored, and runs whose
    task opens after the upgrade get it too."""
    home = tmp_path / "home"
    home.mkdir()
    restore_v1(home / "junction.db")
    old = sqlite3.connect(home / "junction.db")
    with_task = {r[0] for r in old.execute("SELECT DISTINCT run_id FROM tasks")}
    every = {r[0] for r in old.execute("SELECT id FROM runs")}
    old.close()
    assert with_task and every - with_task, "the fixture has runs with and without a task"

    Workspace.open(home).close()

    conn = sqlite3.connect(home / "junction.db")
    try:
        marked = {r[0] for r in conn.execute("SELECT id FROM runs WHERE person = 1")}
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    finally:
        conn.close()
    assert marked == with_task
    assert version == ("3",)
