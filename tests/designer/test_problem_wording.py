"""Problems are written in the designer's words (step titles, Otherwise branches), the
"cannot be reached" rows fold under one row, and the panel keeps its size."""

from __future__ import annotations


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


def test_unreachable_steps_fold_under_the_step_that_cut_them_off(triage):
    _delete_edges(triage, lambda e: e.source == "start")
    unreachable = [p for p in triage.problems.problems
                   if p.message == "cannot be reached from the start node"]
    assert len(unreachable) > 5
    rows = _rows(triage)
    first = triage.problems._title_of("intake")
    assert rows[-1][0] == first  # the cause: nothing leads to the first step any more
    assert "nothing leads here from Start" in rows[-1][1]
    assert f"{len(unreachable) - 1} steps after it are cut off too" in rows[-1][1]
    folded = triage.problems.tree.topLevelItem(len(rows) - 1)
    assert folded.childCount() == len(unreachable) - 1
    assert f"comes only after “{first}”" in folded.child(0).text(1)
    assert len(rows) < len(triage.problems.problems)  # the list is not flooded


def test_two_cut_off_branches_are_two_causes():
    from designer.panels.problem_groups import cut_off_branches

    edges = [("start", "a"), ("b", "c"), ("c", "d"), ("e", "f"), ("f", "f"), ("x", "y"),
             ("y", "x")]
    branches, loops = cut_off_branches(edges, ["b", "c", "d", "e", "f", "x", "y"])
    assert branches == [("b", ["c", "d"]), ("e", ["f"])]
    assert loops == ["x", "y"]  # a loop nothing leads into has no first step


def test_the_problems_panel_keeps_its_height(triage, qtbot):
    dock = triage.docks[2]
    qtbot.wait(50)
    before = dock.height()
    _delete_edges(triage, lambda e: e.source in ("start", "route"))
    qtbot.wait(50)
    assert len(triage.problems.problems) > 5
    assert dock.height() == before
