"""The trainer's replay and the compare view (issue 10)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from designer_testkit import REPO

from runtime.api import Workspace, load_flow

MODEL = "scripted:scripted.yaml"
TRIAGE = REPO / "templates" / "support-triage"


@pytest.fixture
def workspace():
    ws = Workspace.open(Path(os.environ["JUNCTION_HOME"]))
    yield ws
    ws.close()


@pytest.fixture
def compare(qtbot):
    from designer.compare.view import CompareView
    from designer.inbox.workspace_link import WorkspaceLink

    link = WorkspaceLink()
    view = CompareView(link)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    yield view
    qtbot.waitUntil(lambda: not view.busy(), timeout=60000)
    link.close()


def observe_batch(workspace: Workspace) -> list:
    cases = [json.loads(line) for line in (TRIAGE / "cases.jsonl").read_text().splitlines()
             if line.strip()]
    engine, loaded = workspace.engine(), load_flow(TRIAGE / "flow.yaml")
    return [engine.start(loaded, case, batch_id="class-demo", autonomy="observe", model=MODEL)
            for case in cases]


def test_replay_at_operate_opens_the_comparison_with_the_expected_differences(
        compare, workspace, qtbot):
    originals = observe_batch(workspace)
    compare.refresh()
    source = compare.left_box.currentData()
    assert (source.kind, source.id) == ("batch", "class-demo")
    with qtbot.waitSignal(compare.replayed, timeout=60000) as replayed:
        compare.replay(source, "operate", None)
    new_batch = replayed.args[0]
    store = workspace.store
    replayed_runs = store.runs(batch_id=new_batch)
    assert [r.case_id for r in replayed_runs] == [r.case_id for r in originals]
    assert {r.autonomy for r in replayed_runs} == {"operate"}

    # counted here from the store, independently of the comparison code
    went_alone = [r for r in replayed_runs if not store.tasks(status=None, run_id=r.id)]
    reached_person = len(replayed_runs) - len(went_alone)
    applied = sum(1 for r in replayed_runs for s in store.steps(r.id)
                  if s.status == "done" and s.changes)
    # every observe run waits at intake; an operate run that waits there too is the same
    assert all(r.current_node == "intake" for r in originals)
    differing = sum(1 for r in replayed_runs
                    if not (r.status.value == "blocked" and r.current_node == "intake"))
    assert 0 < reached_person < len(originals) and applied > 0

    summary = compare.summary
    assert summary.isVisible()
    assert summary.cells[("Reached a person", 1)].text() == f"{len(originals)} of {len(originals)}"
    assert summary.cells[("Reached a person", 2)].text() == \
        f"{reached_person} of {len(originals)}"
    assert summary.cells[("Record changes applied", 1)].text() == "0"
    assert summary.cells[("Record changes applied", 2)].text() == str(applied)
    assert compare.left_box.currentData().id == "class-demo"
    assert compare.right_box.currentData().id == new_batch

    cases = compare.cases
    assert cases.rowCount() == len(originals)
    tinted = [r for r in range(cases.rowCount()) if cases.item(r, 3).text() != "same"]
    assert len(tinted) == differing > len(went_alone)
    assert f"{differing} of {len(originals)} cases differ" in compare.message.text()

    # a case that went through alone at operate: its first AI step differs by who decided
    alone = went_alone[0].case_id
    row = next(r for r in range(cases.rowCount()) if cases.item(r, 0).text() == alone)
    cases.setCurrentCell(row, 0)
    steps = compare.steps
    intake = next(r for r in range(steps.rowCount())
                  if steps.item(r, 0).text() == "Classify intent")
    assert steps.item(intake, 3).text() == "waits for a person"
    assert steps.item(intake, 7).text() == "went through alone"
    assert steps.item(intake, 7).font().bold()
    assert "who decided" in steps.item(intake, 9).text()
    assert steps.item(intake, 2).text() == steps.item(intake, 6).text()  # same label
    assert not steps.item(intake, 2).font().bold()
    assert intake in steps.differing_rows()


def test_two_single_runs_side_by_side(compare, workspace):
    loaded = load_flow(TRIAGE / "flow.yaml")
    case = json.loads((TRIAGE / "cases.jsonl").read_text().splitlines()[1])
    engine = workspace.engine()
    left = engine.start(loaded, case, batch_id="a", autonomy="observe", model=MODEL)
    right = engine.start(loaded, case, batch_id="b", autonomy="operate", model=MODEL)
    from designer.compare.sources import Source

    compare.refresh()
    compare.compare(Source("run", left.id, ""), Source("run", right.id, ""))
    assert not compare.summary.isVisible() and not compare.cases.isVisible()
    texts = [compare.steps.item(r, 0).text() for r in range(compare.steps.rowCount())]
    assert "Update the ticket" in texts
    row = texts.index("Update the ticket")
    assert compare.steps.item(row, 1).text() == "— not reached"
    assert "queue = billing" in compare.steps.item(row, 8).text()
    assert "Observe waiting at Classify intent" in compare.message.text()
    assert "only Operate got here" in compare.steps.item(row, 9).text()


def test_comparing_a_batch_with_a_run_is_refused_plainly(compare, workspace):
    from designer.compare.sources import Source

    compare.compare(Source("batch", "x", ""), Source("run", "y", ""))
    assert "batch with a batch" in compare.message.text()


def test_replay_dialog_offers_every_stage_and_keeps_the_model_by_default(qtbot):
    from designer.compare.replay_dialog import ReplayDialog

    dialog = ReplayDialog("Batch class-demo")
    qtbot.addWidget(dialog)
    assert dialog.stage() is None and dialog.model_ref() is None
    dialog.choose("copilot")
    assert dialog.stage() == "copilot"
    dialog.choose("operate", "scripted:scripted.yaml")
    assert dialog.stage() == "operate" and dialog.model_ref() == "scripted:scripted.yaml"


def test_replay_dialog_offers_the_models_really_found_not_a_fixed_list(qtbot):
    from designer.compare.replay_dialog import ReplayDialog
    from designer.panels.model_catalog import offered
    from runtime.api import ModelChoice, ModelChoices

    found = ModelChoices((ModelChoice("scripted:answers.yaml", "scripted", "answers 3 steps"),
                          ModelChoice("ollama:nomic-embed-text", "ollama", "embedding",
                                      embedding=True)),
                         "http://127.0.0.1:11434", ollama_problem="connection refused")
    dialog = ReplayDialog("Batch class-demo", choices=found)
    qtbot.addWidget(dialog)
    assert offered(dialog.model) == ["", "scripted:answers.yaml"]
    assert dialog.model_ref() is None  # kept by default


def test_cut_texts_have_a_tooltip_that_shows_model_text_as_typed(qapp):
    from PySide6.QtGui import QTextDocument

    from designer.compare.tables import _cell

    item = _cell("reply = <b>Thanks</b> & <a href='x'>more</a>")
    document = QTextDocument()
    document.setHtml(item.toolTip())
    assert document.toPlainText() == "reply = <b>Thanks</b> & <a href='x'>more</a>"
