"""Readiness verdicts, what-if replays and outcome metrics on small fixed evidence, each
figure counted by hand in the comments."""

from __future__ import annotations

import pytest

from runtime.evaluation.evidence import MetricRow, StepCount
from runtime.evaluation.measures import Prediction
from runtime.evaluation.readiness import Evidence, judge, wilson_lower
from runtime.evaluation.whatif import Replayed, replay
from runtime.flow.schema import AutonomyStage, Bands, Guardrails
from runtime.metrics.summary import by_stage, stage_metrics
from runtime.nodes.promotion import DEFAULTS, Promotion, StageCriteria, criteria_for


def test_wilson_lower_bound_by_hand() -> None:
    # p = 13/22, z = 1.645: (p + z²/2n − z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n) ≈ 0.418
    assert wilson_lower(13, 22) == pytest.approx(0.418, abs=0.002)
    assert wilson_lower(0, 0) is None


def test_a_model_at_chance_is_not_ready_and_the_reasons_carry_the_numbers() -> None:
    # 5 options, 22 cases, 5 right at 0.45 each: accuracy 22.7%, 95% lower bound under 20%
    rows = [Prediction("a" if i < 5 else "b", 0.45, "a") for i in range(22)]
    verdict = judge(Evidence("intake", 5, 0.8, rows, []), DEFAULTS)
    assert verdict.ready_for is None
    reasons = verdict.stages[0].reasons
    assert "22 labelled cases, copilot needs at least 50" in reasons
    assert any("accuracy 22.7% is not clearly better than chance (20.0%" in r for r in reasons)
    assert "no case reaches the act band 0.8 (0 of 22 cases)" in " ".join(reasons)
    assert verdict.summary.startswith("not ready: ")


def test_a_good_node_is_ready_for_copilot_but_operate_needs_shadow_evidence() -> None:
    rows = [Prediction("a", 0.9, "a")] * 60 + [Prediction("b", 0.6, "a")] * 3
    verdict = judge(Evidence("intake", 3, 0.8, rows, []), DEFAULTS)
    assert verdict.ready_for == "copilot"
    assert verdict.figures["precision"] == 1.0 and verdict.figures["acting_alone"] == 60
    operate = verdict.stages[1]
    assert not operate.ready
    assert "63 labelled cases, operate needs at least 200" in operate.reasons
    assert any("no shadow decisions yet" in r for r in operate.reasons)


def test_low_precision_at_the_band_and_low_agreement_are_refused_with_figures() -> None:
    rows = [Prediction("a", 0.9, "a")] * 90 + [Prediction("a", 0.9, "b")] * 10
    shadow = [Prediction("a", 0.9, "a")] * 8 + [Prediction("a", 0.9, "b")] * 2
    criteria = {"copilot": StageCriteria(precision=0.95, min_cases=10),
                "operate": StageCriteria(precision=0.5, agreement=0.9, min_cases=10)}
    verdict = judge(Evidence("intake", 2, 0.8, rows + shadow, shadow), criteria)
    assert verdict.ready_for is None
    assert verdict.stages[0].reasons == [
        "precision at the act band 0.8 is 89.1% (98 of 110 right), copilot needs 95%"]
    assert verdict.stages[1].reasons == [
        "people agreed with the AI on 80.0% of 10 shadow decisions, operate needs 90%"]


def test_promotion_criteria_fill_gaps_from_the_defaults() -> None:
    given = Promotion(operate=StageCriteria(precision=0.99))
    assert criteria_for(given, "operate") == StageCriteria(precision=0.99, agreement=0.95,
                                                           min_cases=200)
    assert criteria_for(given, "copilot") == DEFAULTS["copilot"]
    assert criteria_for(None, "operate") == DEFAULTS["operate"]


RAILS = Guardrails(bands=Bands(act=0.8, suggest=0.5))
STORED = [
    Replayed("a", 0.95, "measured", True, "a"),
    Replayed("a", 0.85, "measured", True, "b"),
    Replayed("b", 0.75, "measured", False, "b"),
    Replayed("b", 0.55, "measured", False, "a"),
    Replayed("c", 0.65, "measured", False, None),
]


@pytest.mark.parametrize(("act", "suggest", "stage", "acting", "people", "wrong"), [
    (0.9, 0.6, AutonomyStage.copilot, 1, 4, 0),  # only 0.95 acts
    (0.7, 0.6, AutonomyStage.copilot, 3, 2, 1),  # 0.95, 0.85 (wrong), 0.75
    (0.6, 0.5, AutonomyStage.operate, 4, 1, 1),  # all but 0.55
    (0.5, 0.5, AutonomyStage.observe, 0, 5, 0),  # observe: a person decides every route
])
def test_whatif_replays_stored_confidences_under_new_bands(
        act: float, suggest: float, stage: AutonomyStage, acting: int, people: int,
        wrong: int) -> None:
    result = replay(STORED, RAILS, act=act, suggest=suggest, stage=stage)
    assert (result.before.acting_alone, result.before.wrong_actions) == (2, 1)
    assert (result.after.acting_alone, result.after.to_people,
            result.after.wrong_actions) == (acting, people, wrong)


def test_whatif_counts_per_option_and_unlabelled_actions() -> None:
    result = replay(STORED, RAILS, act=0.6, suggest=0.5, stage=AutonomyStage.operate)
    before_a, after_a = result.per_option["a"]
    assert (before_a.acting_alone, after_a.acting_alone, after_a.wrong_actions) == (2, 2, 1)
    assert result.per_option["c"][1].unlabelled_actions == 1


def test_whatif_in_copilot_never_lets_a_self_reported_confidence_act() -> None:
    rows = [Replayed("a", 0.99, "self_reported", False, "a")]
    assert replay(rows, RAILS, act=0.5, suggest=0.4,
                  stage=AutonomyStage.copilot).after.acting_alone == 0
    assert replay(rows, RAILS, act=0.5, suggest=0.4,
                  stage=AutonomyStage.operate).after.acting_alone == 1


RUNS = [
    MetricRow("copilot", "completed", "resolved", False, 6),  # contained
    MetricRow("copilot", "completed", "resolved", True, 2),
    MetricRow("copilot", "blocked", None, True, 1),
    MetricRow("copilot", "failed", None, False, 1),
    MetricRow("observe", "completed", "spam", True, 4),
]
STEPS = [
    StepCount("copilot", "intake", "ai", None, False, 7),
    StepCount("copilot", "intake", "human", True, True, 2),
    StepCount("copilot", "intake", "human", False, True, 1),
    StepCount("observe", "intake", "human", True, False, 3),
    StepCount("observe", "intake", "human", False, False, 1),
]


def test_stage_metrics_by_hand() -> None:
    copilot = stage_metrics([r for r in RUNS if r.stage == "copilot"],
                            [s for s in STEPS if s.stage == "copilot"],
                            [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0],
                            {"confidence_band": 3},
                            {("refund", "resolved"): 5, ("billing", "resolved"): 3})
    assert copilot["runs"] == 10
    assert copilot["containment"] == 6 / 10
    assert copilot["escalation"] == 3 / 10
    assert copilot["runs_by_status"] == {"blocked": 1, "completed": 8, "failed": 1}
    assert copilot["resolution_by_outcome"] == {"resolved": 8}
    assert copilot["human_override_rate"] == 1 / 3  # 1 of 3 decided differently
    assert copilot["agreement_by_node"]["intake"] == {"agreed": 2, "decided": 3,
                                                      "agreement": 2 / 3}
    assert copilot["low_confidence_rate"] == 3 / 10  # 3 of 10 AI steps
    assert copilot["time_to_resolution_s"]["median"] == pytest.approx(45.0)
    assert copilot["time_to_resolution_s"]["p90"] == pytest.approx(73.0)
    assert copilot["guardrail_hits"] == {"confidence_band": 3}


def test_stages_come_side_by_side_in_autonomy_order() -> None:
    stages = by_stage(RUNS, STEPS, {}, {}, {})
    assert list(stages) == ["observe", "copilot"]
    assert stages["observe"]["containment"] == 0.0
    assert stages["observe"]["human_override_rate"] == 1 / 4
