"""Group commit: a batch commits its runs in groups, and a kill during a group loses that
group only — no record changed without its step and audit rows, none changed twice.

The drill flow changes the record twice per run in the workspace table (same database as
the journal), with the scripted model, so whole runs fit in one group (64 runs per commit).
`JUNCTION_FAULT=group:N` kills the process when the N-th group is written and about to
commit.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from test_crash_safety import junction

from runtime.api import Workspace
from runtime.engine.runner import GROUP_RUNS

GROUP = Path(__file__).parent / "group"
CASES = 150
NODES = ["start", "classify", "route", "auto", "update", "end"]


@pytest.fixture
def group_drill(tmp_path: Path) -> Path:
    target = tmp_path / "group"
    shutil.copytree(GROUP, target)
    return target


def batch(drill: Path) -> list[str]:
    return ["batch", str(drill / "flow.yaml"), "--cases", str(drill / "cases.jsonl"), "--json"]


def counts(home: Path) -> tuple[int, int, int, int]:
    db = sqlite3.connect(home / "junction.db")
    runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    completed = db.execute("SELECT COUNT(*) FROM runs WHERE status='completed'").fetchone()[0]
    changes = db.execute("SELECT COUNT(*) FROM record_changes").fetchone()[0]
    audited = db.execute("SELECT COUNT(*) FROM audit_log WHERE kind='record.change'"
                         ).fetchone()[0]
    db.close()
    return runs, completed, changes, audited


@pytest.mark.slow
def test_kill_during_a_group_commit_loses_that_group_only(group_drill: Path,
                                                          tmp_path: Path) -> None:
    home = tmp_path / "home"
    killed = junction(home, *batch(group_drill), fault="group:2", check=False)
    assert killed.returncode == -signal.SIGKILL
    # The first group was committed; the second (written, not committed) left nothing.
    assert counts(home) == (GROUP_RUNS, GROUP_RUNS, 2 * GROUP_RUNS, 2 * GROUP_RUNS)
    workspace = Workspace.open(home)
    assert workspace.store.verify_audit().ok
    workspace.close()

    summary = json.loads(junction(home, *batch(group_drill)).stdout)
    assert summary["counts"] == {"completed": CASES}
    assert summary["already_done"] == GROUP_RUNS
    assert counts(home) == (CASES, CASES, 2 * CASES, 2 * CASES)
    db = sqlite3.connect(home / "junction.db")
    per_case = Counter(case for (case,) in db.execute("SELECT case_id FROM record_changes"))
    assert set(per_case.values()) == {2}, "every case's two changes applied exactly once"
    for (data,) in db.execute("SELECT data FROM records"):
        assert json.loads(data) == {"handled_by": "ai", "status": "done"}
    for (run_id,) in db.execute("SELECT id FROM runs"):
        nodes = [n for (n,) in db.execute("SELECT node_id FROM steps WHERE run_id=? ORDER BY seq",
                                         (run_id,))]
        assert nodes == NODES
    db.close()


def test_batch_on_threads_runs_every_case_once_and_says_so(group_drill: Path,
                                                           tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = junction(home, *batch(group_drill), "--workers", "3")
    summary = json.loads(result.stdout)
    assert summary["counts"] == {"completed": CASES}
    assert summary["workers"]["count"] == 3
    assert "3 threads" in summary["workers"]["how"]
    assert counts(home) == (CASES, CASES, 2 * CASES, 2 * CASES)
    workspace = Workspace.open(home)
    assert workspace.store.verify_audit().ok
    workspace.close()


def test_a_flow_on_a_local_llamacpp_model_runs_on_one_worker(group_drill: Path) -> None:
    from runtime.api import load_flow
    from runtime.engine.plan import compile_plan
    from runtime.engine.workers import plan_workers

    plan = compile_plan(load_flow(group_drill / "flow.yaml"))
    chosen = plan_workers(plan, 4, "llamacpp:bundled")
    assert chosen.workers == 1
    assert "llamacpp" in chosen.why
    assert plan_workers(plan, 4, None).workers == 4
