"""The Runs view: runs made anywhere in the workspace, filtered, and read step by step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from designer_testkit import REPO

TEMPLATE = REPO / "templates" / "support-triage"


def cli_batch(home: Path, cases: Path) -> None:
    """`junction batch` in another process, as a person at a terminal would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "runtime.cli.main", "batch", str(TEMPLATE / "flow.yaml"),
         "--cases", str(cases), "--home", str(home)],
        capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    assert done.returncode in (0, 1), done.stderr


@pytest.fixture(scope="module")
def triage_home(tmp_path_factory) -> Path:
    """A workspace holding the support-triage template's 24 sample cases, run by the CLI."""
    home = tmp_path_factory.mktemp("triage")
    cli_batch(home, TEMPLATE / "cases.jsonl")
    return home


@pytest.fixture
def inspector(qtbot, tmp_path):
    from designer.inspector import InspectorView
    from runtime.api import open_run_store

    def make(home: Path):
        saved: list[Path] = []
        view = InspectorView(lambda: open_run_store(home),
                             ask_path=lambda _parent, suggested, kind: saved.append(
                                 tmp_path / f"asked.{kind}") or tmp_path / f"asked.{kind}")
        qtbot.addWidget(view)
        view.resize(1280, 760)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def choose_case(view, case_id: str) -> None:
    view.runs.search.setText(case_id)
    view.runs.apply_filters()
    assert view.runs.case_ids() == [case_id]
    view.runs.select_row(0)
    assert view.run_panel.report.run.case_id == case_id


def run_with_guardrail_hit(home: Path) -> str:
    from runtime.api import open_run_store

    store = open_run_store(home)
    try:
        for run in store.runs():
            if any(v.get("outcome") == "block" for s in store.steps(run.id)
                   for v in s.verdicts or []):
                return run.case_id
    finally:
        store.close()
    raise AssertionError("the template's sample cases no longer hit a guardrail")


# -- the runs list ---------------------------------------------------------------------------


def test_a_run_made_by_the_cli_shows_up_on_the_next_refresh_tick(inspector, tmp_path, qtbot):
    home = tmp_path / "workspace"
    view = inspector(home)
    assert view.runs.model.rowCount() == 0
    cases = tmp_path / "three.jsonl"
    lines = (TEMPLATE / "cases.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli_batch(home, cases)
    view.runs.poll.setInterval(50)  # the real timer, ticking sooner
    qtbot.waitUntil(lambda: view.runs.model.rowCount() == 3, timeout=5000)
    assert sorted(view.runs.case_ids()) == ["T-001", "T-002", "T-003"]
    assert view.runs.count.text() == "3 runs"


def test_filters_and_search_narrow_the_list_and_sorting_reorders_it(inspector, triage_home):
    view = inspector(triage_home)
    runs = view.runs
    assert runs.model.rowCount() == 24
    assert runs.flow.findText("Support triage") > 0
    runs.status.setCurrentIndex(runs.status.findData("blocked"))
    blocked = runs.model.rowCount()
    assert 0 < blocked < 24
    assert {runs.model.run_at(r).status.value for r in range(blocked)} == {"blocked"}
    assert runs.count.text() == f"{blocked} runs of 24"
    runs.status.setCurrentIndex(0)
    runs.outcome.setCurrentIndex(runs.outcome.findData("spam"))
    assert {runs.model.run_at(r).outcome for r in range(runs.model.rowCount())} == {"spam"}
    runs.outcome.setCurrentIndex(0)
    runs.stage.setCurrentIndex(runs.stage.findData("operate"))
    assert runs.model.rowCount() == 0  # none was started with an operate override
    runs.stage.setCurrentIndex(0)
    runs.search.setText("t-01")
    runs.apply_filters()
    assert sorted(runs.case_ids()) == [f"T-{n:03d}" for n in range(10, 20)]
    runs.search.clear()
    runs.apply_filters()
    header = runs.table.horizontalHeader()
    header.setSortIndicator(2, header.sortIndicatorOrder().AscendingOrder)  # Case
    assert runs.case_ids()[:3] == ["T-001", "T-002", "T-003"]
    header.setSortIndicator(1, header.sortIndicatorOrder().AscendingOrder)  # Flow: cannot
    assert runs.model.query.sort == "case" and header.sortIndicatorSection() == 2


def test_a_wheel_over_a_filter_never_changes_it(inspector, triage_home, qtbot):
    from designer_testkit import wheel

    view = inspector(triage_home)
    combo = view.runs.status
    view.runs.table.setFocus()
    wheel(combo, -1)
    assert combo.currentIndex() == 0 and view.runs.model.rowCount() == 24


def test_the_list_reads_only_the_pages_it_shows(qtbot, tmp_path):
    from designer.inspector.runs_model import PAGE_SIZE, RunsTableModel
    from runtime.api import RunQuery, open_run_store

    store = open_run_store(tmp_path)
    for n in range(PAGE_SIZE * 3 + 7):
        store.create_run(flow_text="x", flow_sha="s", flow_name="F", flow_path=None,
                         case_id=f"c-{n:04d}", context={})
    model = RunsTableModel(store)
    model.refresh(reset=True)
    assert model.rowCount() == PAGE_SIZE * 3 + 7 and model.pages_read == 1
    oldest = store.query_runs(RunQuery(sort="oldest", limit=1)).runs[0]
    assert model.run_at(model.rowCount() - 1).id == oldest.id  # newest first
    assert model.pages_read == 2  # the last page only, not the ones in between
    store.close()


# -- one run, step by step ---------------------------------------------------------------------


def test_a_classify_step_shows_its_probabilities_and_how_confidence_was_had(
        inspector, triage_home):
    view = inspector(triage_home)
    choose_case(view, "T-001")
    row = view.run_panel.choose_step("intake")
    facts = view.run_panel.step_facts(row)
    detail = view.run_panel.detail
    expected = sorted(facts.step.output["probabilities"].items(), key=lambda kv: -kv[1])
    assert detail.bars.rows() == expected
    assert expected[0][0] == facts.step.output["label"]
    confidence = detail.sections["probabilities"].findChildren(type(detail.sections[
        "decision"]))[0]
    assert "measured from the model's own probabilities" in confidence.text()
    assert detail.sections["prompt"].toPlainText().startswith("[user]")


def test_an_enforce_step_shows_every_guardrail_verdict_and_marks_the_hits(
        inspector, triage_home):
    from PySide6.QtWidgets import QTableWidget

    view = inspector(triage_home)
    choose_case(view, run_with_guardrail_hit(triage_home))
    row = view.run_panel.choose_step("update_ticket")
    facts = view.run_panel.step_facts(row)
    table = view.run_panel.detail.sections["guardrails"].findChild(QTableWidget)
    assert table.rowCount() == len(facts.verdicts) > len(facts.hits) > 0
    verdicts = [table.item(r, 2).text() for r in range(table.rowCount())]
    reasons = [table.item(r, 3).text() for r in range(table.rowCount())]
    assert "blocked" in verdicts and any("above the maximum" in r for r in reasons)
    hit_row = verdicts.index("blocked")
    assert table.item(hit_row, 2).font().bold() and not table.item(
        verdicts.index("passed"), 2).font().bold()
    timeline = view.run_panel.timeline.item(row).text()
    assert "guardrail hit" in timeline


def test_model_text_with_html_is_shown_as_the_characters_it_is(inspector, tmp_path):
    from hostile_run import HOSTILE_CASE, HOSTILE_REPLY, make_hostile_run
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    from runtime.api import open_run_store

    home = tmp_path / "hostile"
    store = open_run_store(home)
    make_hostile_run(store)
    store.close()
    view = inspector(home)
    view.runs.select_row(0)
    detail = view.run_panel.detail
    assert detail.sections["reply"].toPlainText() == HOSTILE_REPLY
    assert "[U+202E]gnp.exe" in view.run_panel.summary.text()
    assert HOSTILE_CASE.split("\u202e")[0] in view.run_panel.summary.text()
    labels = view.run_panel.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert "self-reported" in detail.sections["probabilities"].findChildren(QLabel)[0].text()


def test_the_audit_rows_are_one_click_away(inspector, triage_home, qtbot):
    from designer.inspector.audit_dialog import AuditDialog
    from runtime.api import open_run_store

    view = inspector(triage_home)
    choose_case(view, "T-002")
    qtbot.mouseClick(view.run_panel.audit_button, __import__(
        "PySide6.QtCore", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    dialog = view.run_panel.findChild(AuditDialog)
    store = open_run_store(triage_home)
    expected = store.audit_rows(run_id=view.run_panel.report.run.id)
    store.close()
    assert dialog.isVisible() and dialog.table.rowCount() == len(expected) > 3
    assert {dialog.table.item(r, 3).text() for r in range(len(expected))} >= {
        "run.created", "step"}
    dialog.close()


def test_a_run_exports_to_json_and_html_that_round_trip(inspector, triage_home, tmp_path):
    from runtime.api import load_report, open_run_store, report_json

    view = inspector(triage_home)
    choose_case(view, "T-003")
    view.run_panel.json_button.click()  # asks where (the test answers), then writes
    exported = json.loads((tmp_path / "asked.json").read_text(encoding="utf-8"))
    store = open_run_store(triage_home)
    expected = json.loads(json.dumps(report_json(load_report(store, exported["id"]))))
    store.close()
    assert exported == expected and exported["case_id"] == "T-003"
    page = view.run_panel.export_to(tmp_path / "run.html", "html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "T-003" in page and "intake" in page


# -- the window ------------------------------------------------------------------------------


def test_the_view_rail_switches_between_design_and_runs(window, qtbot):
    window.files.start_from(None)
    rail = window.rail
    assert rail.isVisible() and rail.buttons["design"].isChecked()
    rail.buttons["inspector"].trigger()
    assert window.area.current_key() == "inspector" and rail.buttons["inspector"].isChecked()
    assert not window.docks[0].isVisible()  # the design docks went with the Design view
    assert window.inspector.store is not None and window.inspector.runs.model.rowCount() == 0
    rail.buttons["design"].trigger()
    assert window.area.current_key() == "design" and window.docks[0].isVisible()
