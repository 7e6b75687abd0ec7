""""Try one step": one AI step on one case, shown in full, with nothing written anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.api import InputError, Workspace, load_flow, try_step

TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "support-triage"
SCRIPTED = "scripted:scripted.yaml"


def _case(number: int = 0) -> dict:
    return json.loads((TEMPLATE / "cases.jsonl").read_text().splitlines()[number])


def test_a_classify_step_shows_prompt_answer_probabilities_and_verdicts():
    trial = try_step(load_flow(TEMPLATE / "flow.yaml"), "intake", _case(), model=SCRIPTED)
    assert trial.kind == "ai/classify"
    assert trial.probabilities["refund"] == pytest.approx(0.93)
    assert sum(trial.probabilities.values()) == pytest.approx(1.0)
    assert "Refund not received" in trial.prompt[-1]["content"]
    assert "refund" in trial.answer
    assert [v["rule"] for v in trial.verdicts] == ["confidence_band"]
    assert trial.next_node == "route"


def test_an_enforce_step_reports_what_a_run_would_apply_and_applies_nothing(tmp_path):
    workspace = Workspace.open(tmp_path / "home")
    before = workspace.store.run_counts()
    trial = try_step(load_flow(TEMPLATE / "flow.yaml"), "update_ticket", _case(),
                     autonomy="operate", model=SCRIPTED)
    assert trial.stage == "operate"
    assert trial.changes["queue"] == "refunds"
    assert {v["field"] for v in trial.verdicts} >= {"queue", "refund_amount"}
    assert workspace.store.run_counts() == before
    assert workspace.store.runs() == []
    assert workspace.store.audit_rows() == []
    workspace.close()


def test_only_ai_steps_can_be_tried_and_the_case_must_fit():
    loaded = load_flow(TEMPLATE / "flow.yaml")
    with pytest.raises(InputError, match="not an AI step"):
        try_step(loaded, "route", _case(), model=SCRIPTED)
    with pytest.raises(InputError, match="customer_tier"):
        try_step(loaded, "intake", {**_case(), "customer_tier": "gold"}, model=SCRIPTED)
