"""Team mode end to end: the same flow files and commands, a shared PostgreSQL store,
cases on a Procrastinate queue, workers that take them, decisions that wake runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import psycopg


def _db(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True)


def test_migrate_sets_up_a_team_store_once_and_says_so(junction, team_url: str) -> None:
    code, first = junction("store", "migrate", "--store", team_url, "--json")
    assert code == 0 and (first["from_version"], first["to_version"]) == (0, 1)
    code, again = junction("store", "migrate", "--store", team_url, "--json")
    assert code == 0 and again["from_version"] == again["to_version"] == 1
    with _db(team_url) as conn:  # the job queue's tables came with it
        assert conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0]


def test_migrate_without_a_team_store_says_what_to_give(junction, monkeypatch) -> None:
    monkeypatch.delenv("JUNCTION_STORE", raising=False)
    code, text = junction("store", "migrate")
    assert code == 2 and "--store postgresql://" in text


def test_an_enqueued_batch_is_run_by_a_worker_into_the_shared_store(
        junction, team_url: str, flows: Path, monkeypatch) -> None:
    monkeypatch.setenv("JUNCTION_STORE", team_url)  # the environment variable selects it
    code, queued = junction("batch", str(flows / "refunds.yaml"), "--cases",
                            str(flows / "cases.jsonl"), "--enqueue", "--json")
    assert code == 0 and queued["enqueued"] == 5 and queued["counts"] == {"queued": 5}
    code, _ = junction("worker", "--until-empty")
    assert code == 0
    code, runs = junction("runs", "--json")
    assert Counter((r["status"], r["outcome"]) for r in runs) == {("completed", "resolved"): 5}
    with _db(team_url) as conn:
        changes = Counter(r[0] for r in conn.execute("SELECT case_id FROM record_changes"))
        assert set(changes.values()) == {2}  # two record changes per case, once each
        owners = {r[0] for r in conn.execute("SELECT actor FROM audit_log WHERE kind='step'")}
        assert all(o.startswith("engine@") for o in owners)
    code, check = junction("audit", "verify", "--json")
    assert code == 0 and check["ok"]
    # the same batch enqueued again puts nothing new on the queue
    code, again = junction("batch", str(flows / "refunds.yaml"), "--cases",
                           str(flows / "cases.jsonl"), "--enqueue", "--json")
    assert again["enqueued"] == 0


def test_a_decision_made_anywhere_wakes_the_run_on_a_worker(
        junction, team_url: str, flows: Path) -> None:
    store = ["--store", team_url]
    junction("batch", str(flows / "review.yaml"), "--cases", str(flows / "cases.jsonl"),
             "--enqueue", *store)
    junction("worker", "--until-empty", *store)
    code, tasks = junction("tasks", "--json", *store)
    assert len(tasks) == 5 and {t["status"] for t in tasks} == {"open"}
    task = tasks[0]
    code, decided = junction("decide", task["id"], "--approve", "--by", "ana", "--json",
                             *store)
    assert code == 0 and decided["task"]["decided_by"] == "ana"
    assert decided["run"]["status"] == "running"  # woken; a worker will take it on
    junction("worker", "--until-empty", *store)
    code, shown = junction("show", task["run_id"], "--json", *store)
    assert shown["status"] == "completed" and shown["outcome"] == "resolved"
    code, audit = junction("audit", "log", "--run", task["run_id"], "--json", *store)
    decisions = [r for r in audit if r["kind"] == "decision"]
    assert [d["actor"] for d in decisions] == ["person:ana"]


def test_history_moves_from_a_laptop_to_the_team_store_and_back(
        junction, team_url: str, flows: Path, tmp_path: Path) -> None:
    home = tmp_path / "laptop"
    code, _ = junction("batch", str(flows / "refunds.yaml"), "--cases",
                       str(flows / "cases.jsonl"), "--home", str(home))
    assert code == 0
    code, local = junction("audit", "verify", "--json", "--home", str(home))
    laptop = home / "junction.db"
    code, copied = junction("store", "copy", str(laptop), team_url, "--json")
    assert code == 0, copied
    assert copied["copied"]["runs"] == 5 and copied["copied"]["record_changes"] == 10
    assert copied["audit_head"] == local["head"] and copied["audit_rows"] == local["rows"]
    code, runs = junction("runs", "--json", "--store", team_url)
    assert {r["status"] for r in runs} == {"completed"} and len(runs) == 5
    # copying into a store that already holds history is refused, nothing is merged
    code, refused = junction("store", "copy", str(laptop), team_url)
    assert code == 4 and "already holds" in refused
    # and back to a new laptop file: the same chain, still verifying
    back = tmp_path / "back" / "junction.db"
    code, returned = junction("store", "copy", team_url, str(back), "--json")
    assert code == 0 and returned["audit_head"] == local["head"]
    code, check = junction("audit", "verify", "--json", "--store", str(back))
    assert code == 0 and check["ok"] and check["head"] == local["head"]


def test_a_history_whose_audit_chain_was_edited_is_not_copied_either_way(
        junction, team_url: str, flows: Path, tmp_path: Path) -> None:
    import sqlite3

    home = tmp_path / "laptop"
    junction("batch", str(flows / "refunds.yaml"), "--cases", str(flows / "cases.jsonl"),
             "--home", str(home))
    laptop = home / "junction.db"
    with sqlite3.connect(laptop) as db:  # someone edits a row of the trail by hand
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET actor='nobody' WHERE seq=3")
    code, said = junction("store", "copy", str(laptop), team_url)
    assert code != 0 and "does not verify" in said and "nothing was copied" in said
    assert "Traceback" not in said
    code, runs = junction("runs", "--json", "--store", team_url)
    assert runs == [], "the team store was left untouched"
    # and the other way: a team store edited on the server is not copied to a laptop
    junction("batch", str(flows / "refunds.yaml"), "--cases", str(flows / "cases.jsonl"),
             "--store", team_url)
    with _db(team_url) as conn:
        conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        conn.execute("UPDATE audit_log SET actor='nobody' WHERE seq=3")
    back = tmp_path / "back" / "junction.db"
    code, said = junction("store", "copy", team_url, str(back))
    assert code != 0 and "does not verify" in said and not back.exists()


def test_a_worker_killed_after_its_effect_is_resumed_by_another_without_doubling(
        team_url: str, flows: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from paths import REPO

    env = {**os.environ, "JUNCTION_STORE": team_url, "JUNCTION_HOME": str(tmp_path / "h"),
           "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "runtime.cli.main"]
    subprocess.run([*cli, "batch", str(flows / "refunds.yaml"), "--cases",
                    str(flows / "cases.jsonl"), "--enqueue"], env=env, check=True,
                   capture_output=True, timeout=120)
    # the worker kills itself (SIGKILL) right after its 3rd record change, before the
    # step is marked done: the worst moment for doubling an effect
    killed = subprocess.run([*cli, "worker", "--until-empty"],
                            env={**env, "JUNCTION_FAULT": "effect:3"}, capture_output=True,
                            timeout=120)
    assert killed.returncode == -9
    finished = subprocess.run([*cli, "worker", "--until-empty"], env=env,
                              capture_output=True, text=True, timeout=180)
    assert finished.returncode == 0, finished.stderr
    with _db(team_url) as conn:
        statuses = Counter(r[0] for r in conn.execute("SELECT status FROM runs"))
        assert statuses == {"completed": 5}
        changes = Counter(r[0] for r in conn.execute("SELECT case_id FROM record_changes"))
        assert set(changes.values()) == {2}
        data = {json.dumps(json.loads(r[0]), sort_keys=True)
                for r in conn.execute("SELECT data FROM records")}
        assert data == {json.dumps({"refund": 10, "status": "approved"}, sort_keys=True)}
        released = conn.execute("SELECT count(*) FROM audit_log WHERE kind IN"
                                " ('run.released', 'run.claimed')").fetchone()[0]
        assert released >= 1  # the dead worker's run was taken over, not started again


def test_the_inspector_reads_the_team_store_the_settings_name(
        junction, team_url: str, flows: Path, monkeypatch) -> None:
    from runtime.api import open_run_store

    monkeypatch.delenv("JUNCTION_STORE", raising=False)
    junction("settings", "set", "workspace.store", team_url)
    code, _ = junction("batch", str(flows / "refunds.yaml"), "--cases",
                       str(flows / "cases.jsonl"))  # no --store: the settings file's
    assert code == 0
    with _db(team_url) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 5
    store = open_run_store()  # what the designer's inspector opens
    try:
        assert len(store.runs()) == 5 and store.workspace_dir is not None
    finally:
        store.close()
