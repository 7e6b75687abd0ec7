"""Crash safety: a batch killed with SIGKILL at any moment finishes exactly once on resume.

Each test runs the real `junction` command in a subprocess. The engine's fault hook
(JUNCTION_FAULT=point:N) sends SIGKILL to its own process the N-th time it passes a point:
after a step is journaled as decided, after its record change is applied, after the step
is marked done. A timed test kills at arbitrary moments as well.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from paths import REPO

CRASH = Path(__file__).parent / "crash"
EXPECTED_NODES = ["start", "sort", "update", "pay", "paid"]


@pytest.fixture
def drill(tmp_path: Path) -> Path:
    target = tmp_path / "crash"
    shutil.copytree(CRASH, target)
    return target


def junction(home: Path, *args: str, fault: str | None = None,
             check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JUNCTION_HOME": str(home)}
    env.pop("JUNCTION_FAULT", None)
    if fault:
        env["JUNCTION_FAULT"] = fault
    result = subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def batch_args(drill: Path) -> list[str]:
    return ["batch", str(drill / "flow.yaml"), "--cases", str(drill / "cases.jsonl"), "--json"]


def assert_finished_exactly_once(home: Path, cases: int) -> None:
    db = sqlite3.connect(home / "junction.db")
    db.row_factory = sqlite3.Row
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    runs = db.execute("SELECT id, case_id, status, outcome FROM runs").fetchall()
    assert len(runs) == cases
    assert Counter(r["case_id"] for r in runs).most_common(1)[0][1] == 1
    assert {(r["status"], r["outcome"]) for r in runs} == {("completed", "resolved")}
    for run in runs:
        nodes = [r["node_id"] for r in db.execute(
            "SELECT node_id FROM steps WHERE run_id=? ORDER BY seq", (run["id"],))]
        assert nodes == EXPECTED_NODES, (run["case_id"], nodes)
    changes = Counter(r["case_id"] for r in db.execute("SELECT case_id FROM record_changes"))
    assert set(changes.values()) == {2}, "two record changes per case, each applied once"
    for row in db.execute("SELECT data FROM records"):
        assert json.loads(row["data"]) == {"status": "approved", "refund": 10}
    db.close()


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["decided:1", "decided:6", "effect:1", "effect:9",
                                   "done:4", "done:33"])
def test_killed_batch_finishes_every_case_exactly_once_when_run_again(
        drill: Path, tmp_path: Path, fault: str) -> None:
    home = tmp_path / "home"
    killed = junction(home, *batch_args(drill), fault=fault, check=False)
    assert killed.returncode == -signal.SIGKILL
    db = sqlite3.connect(home / "junction.db")
    finished_before = db.execute("SELECT COUNT(*) FROM runs WHERE status='completed'")
    finished_before = finished_before.fetchone()[0]
    db.close()
    summary = json.loads(junction(home, *batch_args(drill)).stdout)
    assert summary["counts"] == {"completed": 40}
    assert summary["already_done"] == finished_before
    assert_finished_exactly_once(home, 40)


@pytest.mark.slow
def test_resume_reuses_a_stored_model_answer_instead_of_asking_again(
        drill: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    # decided:5 → the 3rd case's `update` step (2 decided passages per case) is journaled
    # with the model's proposal, then the process dies before applying it.
    killed = junction(home, *batch_args(drill), fault="decided:5", check=False)
    assert killed.returncode == -signal.SIGKILL
    db = sqlite3.connect(home / "junction.db")
    [(run_id, node)] = db.execute("SELECT run_id, node_id FROM steps WHERE status='decided'")
    db.close()
    assert node == "update"
    scripted = drill / "scripted.yaml"
    scripted.write_text(scripted.read_text().replace("refund: 10", "refund: 99"))

    resumed = json.loads(junction(home, "resume", "--json").stdout)
    assert [r["id"] for r in resumed] == [run_id]
    assert resumed[0]["status"] == "completed"
    db = sqlite3.connect(home / "junction.db")
    [data] = db.execute("SELECT r.data FROM records r JOIN runs u ON u.case_id = r.case_id "
                        "WHERE u.id=?", (run_id,)).fetchone()
    assert json.loads(data)["refund"] == 10, "the stored answer was reused"
    db.close()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.6, 1.1, 1.7])
def test_kill_at_an_arbitrary_moment_then_resume(drill: Path, tmp_path: Path,
                                                 delay: float) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "JUNCTION_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli.main", *batch_args(drill)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    junction(home, "resume", "--json")
    junction(home, *batch_args(drill))
    assert_finished_exactly_once(home, 40)
