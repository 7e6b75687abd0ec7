"""The `junction` command as scripts use it: stable JSON fields and clear exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from runtime.cli.main import main


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    try:
        data = json.loads(captured.out) if "--json" in args else captured.out
    except json.JSONDecodeError:
        data = captured.out
    return code, data, captured.err


RUN_FIELDS = {"id", "case_id", "status", "outcome", "flow", "started_at"}
STEP_FIELDS = {"node", "status", "attempt"}


def test_run_show_tasks_decide_round_trip(capsys: pytest.CaptureFixture[str],
                                          returns_dir: Path) -> None:
    flow = str(returns_dir / "flow.yaml")
    code, run, _ = cli(capsys, "run", flow, "--case",
                       '{"id": "k-1", "message": "Do not want it", "amount": 5}', "--json")
    assert code == 0 and set(run) >= RUN_FIELDS and run["status"] == "blocked"
    [task] = run["tasks"]

    code, listed, _ = cli(capsys, "runs", "--json")
    assert code == 0 and [r["id"] for r in listed] == [run["id"]]

    code, shown, _ = cli(capsys, "show", run["id"][:6], "--json")
    assert code == 0 and all(set(s) >= STEP_FIELDS for s in shown["steps"])
    assert [s["node"] for s in shown["steps"]] == ["start", "sort", "route", "review"]

    code, tasks, _ = cli(capsys, "tasks", "--json")
    assert [t["id"] for t in tasks] == [task["id"]]
    assert tasks[0]["packet"]["allowed"] == ["approve", "reject", "edit"]

    code, decided, _ = cli(capsys, "decide", task["id"], "--approve", "--set", "refund=4",
                           "--json")
    assert code == 0 and decided["already_decided"] is False
    assert decided["run"]["status"] == "completed" and decided["run"]["outcome"] == "resolved"

    code, again, _ = cli(capsys, "decide", task["id"], "--approve", "--set", "refund=4",
                         "--json")
    assert code == 0 and again["already_decided"] is True

    code, _, err = cli(capsys, "decide", task["id"], "--reject")
    assert code == 4 and "already decided" in err

    code, text, _ = cli(capsys, "show", run["id"])
    assert "review [human]" in text and "decided by cli" in text


def test_exit_codes_for_bad_input_and_unknown_ids(capsys: pytest.CaptureFixture[str],
                                                  returns_dir: Path, tmp_path: Path) -> None:
    flow = str(returns_dir / "flow.yaml")
    code, _, err = cli(capsys, "run", flow, "--case", '{"id": "x", "message": ')
    assert code == 2 and "not valid JSON" in err
    code, _, err = cli(capsys, "show", "r-nope")
    assert code == 3 and "no run with id 'r-nope'" in err
    bad = tmp_path / "cases.jsonl"
    bad.write_text('{"id": "a", "message": "fine"}\n{"id": "b", "message": \n')
    code, _, err = cli(capsys, "batch", flow, "--cases", str(bad))
    assert code == 2 and f"{bad}:2: not valid JSON" in err
    code, _, err = cli(capsys, "decide", "t-nope", "--approve")
    assert code == 3


def test_batch_prints_outcomes_and_is_resumable(capsys: pytest.CaptureFixture[str],
                                                returns_dir: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps({"id": i, "message": "m", "amount": 3}) + "\n"
                             for i in ("broken-1", "broken-2", "u-1")))
    args = ("batch", str(returns_dir / "flow.yaml"), "--cases", str(cases))
    code, summary, _ = cli(capsys, *args, "--json")
    assert code == 0
    assert summary["outcomes"] == {"blocked": 1, "resolved": 2}
    assert summary["already_done"] == 0
    code, summary, _ = cli(capsys, *args, "--json")
    assert summary["already_done"] == 3 and summary["cases"] == 3
    code, text, _ = cli(capsys, *args)
    assert "resolved" in text and "wait for a person" in text


def test_template_batch_works_out_of_the_box(capsys: pytest.CaptureFixture[str],
                                             support_triage: Path, tmp_path: Path) -> None:
    from runtime.models import embedding_cache, registry

    # Providers remember vectors in memory: one left by an earlier test in this process
    # would answer without touching this workspace's cache file.
    registry.clear_cache()
    embedding_cache.close_all()
    home = tmp_path / "elsewhere"
    code, summary, _ = cli(capsys, "batch", str(support_triage / "flow.yaml"), "--cases",
                           str(support_triage / "cases.jsonl"), "--home", str(home), "--json")
    assert code == 0
    assert summary["cases"] >= 20
    assert "failed" not in summary["counts"]
    assert summary["counts"].get("completed", 0) >= 5
    # everything the run keeps lives in the workspace it was given
    assert (home / "junction.db").exists() and (home / "embedding-cache.db").exists()
    assert not (Path(os.environ["JUNCTION_HOME"]) / "embedding-cache.db").exists()
