"""`junction metrics` on a team store (PostgreSQL) gives the figures the laptop's SQLite
file gives for the same runs and decisions: both stores share the metric queries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eval_support import dataset_rows
from team_server import new_database

from runtime.cli.main import main

# what a person's decision records on the decided steps (on a team store the run then
# waits for a `junction worker` while the laptop continues it at once, so statuses and the
# later steps differ by design)
STEP_FIGURES = ("agreement_by_node", "human_override_rate")


def _metrics(flow: Path, where: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    assert main(["metrics", str(flow), *where, "--json"]) == 0
    stages = json.loads(capsys.readouterr().out)["stages"]
    for figures in stages.values():  # wall-clock durations differ between the two runs
        figures["time_to_resolution_s"] = figures["time_to_resolution_s"]["runs"]
    return stages


def _observe_then_decide(flow: Path, cases: Path, where: list[str],
                         capsys: pytest.CaptureFixture[str]) -> tuple[Any, Any]:
    assert main(["batch", str(flow), "--cases", str(cases), "--autonomy", "observe",
                 *where, "--json"]) == 0
    before = _metrics(flow, where, capsys)
    assert main(["tasks", *where, "--json"]) == 0
    tasks = sorted((t for t in json.loads(capsys.readouterr().out) if t["node"] == "intake"),
                   key=lambda t: t["packet"]["case_summary"])
    for index, task in enumerate(tasks):  # the person overrides some of the answers
        assert main(["decide", task["id"], "--choose",
                     "billing" if index % 3 else "spam", *where]) == 0
    after = _metrics(flow, where, capsys)
    return before, {stage: {k: figures[k] for k in STEP_FIGURES}
                    for stage, figures in after.items()}


def test_a_team_store_counts_what_the_laptop_counts(
        scripted_triage: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flow = scripted_triage / "flow.yaml"
    cases = scripted_triage / "cases.jsonl"
    cases.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "expected"})
                             + "\n" for r in dataset_rows()[:6]), encoding="utf-8")
    laptop = _observe_then_decide(flow, cases, ["--home", str(tmp_path / "home")], capsys)
    team = _observe_then_decide(flow, cases, ["--home", str(tmp_path / "team-home"),
                                              "--store", new_database("metrics")], capsys)
    before, after = laptop
    assert before["observe"]["runs"] == 6 and before["observe"]["escalation"] == 1.0
    assert before["observe"]["resolution_by_intent"]  # intents counted
    assert after["observe"]["agreement_by_node"]["intake"]["decided"] == 6
    assert team == laptop
