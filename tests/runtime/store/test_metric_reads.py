"""Conformance: the evidence and metric reads every store offers (RunStore.flow_snapshots,
RunStore.metric_facts), checked through the interface on a few hand-made runs."""

from __future__ import annotations

from dataclasses import replace

from runtime.store.base import RunStore
from runtime.store.metric_rows import MetricQuery, StepCount
from runtime.store.rows import NewStep
from runtime.store.states import RunStatus

FLOW = "format_version: 1\nname: Metrics\nautonomy: {stage}\n"


def _run(store: RunStore, case: str, *, stage: str = "copilot", batch: str | None = None,
         label: str = "refund", confidence: float = 0.9, hit: bool = False,
         person: bool = False, agrees: bool = True) -> str:
    run, _ = store.create_run(
        flow_text=FLOW.format(stage=stage), flow_sha=f"sha-{stage}", flow_name="Metrics",
        flow_path="/flows/metrics.yaml", case_id=case, context={"case": {"id": case}},
        batch_id=batch)
    store.claim(run.id, start_node="intake")
    step = NewStep(run_id=run.id, node_id="intake", kind="ai/classify", visit=1,
                   status="done", autonomy=stage,
                   output={"label": label, "confidence": confidence},
                   decision={"by": "ai", "label": label},
                   verdicts=[{"rule": "confidence_band", "hit": hit,
                              "outcome": "hold" if hit else "pass"}])
    if person:
        blocked = replace(step, status="blocked", decision=None)
        _, task = store.block_with_task(blocked, reason="low confidence",
                                        allowed=["choose"], packet={})
        store.settle_task(task, decision={"action": "choose"}, decided_by="ana",
                          step_update={"decision": {"by": "human", "label": label,
                                                    "agrees_with_ai": agrees}})
    else:
        store.record_step(step)
    store.finish_run(run.id, RunStatus.completed, outcome="resolved")
    return run.id


def test_flow_snapshots_give_every_stored_version_with_its_text(store: RunStore) -> None:
    _run(store, "a", stage="observe")
    _run(store, "b", stage="operate")
    found = {s.sha: s.text for s in store.flow_snapshots()}
    assert found == {"sha-observe": FLOW.format(stage="observe"),
                     "sha-operate": FLOW.format(stage="operate")}


def test_metric_facts_count_runs_steps_and_hits_per_stage(store: RunStore) -> None:
    _run(store, "a", stage="observe", confidence=0.4, hit=True, person=True, agrees=False)
    _run(store, "b", stage="observe", label="billing")
    _run(store, "c", stage="operate", confidence=0.95)
    _run(store, "d", stage="operate", batch="e-eval1")  # an evaluation: never counted
    facts = store.metric_facts(MetricQuery(
        flow_path="/flows/metrics.yaml", intent_node="intake", low_below={"intake": 0.5},
        flow_stages={"sha-observe": "observe", "sha-operate": "operate"}))
    assert sorted((r.stage, r.person, r.runs) for r in facts.runs) == [
        ("observe", False, 1), ("observe", True, 1), ("operate", False, 1)]
    assert facts.intents == {"observe": {("refund", "resolved"): 1, ("billing", "resolved"): 1},
                             "operate": {("refund", "resolved"): 1}}
    assert sorted(facts.steps, key=lambda s: (s.stage, str(s.by))) == [
        StepCount("observe", "intake", "ai", None, False, 1),
        StepCount("observe", "intake", "human", False, True, 1),  # the person's decision
        StepCount("operate", "intake", "ai", None, False, 1)]
    assert facts.hits == {"observe": {"confidence_band": 1}}
    assert sorted(facts.seconds) == ["observe", "operate"]
    assert all(s >= 0 for s in facts.seconds["observe"]) and len(facts.seconds["observe"]) == 2


def test_metric_facts_filter_by_stage_date_and_flow(store: RunStore) -> None:
    _run(store, "a", stage="observe")
    _run(store, "b", stage="operate")
    stages = {"sha-observe": "observe", "sha-operate": "operate"}
    only = store.metric_facts(MetricQuery(stage="operate", flow_stages=stages))
    assert [(r.stage, r.runs) for r in only.runs] == [("operate", 1)]
    assert [s.stage for s in only.steps] == ["operate"]
    assert store.metric_facts(MetricQuery(since="9999-01-01", flow_stages=stages)).runs == []
    assert store.metric_facts(MetricQuery(flow_path="/elsewhere.yaml")).runs == []


def test_without_a_known_flow_stage_a_run_takes_its_first_steps_stage(store: RunStore) -> None:
    _run(store, "a", stage="observe")
    facts = store.metric_facts(MetricQuery())  # no flow_stages: read from the steps
    assert [(r.stage, r.runs) for r in facts.runs] == [("observe", 1)]


def _other_flow_run(store: RunStore, case: str) -> None:
    run, _ = store.create_run(
        flow_text=FLOW.format(stage="operate"), flow_sha="sha-other", flow_name="Other",
        flow_path="/flows/other.yaml", case_id=case, context={"case": {"id": case}})
    store.claim(run.id, start_node="intake")
    store.record_step(NewStep(run_id=run.id, node_id="intake", kind="ai/classify", visit=1,
                              status="done", autonomy="operate",
                              output={"label": "spam", "confidence": 0.1},
                              decision={"by": "ai", "label": "spam"},
                              verdicts=[{"rule": "other_rule", "hit": True}]))
    store.finish_run(run.id, RunStatus.completed, outcome="closed")


def test_steps_of_other_flows_never_count_whether_they_are_few_or_most(
        store: RunStore) -> None:
    """The store picks how it narrows the steps by how many runs count; the figures must
    not depend on it."""
    stages = {"sha-observe": "observe", "sha-operate": "operate", "sha-other": "operate"}
    query = MetricQuery(flow_path="/flows/metrics.yaml", flow_stages=stages,
                        intent_node="intake", low_below={"intake": 0.5})
    _run(store, "a", stage="operate", confidence=0.4, hit=True)
    _run(store, "b", stage="operate")
    _other_flow_run(store, "x")  # few runs of another flow
    few = store.metric_facts(query)
    for n in range(5):  # now most runs are another flow's
        _other_flow_run(store, f"y{n}")
    most = store.metric_facts(query)
    for facts in (few, most):
        assert [(r.stage, r.runs) for r in facts.runs] == [("operate", 2)]
        assert sorted((s.low_confidence, s.steps) for s in facts.steps) == [
            (False, 1), (True, 1)]
        assert facts.hits == {"operate": {"confidence_band": 1}}
        assert facts.intents == {"operate": {("refund", "resolved"): 2}}


def test_a_run_without_the_intent_step_counts_under_none(store: RunStore) -> None:
    _run(store, "a", stage="operate")
    facts = store.metric_facts(MetricQuery(intent_node="triage",
                                           flow_stages={"sha-operate": "operate"}))
    assert facts.intents == {"operate": {("(none)", "resolved"): 1}}
    assert [s.node_id for s in facts.steps] == ["intake"]


def test_decided_steps_are_a_nodes_human_decisions_in_one_flow_file(store: RunStore) -> None:
    """The training card's labelled data: what the step saw and what the person chose."""
    decided = _run(store, "a", stage="observe", person=True, agrees=False, label="billing")
    _run(store, "b", stage="observe")  # the AI decided: not labelled data
    _other_flow_run(store, "x")
    found = store.decided_steps("/flows/metrics.yaml", "intake")
    assert [(d.run_id, d.case_id) for d in found] == [(decided, "a")]
    assert found[0].decision == {"by": "human", "label": "billing", "agrees_with_ai": False}
    assert store.decided_steps("/flows/metrics.yaml", "route") == []
    assert store.decided_steps("/flows/other.yaml", "intake") == []
