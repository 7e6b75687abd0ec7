"""Renaming an option or a person's decision keeps the branches that use it working, as
one undo step; a new option's hint stays a hint (never saved as its description)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from runtime.api import LoadedFlow, validate_flow


def _edge(window, source, target):
    return next(e for _, e in window.session.document.edges()
                if e.source == source and e.target == target)


def _type(qtbot, line, text):
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def _problems(window):
    return validate_flow(LoadedFlow(window.session.document.flow(), "", None))


def test_renaming_an_option_in_the_panel_renames_it_in_every_branch(triage, qtbot):
    triage.scene.select_only(nodes=["intake"])
    cards = triage.properties.current_form().editor("options").cards
    card = next(c for c in cards if c.name.text() == "refund")
    stack = triage.session.editor.undo_stack
    depth = stack.count()
    _type(qtbot, card.name, "money_back")
    assert _edge(triage, "is_refund", "refund_review").when.model_dump(mode="json") == {
        "field": "intake.label", "op": "eq", "value": "money_back"}
    assert _problems(triage) == []
    assert stack.count() == depth + 1  # the option and its branches: one step
    triage.undo()
    assert "refund" in [o.name for o in triage.session.document.node("intake").options]
    assert _edge(triage, "is_refund", "refund_review").when.model_dump(mode="json")[
        "value"] == "refund"


def test_renaming_inside_all_and_lists_and_leaving_other_fields_alone(triage):
    editor = triage.session.editor
    key = next(k for k, e in triage.session.document.edges() if e.target == "close_spam")
    editor.set_edge_properties(key, when={"any": [
        {"field": "intake.label", "op": "in", "value": ["spam", "technical"]},
        {"field": "case.customer_tier", "op": "eq", "value": "technical"}]})
    node = triage.session.document.node("intake")
    options = [o.model_dump() for o in node.options]
    for option in options:
        if option["name"] == "technical":
            option["name"] = "tech"
    editor.set_node_properties("intake", {"options": options})
    assert _edge(triage, "route", "close_spam").when.model_dump(mode="json") == {"any": [
        {"field": "intake.label", "op": "in", "value": ["spam", "tech"]},
        {"field": "case.customer_tier", "op": "eq", "value": "technical"}]}
    assert _edge(triage, "route", "escalate").when.model_dump(mode="json")["all"][0] == {
        "field": "intake.label", "op": "eq", "value": "tech"}


def test_renaming_a_persons_decision_renames_the_branch_that_follows_it(triage):
    triage.session.editor.set_node_properties("refund_review",
                                              {"decisions": ["approve", "decline"]})
    assert _edge(triage, "refund_review", "decline_refund").on == "decline"
    assert _edge(triage, "refund_review", "send_reply").on == "approve"
    assert _problems(triage) == []
    triage.undo()
    assert _edge(triage, "refund_review", "decline_refund").on == "reject"


def test_adding_an_option_renames_nothing(triage):
    node = triage.session.document.node("intake")
    before = [e for _, e in triage.session.document.edges()]
    options = [o.model_dump() for o in node.options] + [{"name": "praise"}]
    triage.session.editor.set_node_properties("intake", {"options": options})
    assert [e for _, e in triage.session.document.edges()] == before


def test_a_new_options_hint_is_a_placeholder_not_a_description(triage, qtbot):
    window = triage
    key = window.session.editor.add_node("ai.classify", (0.0, 0.0))
    node = window.session.document.node(key)
    assert [o.description for o in node.options] == ["", ""]
    window.scene.select_only(nodes=[key])
    card = window.properties.current_form().editor("options").cards[0]
    assert card.description.text() == ""
    assert card.description.placeholderText() == "when to choose it"
    window.properties.current_form().editor("options").add_button.click()
    assert window.session.document.node(key).options[2].description == ""
