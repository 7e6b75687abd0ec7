"""Every sample case of every new template runs in observe, copilot and operate with the
scripted demo model, and each template's people-first rules hold when it runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from template_support import NEW, STAGES, cases, flow, folder

from runtime.api import HumanDecision, RunStatus, Workspace
from runtime.cli.main import main

SCRIPTED = "scripted:scripted.yaml"


def script(name: str) -> dict[str, Any]:
    return yaml.safe_load((folder(name) / "scripted.yaml").read_text(encoding="utf-8"))["cases"]


def run_all(workspace: Workspace, name: str, stage: str) -> dict[str, Any]:
    """case id → run, every sample case driven until it ends or waits for a person."""
    loaded = flow(name)
    engine = workspace.engine()
    return {case["id"]: engine.start(loaded, case, autonomy=stage, model=SCRIPTED)
            for case in cases(name)}


def waiting_at(workspace: Workspace, run: Any) -> str | None:
    tasks = [t for t in workspace.store.tasks(run_id=run.id) if t.status == "open"]
    return tasks[0].node_id if tasks else None


def written(workspace: Workspace, run: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for step in workspace.store.steps(run.id):
        changes.update(step.changes or {})
    return changes


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("name", NEW)
def test_every_sample_case_runs_at_every_stage(name: str, stage: str, home: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["batch", str(folder(name) / "flow.yaml"), "--cases",
                 str(folder(name) / "cases.jsonl"), "--autonomy", stage, "--model", SCRIPTED,
                 "--home", str(home), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["cases"] == len(cases(name)) and "failed" not in summary["counts"]
    if stage == "observe":  # a person decides every route: nothing finishes on its own
        assert summary["counts"] == {"blocked": len(cases(name))}
    else:
        assert summary["counts"].get("completed", 0) > 0


def sure(answers: dict[str, Any]) -> bool:
    """Both classify answers in the act band (0.8), so no person confirms them first."""
    return all(answers[n]["confidence"] >= 0.8 for n in ("classify_request", "classify_risk"))


def test_it_access_admin_and_finance_always_wait_for_security(workspace: Workspace) -> None:
    answers = script("it-access-request")
    runs = run_all(workspace, "it-access-request", "operate")
    sensitive = {cid for cid, a in answers.items() if a["classify_risk"]["label"] != "standard"}
    assert len(sensitive) >= 6
    for cid in sensitive:
        run = runs[cid]
        assert run.status is RunStatus.blocked, cid
        if sure(answers[cid]):
            assert waiting_at(workspace, run) == "security_approval", cid
        assert written(workspace, run).get("status") != "approved"
    routine = [cid for cid, a in answers.items() if cid not in sensitive
               and a["classify_request"]["label"] != "other" and sure(a)]
    assert routine and all(runs[c].outcome == "ticket_opened" for c in routine)
    # a person approves one: only then is the request approved
    cid = sorted(c for c in sensitive if waiting_at(workspace, runs[c]) == "security_approval")[0]
    [task] = workspace.store.tasks(run_id=runs[cid].id)
    _, _, after = workspace.engine().decide(task.id, HumanDecision(action="approve"))
    assert after.outcome == "approved" and written(workspace, after)["status"] == "approved"


def test_it_access_admin_rights_go_to_a_person_even_when_the_risk_step_says_standard(
        workspace: Workspace, tmp_path: Path) -> None:
    """The route also reads the proposed ticket: access level admin needs security."""
    case = {"id": "IT-X1", "subject": "tools", "message": "Please install my dev tools."}
    answers = {"cases": {"IT-X1": {
        "classify_request": {"label": "system_access", "confidence": 0.95},
        "classify_risk": {"label": "standard", "confidence": 0.95},
        "propose_ticket": {"values": {"category": "system_access", "risk": "standard",
                                      "assigned_team": "identity_access",
                                      "access_level": "admin", "status": "new"},
                           "confidence": 0.95}}}}
    model = tmp_path / "wrong-risk.yaml"
    model.write_text(yaml.safe_dump(answers), encoding="utf-8")
    run = workspace.engine().start(flow("it-access-request"), case, autonomy="operate",
                                   model=f"scripted:{model}")
    assert waiting_at(workspace, run) == "security_approval"
    assert written(workspace, run)["access_level"] == "admin"


def test_returns_high_value_waits_for_the_lead_and_times_out_to_escalation(
        workspace: Workspace) -> None:
    runs = run_all(workspace, "returns-rma", "operate")
    by_id = {c["id"]: c for c in cases("returns-rma")}
    answers = script("returns-rma")
    high = [cid for cid, run in runs.items() if waiting_at(workspace, run) == "approve_return"]
    assert high and all(by_id[c]["order_value"] > 250 for c in high)
    issued = [cid for cid, run in runs.items() if run.outcome == "rma_issued"]
    assert issued and all(by_id[c]["order_value"] <= 250 for c in issued)
    for cid in issued:
        record = written(workspace, runs[cid])
        assert record["rma_status"] == "approved" and record["reply"]
    declined = [cid for cid, run in runs.items() if run.outcome == "not_eligible"]
    assert {"R-006", "R-010", "R-022"} <= set(declined)  # used + changed mind, 45 days, 3 years
    for cid in declined:
        record = written(workspace, runs[cid])
        assert set(record) == {"rma_status", "reply"} and record["rma_status"] == "declined"
    desk = [cid for cid in runs if answers[cid]["classify_reason"]["label"] == "not_a_return"]
    assert all(waiting_at(workspace, runs[c]) == "returns_desk" for c in desk)
    # nobody decides for 48 hours: the run escalates and approves nothing
    moved = workspace.engine().expire_tasks(datetime.now(UTC) + timedelta(hours=49))
    escalated = {r.case_id for r in moved if r.outcome == "escalated"}
    assert set(high) <= escalated
    for cid in high:
        run = workspace.store.run(runs[cid].id)
        assert written(workspace, run)["rma_status"] == "escalated"


def test_quote_guardrails_drop_prices_block_deep_discounts_and_route_by_size(
        workspace: Workspace) -> None:
    runs = run_all(workspace, "quote-approval", "operate")
    # Q-003's model answer also sets a unit price: dropped, logged, never written
    steps = workspace.store.steps(runs["Q-003"].id)
    extract = next(s for s in steps if s.node_id == "extract_quote")
    assert any(v["hit"] and v.get("field") == "unit_price" for v in extract.verdicts)
    assert "unit_price" not in written(workspace, runs["Q-003"])
    assert waiting_at(workspace, runs["Q-003"]) == "director_approval"  # 520k
    # Q-010 asks for 45 %: over the 40 % limit, so a person looks at the extraction
    assert waiting_at(workspace, runs["Q-010"]) == "extract_quote"
    assert "discount_percent" not in written(workspace, runs["Q-010"])
    assert waiting_at(workspace, runs["Q-001"]) == "manager_approval"      # 26,000
    assert runs["Q-002"].outcome == "approved"                              # 1,080, no discount
    assert written(workspace, runs["Q-002"])["approval_level"] == "sales_rep"
    assert waiting_at(workspace, runs["Q-015"]) == "manager_approval"      # 15 % discount
    assert waiting_at(workspace, runs["Q-021"]) == "director_approval"     # 28 % discount
    assert runs["Q-011"].outcome == "not_a_quote"
    assert waiting_at(workspace, runs["Q-006"]) == "classify_request"   # unsure: 0.6


@pytest.mark.parametrize("stage", ["copilot", "operate"])
def test_hr_sensitive_questions_never_get_an_automatic_answer(workspace: Workspace,
                                                              stage: str) -> None:
    answers = script("hr-policy-questions")
    runs = run_all(workspace, "hr-policy-questions", stage)
    for cid, run in runs.items():
        label = answers[cid]["classify_topic"]["label"]
        if label != "general":
            assert run.status is RunStatus.blocked, cid
            assert "answer" not in written(workspace, run), cid
    contained = [cid for cid, run in runs.items() if run.outcome == "answered"]
    assert contained and all(answers[c]["classify_topic"]["label"] == "general"
                             for c in contained)
    assert all(written(workspace, runs[c])["answer"] for c in contained)
