"""Problems are written in the designer's words (step titles, Otherwise branches), the
"cannot be reached" rows fold under one row, and the panel keeps its size."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def triage(window, tmp_path, template_flow):
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    window.files.open_path(folder / "flow.yaml")
    return window


def _rows(window):
    tree = window.problems.tree
    return [(tree.topLevelItem(i).text(0), tree.topLevelItem(i).text(1))
            for i in range(tree.topLevelItemCount())]


def _delete_edges(window, predicate):
    window.session.editor.delete(edge_keys=[k for k, e in window.session.document.edges()
                                            if predicate(e)])
    window.problems.refresh()


def test_a_missing_else_branch_is_an_otherwise_branch(triage):
    _delete_edges(triage, lambda e: e.source == "route" and e.else_)
    rows = _rows(triage)
    step, text = next(r for r in rows if "Otherwise" in r[1])
    assert step == triage.problems._title_of("route")
    assert "add an Otherwise branch" in text
    assert all("else: true" not in t for _, t in rows)


def test_a_condition_problem_names_the_step_and_its_answer(triage):
    key = next(k for k, e in triage.session.document.edges() if e.target == "close_spam")
    triage.session.editor.set_edge_properties(
        key, when={"field": "intake.label", "op": "eq", "value": "holiday"})
    triage.problems.refresh()
    texts = [t for _, t in _rows(triage)]
    assert any("the answer of “Classify intent”" in t for t in texts), texts
    assert all("intake.label" not in t for t in texts)


def test_unreachable_steps_fold_under_one_row_after_their_cause(triage):
    _delete_edges(triage, lambda e: e.source == "start")
    unreachable = [p for p in triage.problems.problems
                   if p.message == "cannot be reached from the start node"]
    assert len(unreachable) > 5
    rows = _rows(triage)
    assert rows[-1][0] == f"{len(unreachable)} steps"
    assert "cannot be reached from Start" in rows[-1][1]
    folded = triage.problems.tree.topLevelItem(len(rows) - 1)
    assert folded.childCount() == len(unreachable)
    assert len(rows) < len(triage.problems.problems)  # the list is not flooded


def test_the_problems_panel_keeps_its_height(triage, qtbot):
    dock = triage.docks[2]
    qtbot.wait(50)
    before = dock.height()
    _delete_edges(triage, lambda e: e.source in ("start", "route"))
    qtbot.wait(50)
    assert len(triage.problems.problems) > 5
    assert dock.height() == before
