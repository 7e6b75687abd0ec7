"""The same 20 cases (desk/cases.jsonl, answers A01–A20) at each autonomy stage.

observe writes nothing until a person decides; copilot writes bounded `allow` fields in
the act band; operate writes everything inside the guardrails. Counts are asserted per
stage, and the stage in force is recorded on every step.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from guard_support import read_cases, records

from runtime.api import HumanDecision, Workspace, load_flow
from runtime.flow.loader import parse_flow

# Fields the `update` step writes on its own, per case, when the run is not held.
AUTO = {
    "A01": {"status": "pending", "priority": "high"}, "A02": {"refund_amount": 50},
    "A04": {"summary": "late parcel"}, "A06": {}, "A13": {"priority": "urgent"}, "A14": {},
    "A15": {"status": "pending"}, "A20": {"status": "open"},
}
OPERATE_ONLY = {"A03": {"note": "call back on Monday"},
                "A18": {"refund_amount": 120, "note": "goodwill"}}
# Why each held case waits, at copilot (operate holds the same ones minus OPERATE_ONLY).
HELD = {
    "A03": "copilot stage", "A05": "suggest-only", "A07": "above the maximum 200",
    "A08": "below the act band", "A09": "below the suggest band",
    "A10": "below the act band (0.8)", "A11": "below the suggest band (0.5)",
    "A12": "not an allowed value", "A16": "below the minimum 0",
    "A17": "10,001 characters long", "A18": "copilot stage", "A19": "below the suggest band",
}
HITS = {"A06": 1, "A07": 1, "A11": 1, "A12": 1, "A13": 1, "A14": 1, "A15": 1, "A16": 1,
        "A17": 1}


def run_stage(desk: Path, workspace: Workspace, stage: str) -> dict[str, Any]:
    engine = workspace.engine()
    flow = load_flow(desk / "flow.yaml")
    cases = read_cases(desk / "cases.jsonl")
    return {c["id"]: engine.start(flow, c, autonomy=stage) for c in cases}


def summary(workspace: Workspace, runs: dict[str, Any]) -> dict[str, Any]:
    statuses = {c: workspace.store.run(r.id).status.value for c, r in runs.items()}
    hit_count = Counter(
        c for c, r in runs.items() for s in workspace.store.steps(r.id)
        for v in s.verdicts or [] if v["hit"])
    return {"status": statuses, "records": records(workspace), "hits": dict(hit_count),
            "tasks": {workspace.store.run(t.run_id).case_id: t for t in workspace.store.tasks()}}


@pytest.mark.parametrize("stage", ["copilot", "operate"])
def test_copilot_and_operate_write_exactly_what_the_rules_allow(
        stage: str, desk: Path, workspace: Workspace) -> None:
    runs = run_stage(desk, workspace, stage)
    result = summary(workspace, runs)
    auto = AUTO | (OPERATE_ONLY if stage == "operate" else {})
    completed = {c for c, s in result["status"].items() if s == "completed"}
    assert completed == set(auto)
    assert len(completed) == (8 if stage == "copilot" else 10)
    assert result["records"] == {c: {**values, "handled": True} for c, values in auto.items()}
    held = {c: why for c, why in HELD.items() if c not in auto}
    assert set(result["tasks"]) == set(held)
    for case_id, why in held.items():
        assert why in result["tasks"][case_id].reason, (case_id, result["tasks"][case_id].reason)
    assert result["hits"] == HITS
    for run in runs.values():
        assert {s.autonomy for s in workspace.store.steps(run.id)} == {stage}


def test_observe_writes_nothing_until_a_person_decides(desk: Path,
                                                       workspace: Workspace) -> None:
    runs = run_stage(desk, workspace, "observe")
    result = summary(workspace, runs)
    assert records(workspace) == {}
    assert set(result["status"].values()) == {"blocked"}
    assert {t.node_id for t in result["tasks"].values()} == {"intake"}
    shadow = workspace.store.steps(runs["A01"].id)[-1]
    assert shadow.output["label"] == "question" and shadow.autonomy == "observe"
    assert result["tasks"]["A01"].packet["proposal"] == {"label": "question"}

    decided = approve_until_done(workspace)
    assert all(workspace.store.run(r.id).status.value == "completed" for r in runs.values())
    # Every write came after a decision: the changes a person approved, nothing dropped
    # or blocked, and the flow's own action only after its approval too.
    approved_writes = {c: values for c, values in (AUTO | OPERATE_ONLY | {
        "A05": {"reply": "Dear customer, we are on it."}, "A08": {"status": "pending"},
        "A09": {"status": "pending"}, "A10": {"status": "pending"},
        "A11": {"status": "pending"}, "A19": {"priority": "low"},
    }).items()}
    expected = {c["id"]: {**approved_writes.get(c["id"], {}), "handled": True}
                for c in read_cases(desk / "cases.jsonl")}
    assert records(workspace) == expected
    # 20 routing decisions, one change review per case with something to confirm (cases
    # whose proposal was entirely dropped go on with nothing to write), 20 actions.
    assert Counter(node for node, _ in decided) == {"intake": 20, "update": 18, "finish": 20}
    assert all(agrees for _, agrees in decided)


def approve_until_done(workspace: Workspace) -> list[tuple[str, bool]]:
    """Approve every task as proposed, as they appear; returns (node, agrees_with_ai)."""
    engine = workspace.engine(decided_by="shadow-reviewer")
    decided = []
    while tasks := workspace.store.tasks():
        for task in tasks:
            engine.decide(task.id, HumanDecision(action="approve"))
            step = workspace.store.step(task.step_id)
            decided.append((task.node_id, step.decision.get("agrees_with_ai")))
    return decided


def test_observe_stores_the_person_beside_the_ai_so_agreement_can_be_measured(
        desk: Path, workspace: Workspace) -> None:
    runs = run_stage(desk, workspace, "observe")
    engine = workspace.engine(decided_by="ana")
    task = next(t for t in workspace.store.tasks() if t.run_id == runs["A10"].id)
    engine.decide(task.id, HumanDecision(action="choose", choice="question"))
    step = workspace.store.step(task.step_id)
    assert step.decision["ai_label"] == "refund" and step.decision["label"] == "question"
    assert step.decision["agrees_with_ai"] is False and step.decision["by"] == "human"
    assert step.output["label"] == "question" and step.output["ai_label"] == "refund"


def test_the_stage_comes_from_run_then_node_then_flow(desk: Path,
                                                      workspace: Workspace) -> None:
    text = (desk / "flow.yaml").read_text().replace(
        "  role: enforce\n", "  role: enforce\n  autonomy: observe\n")
    (desk / "flow.yaml").write_text(text)
    flow = load_flow(desk / "flow.yaml")
    engine = workspace.engine()
    run = engine.start(flow, {"id": "A01", "message": "x"})
    stages = {s.node_id: s.autonomy for s in workspace.store.steps(run.id)}
    assert stages == {"start": "copilot", "intake": "copilot", "update": "observe"}
    assert records(workspace) == {}
    override = engine.start(flow, {"id": "A20", "message": "x"}, autonomy="operate")
    assert {s.autonomy for s in workspace.store.steps(override.id)} == {"operate"}
    assert records(workspace)["A20"] == {"status": "open", "handled": True}


def test_no_stage_widens_a_guardrail(desk: Path, workspace: Workspace) -> None:
    """Operate on a flow whose enforce node allows nothing writes nothing."""
    text = (desk / "flow.yaml").read_text()
    start = text.index("    fields:\n")
    end = text.index("    limits:\n")
    flow = parse_flow(text[:start] + text[end:], "desk", desk / "flow.yaml")
    engine = workspace.engine()
    for case in read_cases(desk / "cases.jsonl"):
        engine.start(flow, case, autonomy="operate")
    writes = records(workspace)
    assert all(set(data) <= {"handled"} for data in writes.values())
