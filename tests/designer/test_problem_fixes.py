"""The problems panel: a calm "No problems", and one-click fixes where the remedy is obvious."""

from __future__ import annotations


def _otherwise_of(window, decision):
    return [k for k, e in window.session.document.edges() if e.source == decision and e.else_]


def test_no_problems_shows_the_message_alone_without_an_empty_table(window, monkeypatch):
    from designer.panels import problems as module

    panel = window.problems
    panel.refresh()
    assert panel.problems and panel.tree.isVisibleTo(panel)  # a blank flow has problems
    monkeypatch.setattr(module, "check", lambda session, ollama=None: [])
    panel.refresh()
    assert "No problems" in panel.summary.text()
    assert not panel.tree.isVisibleTo(panel)


def test_a_decision_without_otherwise_gets_one_with_one_click_and_one_undo(triage):
    doc = triage.session.document
    triage.session.editor.delete(edge_keys=_otherwise_of(triage, "is_refund"))
    triage.problems.refresh()
    buttons = triage.problems.fix_buttons()
    assert [b.text() for b in buttons] == ["Add Otherwise branch"]
    assert triage.problems.tree.isVisibleTo(triage.problems)
    steps_before = len(doc.node_ids())
    buttons[0].click()
    otherwise, = _otherwise_of(triage, "is_refund")
    assert doc.node(doc.edge(otherwise).target).kind == "end"
    assert len(doc.node_ids()) == steps_before + 1
    assert not any("Otherwise" in p.message or "else" in p.message
                   for p in triage.problems.problems)
    assert triage.problems.fix_buttons() == []
    triage.undo()
    assert _otherwise_of(triage, "is_refund") == [] and len(doc.node_ids()) == steps_before
