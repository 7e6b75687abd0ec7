"""The Evaluate view and the Metrics dashboard, on the support-triage template.

A stored evaluation result (cases written here, so every figure is known) stands for a
finished `junction eval`; one test runs a real evaluation through the view's worker."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from designer_testkit import REPO

from designer.app.session import FlowSession
from designer.dashboard import DashboardView
from designer.evaluate import EvaluateView
from runtime.api import RunStatus, Workspace, load_flow

OPTIONS = ["refund", "billing", "technical", "account", "spam"]


@pytest.fixture
def triage(tmp_path: Path) -> Path:
    folder = tmp_path / "triage"
    shutil.copytree(REPO / "templates" / "support-triage", folder)
    return folder / "flow.yaml"


def _stored_result(home: Path, flow: Path) -> None:
    """40 cases: confidence 0.95 right ×20, 0.85 right ×9 and wrong ×1, 0.6 right ×5 and
    wrong ×5. At 0.95 precision the lowest band that holds is 0.85 (29 of 30 right)."""
    per_case = []
    rows = ([(0.95, True)] * 20 + [(0.85, True)] * 9 + [(0.85, False)]
            + [(0.6, True)] * 5 + [(0.6, False)] * 5)
    for i, (confidence, right) in enumerate(rows):
        truth = OPTIONS[i % 5]
        said = truth if right else OPTIONS[(i + 1) % 5]
        per_case.append({"case": f"c{i}", "expected": {"intake": truth},
                         "answers": {"intake": {"label": said, "confidence": confidence}}})
    node = {
        "node": "intake", "role": "classify", "cases": 40, "accuracy": 34 / 40,
        "bands": {"act": 0.8, "suggest": 0.5},
        "at_act_band": {"threshold": 0.8, "acting": 30, "right": 29, "wrong": 1,
                        "total": 40, "coverage": 0.75, "precision": 29 / 30},
        "confusion": {"options": OPTIONS, "answers": [*OPTIONS, "(other)"],
                      "matrix": [[7, 1, 0, 0, 0, 0]] * 5},
        "per_option": [],
        "risk_coverage": [{"threshold": t, "acting": a, "right": r, "wrong": a - r,
                           "total": 40, "coverage": a / 40, "precision": r / a}
                          for t, a, r in ((0.5, 40, 34), (0.8, 30, 29), (0.9, 20, 20))],
        "calibration": {"ece": 0.05, "cases": 40, "bins": [
            {"low": 0.6, "high": 0.7, "count": 10, "mean_confidence": 0.6, "accuracy": 0.5},
            {"low": 0.9, "high": 1.0, "count": 20, "mean_confidence": 0.95, "accuracy": 1.0}]},
        "confidence_kinds": {"measured": 40}, "measured_share": 1.0,
        "wrong_routes_stopped": 5, "wrong_acted_alone": 1,
    }
    result = {"format": "junction-eval/1", "generated_at": "2026-11-30T10:00:00+00:00",
              "flow": {"name": "Support triage", "path": str(flow.resolve()), "sha": "x"},
              "dataset": {"path": "d.jsonl", "sha": "y", "cases": 40}, "nodes": [node],
              "end_to_end": {"runs": 40, "outcome_cases": 0, "outcome_accuracy": None,
                             "containment": 0.5, "escalation": 0.5,
                             "wrong_writes_prevented": 2},
              "per_case": per_case}
    folder = home / "evaluations" / "e-stored"
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps(result), encoding="utf-8")


def _form_text(view: EvaluateView) -> dict[str, str]:
    form = view.node_form
    return {form.itemAt(r, form.ItemRole.LabelRole).widget().text():
            form.itemAt(r, form.ItemRole.FieldRole).widget().text()
            for r in range(form.rowCount())}



def _dashboard(qtbot, flow: Path, home: Path) -> DashboardView:
    """The Metrics dashboard of `flow` over the workspace `home` (not yet refreshed)."""
    session = FlowSession()
    session.open(flow)
    view = DashboardView(session, lambda: home)
    qtbot.addWidget(view)
    return view


def test_the_evaluate_view_shows_a_templates_stored_evaluation(qtbot, triage, tmp_path):
    home = tmp_path / "home"
    _stored_result(home, triage)
    session = FlowSession()
    session.open(triage)
    view = EvaluateView(session, lambda: home)
    qtbot.addWidget(view)
    view.reload()
    shown = _form_text(view)
    assert shown["Accuracy"] == "85%" and shown["Cases"] == "40"
    assert shown["Act alone at ≥ 0.80"].startswith("30 of 40 cases (75%), 29 right")
    # (coverage, precision) per band, by coverage: 0.9 acts on 20, all right; 0.5 on all
    assert view.curve.series()[0].points == [(0.5, 1.0), (0.75, pytest.approx(29 / 30)),
                                             (1.0, 0.85)]
    assert view.reliability.series()[0].points == [(0.6, 0.5), (0.95, 1.0)]
    assert view.confusion.item(0, 0).text() == "7"
    assert "0.85" in view.recommendation.text()


def test_applying_the_recommended_band_is_one_undo_step(qtbot, triage, tmp_path):
    home = tmp_path / "home"
    _stored_result(home, triage)
    session = FlowSession()
    session.open(triage)
    view = EvaluateView(session, lambda: home)
    qtbot.addWidget(view)
    view.reload()
    stack = session.editor.undo_stack
    before = stack.count()
    assert view.recommended_band() == pytest.approx(0.85)
    assert view.apply_button.isEnabled()
    view.apply_button.click()
    node = session.document.node("intake")
    assert node.guardrails.bands.act == pytest.approx(0.85)
    assert stack.count() == before + 1
    assert not view.apply_button.isEnabled()  # the step already has it
    stack.undo()
    assert session.document.node("intake").guardrails.bands.act == pytest.approx(0.8)
    view.target.setValue(0.99)  # only band 0.95 (20 of 20 right) meets it
    assert view.recommended_band() == pytest.approx(0.95)


def test_a_wheel_over_the_target_box_changes_nothing(qtbot, triage, tmp_path):
    from designer_testkit import wheel

    session = FlowSession()
    session.open(triage)
    view = EvaluateView(session, lambda: tmp_path / "home")
    qtbot.addWidget(view)
    wheel(view.target, 1)
    assert view.target.value() == pytest.approx(0.95)


@pytest.mark.slow
@pytest.mark.realmodel
def test_run_evaluation_in_a_worker_shows_the_report(qtbot, triage, tmp_path):
    session = FlowSession()
    session.open(triage)
    view = EvaluateView(session, lambda: tmp_path / "home")
    qtbot.addWidget(view)
    view.reload()
    assert view.dataset.text().endswith("dataset.jsonl")
    view.run_evaluation()
    assert not view.run_button.isEnabled()
    qtbot.waitUntil(lambda: view.worker is None, timeout=300_000)
    assert view.result is not None and view.result["dataset"]["cases"] == 67
    assert _form_text(view)["Cases"] == "67"
    assert view.curve.series()


def _runs(home: Path, flow: Path, stages: list[str]) -> None:
    workspace = Workspace.open(home)
    try:
        loaded = load_flow(flow)
        for i, stage in enumerate(stages):
            run, _ = workspace.store.create_run(
                flow_text=loaded.text, flow_sha=f"v-{stage}", flow_name="Support triage",
                flow_path=str(flow.resolve()), case_id=f"c{i}", context={}, autonomy=stage)
            workspace.store.claim(run.id, start_node="start")
            workspace.store.finish_run(run.id, RunStatus.completed, outcome="resolved")
    finally:
        workspace.close()


def test_the_dashboard_filters_by_stage(qtbot, triage, tmp_path):
    home = tmp_path / "home"
    _runs(home, triage, ["observe", "observe", "operate"])
    view = _dashboard(qtbot, triage, home)
    view.refresh()
    qtbot.waitUntil(lambda: view.worker is None and bool(view.stages), timeout=30_000)
    assert {k: v["runs"] for k, v in view.stages.items()} == {"observe": 2, "operate": 1}
    assert view.volume.bars()["completed"] == {"Observe": 2.0, "Operate": 1.0}
    view.stage_box.setCurrentIndex(view.stage_box.findData("operate"))
    qtbot.waitUntil(lambda: view.worker is None and list(view.stages) == ["operate"],
                    timeout=30_000)
    assert view.table.horizontalHeaderItem(0).text() == "Operate"
    assert view.table.item(0, 0).text() == "1"


def test_the_dashboard_picks_up_runs_that_land(qtbot, triage, tmp_path):
    home = tmp_path / "home"
    view = _dashboard(qtbot, triage, home)
    view.refresh()
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    assert view.stages == {}
    _runs(home, triage, ["copilot"])
    view.timer.timeout.emit()  # what the refresh timer does while the view is shown
    qtbot.waitUntil(lambda: view.worker is None and bool(view.stages), timeout=30_000)
    assert view.stages["copilot"]["runs"] == 1


def test_the_window_offers_both_views_from_the_view_menu(window, triage):
    window.files.open_path(triage)
    assert {"evaluate", "dashboard"} <= set(window.area.keys())
    window.actions_["show_evaluate"].trigger()
    assert window.area.current_key() == "evaluate"
    assert window.evaluate_view.title.text() == "Evaluate — Support triage"  # not the file
    assert not window.step_palette.isVisible()  # the Design view's docks go with it
    window.actions_["show_design"].trigger()
    assert window.area.current_key() == "design"


def test_without_an_evaluation_the_view_says_what_to_do(qtbot, triage, tmp_path):
    session = FlowSession()
    session.open(triage)
    view = EvaluateView(session, lambda: tmp_path / "home")
    qtbot.addWidget(view)
    view.reload()
    assert view.pages.currentWidget() is view.empty  # no empty combo box, no bare headings
    assert view.empty.heading.text() == "No evaluation of this flow yet"
    assert "chosen: dataset.jsonl" in view.empty.body.text()
    assert view.empty.action_texts() == ["Choose dataset…", "Run evaluation"]
    view.dataset.setText("")
    assert "none chosen yet" in view.empty.body.text()
    view.empty.click("Run evaluation")  # with no dataset: says so, runs nothing
    assert view.worker is None and "No dataset" in view.status.text()


def test_an_evaluation_of_a_flow_without_ai_steps_hides_the_per_step_sections(
        qtbot, triage, tmp_path):
    home = tmp_path / "home"
    _stored_result(home, triage)
    stored = home / "evaluations" / "e-stored" / "result.json"
    result = json.loads(stored.read_text(encoding="utf-8"))
    stored.write_text(json.dumps({**result, "nodes": []}), encoding="utf-8")
    session = FlowSession()
    session.open(triage)
    view = EvaluateView(session, lambda: home)
    qtbot.addWidget(view)
    view.reload()
    assert view.pages.currentIndex() == 1
    assert view.node_panel.isHidden() and view.curve.isHidden()
    assert view.reliability.isHidden() and view.matrix_box.isHidden()
    assert not view.no_steps.isHidden() and not view.e2e_heading.isHidden()
    assert view.e2e_form.rowCount() > 0


def test_the_dashboard_without_runs_says_how_runs_arrive(qtbot, triage, tmp_path):
    home = tmp_path / "home"
    view = _dashboard(qtbot, triage, home)
    view.refresh()
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    assert view.pages.currentWidget() is view.empty
    assert view.empty.heading.text() == "No runs of this flow yet"
    assert "junction batch" in view.empty.body.text()


def test_the_dashboard_filters_by_date(qtbot, triage, tmp_path):
    from PySide6.QtCore import QDate

    home = tmp_path / "home"
    _runs(home, triage, ["observe", "operate"])  # created today
    view = _dashboard(qtbot, triage, home)
    view.since.setDate(QDate.currentDate().addDays(1))
    view.since_on.setChecked(True)
    qtbot.waitUntil(lambda: view.worker is None and view.pages.currentWidget() is view.empty,
                    timeout=30_000)
    tomorrow = QDate.currentDate().addDays(1).toString("yyyy-MM-dd")
    assert view.empty.heading.text() == f"No runs match: since {tomorrow}"
    view.since.setDate(QDate.currentDate().addDays(-1))
    qtbot.waitUntil(lambda: view.worker is None and bool(view.stages), timeout=30_000)
    assert {k: v["runs"] for k, v in view.stages.items()} == {"observe": 1, "operate": 1}
    assert view.pages.currentIndex() == 1


def test_the_shown_dashboard_refreshes_itself_as_runs_land(qtbot, triage, tmp_path):
    home = tmp_path / "home"
    view = _dashboard(qtbot, triage, home)
    view.timer.setInterval(50)
    view.show()
    assert view.timer.isActive()
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    _runs(home, triage, ["operate", "operate"])  # no click, no refresh() call
    qtbot.waitUntil(lambda: view.stages.get("operate", {}).get("runs") == 2, timeout=30_000)
    view.hide()
    assert not view.timer.isActive()  # a hidden dashboard never polls the workspace


def test_long_times_to_resolution_read_in_minutes_and_hours():
    from designer.dashboard.view import table_rows

    times = {"median": 420.1, "p90": 7200.0, "runs": 2}
    stage = {"runs": 2, "containment": 1.0, "escalation": 0.0, "human_override_rate": None,
             "low_confidence_rate": None, "time_to_resolution_s": times,
             "runs_by_status": {}, "resolution_by_outcome": {}, "guardrail_hits": {},
             "agreement_by_node": {}}
    shown = dict(table_rows({"operate": stage}))
    assert shown["Time to resolution (median)"] == ["7.0 min"]
    assert shown["Time to resolution (p90)"] == ["2.0 h"]


def test_count_charts_tick_at_round_numbers(qtbot):
    from designer.charts import BarChart

    chart = BarChart("Runs by status", percent=False, y_label="runs")
    qtbot.addWidget(chart)
    chart.set_bars(["Observe"], [("blocked", [63.0])])
    assert chart._top() == 80.0  # ticks 0, 20, 40, 60, 80
    chart.set_bars(["Observe"], [("blocked", [1.0])])
    assert chart._top() == 4.0  # never half a run


NO_AI_FLOW = """format_version: 1
name: Approve every request
autonomy: operate
case_fields: [{name: message}]
record_fields: [{name: status, type: enum, values: [open, approved]}]
nodes:
- {id: start, kind: start}
- {id: approve, kind: action, set: {status: approved}}
- {id: done, kind: end, outcome: approved}
edges:
- {from: start, to: approve}
- {from: approve, to: done}
"""


def test_a_flow_without_ai_steps_shows_no_agreement_or_override(qtbot, tmp_path):
    flow = tmp_path / "approve.yaml"
    flow.write_text(NO_AI_FLOW, encoding="utf-8")
    home = tmp_path / "home"
    _runs(home, flow, ["operate"])
    view = _dashboard(qtbot, flow, home)
    view.refresh()
    qtbot.waitUntil(lambda: view.worker is None and bool(view.stages), timeout=30_000)
    assert view.agreement.isHidden()
    assert set(view.rates.bars()) == {"contained", "escalated"}
    assert "no AI step" in view.status.text()
    evaluate = EvaluateView(view.session, lambda: home)
    qtbot.addWidget(evaluate)
    evaluate.reload()
    assert "expected_outcome" in evaluate.empty.body.text()
