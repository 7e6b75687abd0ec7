"""The property panel: forms generated from the models, edits that are undoable, and
invalid input shown at the field instead of crashing anything."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from designer import nodes


def _select(window, node_id):
    window.scene.select_only(nodes=[node_id])
    return window.properties.current_form()


def _type(qtbot, line: QLineEdit, text: str):
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


@pytest.mark.parametrize("node_id", ["start", "intake", "route", "draft_reply", "update_ticket",
                                     "refund_review", "send_reply", "done"])
def test_each_kind_of_step_gets_a_form_from_its_model(triage, node_id):
    form = _select(triage, node_id)
    node = triage.session.document.node(node_id)
    assert form.objectName() == f"form_{type(node).__name__}"
    if form.more is not None:
        form.more.toggle.click()
    for row in nodes.record_for(node).rows:
        assert form.rows[row].isVisibleTo(triage)


def test_editing_a_title_in_the_panel_is_one_undoable_step(triage, qtbot):
    form = _select(triage, "intake")
    _type(qtbot, form.editor("title").line, "Sort the ticket")
    assert triage.scene.item_for_node["intake"].look.title == "Sort the ticket"
    triage.undo()
    assert triage.session.document.node("intake").title == "Classify intent"
    assert form.editor("title").line.text() == "Classify intent"


def test_an_invalid_id_is_shown_at_the_field_and_changes_nothing(triage, qtbot):
    _select(triage, "route")
    panel = triage.properties
    _type(qtbot, panel.id_editor.line, "Not an id!")
    assert panel.id_row.error.isVisibleTo(triage)
    assert panel.id_row.error.text() == ("use lowercase letters, digits and underscores, "
                                         "starting with a letter (not 'Not an id!')")
    assert triage.session.document.has_node("route")
    assert panel.id_editor.line.text() == "Not an id!"  # kept for correcting
    _type(qtbot, panel.id_editor.line, "spam_or_urgent")
    assert not panel.id_row.error.isVisibleTo(triage)
    assert triage.session.document.has_node("spam_or_urgent")


def test_an_invalid_outcome_is_reported_under_its_row(triage, qtbot):
    form = _select(triage, "done")
    _type(qtbot, form.editor("outcome").line, "All Good")
    assert form.rows["outcome"].error.isVisibleTo(triage)
    assert triage.session.document.node("done").outcome == "resolved"


def test_band_sliders_stay_ordered_and_a_drag_is_one_step(triage, qtbot):
    form = _select(triage, "update_ticket")
    bands = form.editor("guardrails").form.editor("bands")
    depth = triage.session.editor.undo_stack.count()
    bands.act.sliderPressed.emit()
    bands.act.setValue(40)  # below suggest (0.55): suggest follows it down
    bands.act.setValue(45)
    assert bands.suggest.value() == 40
    assert bands.act_value.text() == "0.45"
    bands.act.sliderReleased.emit()
    assert triage.session.editor.undo_stack.count() == depth + 1
    saved = triage.session.document.node("update_ticket").guardrails.bands
    assert (saved.act, saved.suggest) == (0.45, 0.4)
    triage.undo()
    assert triage.session.document.node("update_ticket").guardrails.bands.act == 0.8


def test_the_field_matrix_writes_permissions_and_limits(triage, qtbot):
    form = _select(triage, "update_ticket")
    matrix = form.editor("guardrails").form.editor("fields")
    assert matrix.names == ["status", "queue", "priority", "refund_amount", "reply"]
    assert matrix.rows["reply"].permission() == "deny"
    matrix.rows["reply"].buttons["suggest"].click()
    rails = triage.session.document.node("update_ticket").guardrails
    assert rails.fields["reply"].value == "suggest"
    assert list(rails.fields) == ["status", "queue", "priority", "refund_amount", "reply"]
    _type(qtbot, matrix.limits_of("refund_amount").inputs["max"], "150")
    rails = triage.session.document.node("update_ticket").guardrails
    assert rails.limits["refund_amount"].max == 150.0
    assert rails.limits["refund_amount"].min == 0.0
    assert list(rails.limits) == ["refund_amount", "status"]
    matrix.rows["reply"].buttons["suggest"].click()  # again: back to "not listed"
    assert "reply" not in triage.session.document.node("update_ticket").guardrails.fields


def test_the_condition_builder_offers_fields_operators_and_values(triage):
    triage.scene.select_only(edges=[k for k, e in triage.session.document.edges()
                                    if e.source == "route" and e.target == "escalate"])
    builder = triage.properties.edge_form.builder
    assert builder.isVisibleTo(triage)
    _first, second = builder.rows
    assert builder.mode.currentData() == "all"
    assert second.field.currentData() == "case.customer_tier"
    assert [second.op.itemText(i) for i in range(second.op.count())] == [
        "is", "is not", "is one of", "is none of", "is set"]
    assert [second.value.itemText(i) for i in range(second.value.count())] == [
        "free", "pro", "enterprise"]
    second.field.setCurrentIndex(second.field.findData("case.order_total"))
    second.field.activated.emit(second.field.currentIndex())
    assert "is at least" in [second.op.itemText(i) for i in range(second.op.count())]
    second.op.setCurrentIndex(second.op.findData("gte"))
    second.op.activated.emit(second.op.currentIndex())
    second.value.setEditText("100")
    second.value.lineEdit().editingFinished.emit()
    edge = next(e for _, e in triage.session.document.edges() if e.target == "escalate")
    assert edge.when.model_dump(mode="json") == {"all": [
        {"field": "intake.label", "op": "eq", "value": "technical"},
        {"field": "case.order_total", "op": "gte", "value": 100}]}


def test_a_comparison_the_runtime_rejects_shows_its_problem_in_the_row(triage):
    key = next(k for k, e in triage.session.document.edges() if e.target == "close_spam")
    triage.session.editor.set_edge_properties(
        key, when={"field": "intake.label", "op": "eq", "value": "holiday"})
    triage.scene.select_only(edges=[key])
    row = triage.properties.edge_form.builder.rows[0]
    assert row.problem.isVisibleTo(triage)
    assert "'holiday' is not a value of 'intake.label'" in row.problem.text()


def test_turning_a_branch_into_otherwise(triage):
    key = next(k for k, e in triage.session.document.edges() if e.target == "close_spam")
    triage.scene.select_only(edges=[key])
    triage.properties.edge_form.else_choice.click()
    edge = triage.session.document.edge(key)
    assert edge.else_ and edge.when is None
    assert triage.scene.item_for_edge[key].look.label == "Otherwise"


def test_options_can_be_added_and_removed(triage):
    form = _select(triage, "intake")
    options = form.editor("options")
    assert len(options.cards) == 5
    options.add_button.click()
    node = triage.session.document.node("intake")
    assert [o.name for o in node.options][-1] == "option"
    assert len(options.cards) == 6
    options.cards[-1].remove.click()
    assert len(triage.session.document.node("intake").options) == 5


def test_a_choice_field_without_choices_is_refused_at_the_table(triage):
    triage.show_flow_properties()
    form = triage.properties.current_form()
    table = form.editor("case_fields")
    table.add_button.click()
    card = table.cards[-1]
    assert card.name.text() == "new_field"
    card.type.setCurrentIndex(card.type.findData("enum"))
    card.type.activated.emit(card.type.currentIndex())
    assert card.choices.isVisibleTo(triage)
    error = form.rows["case_fields"].error
    assert error.isVisibleTo(triage) and "needs a non-empty 'values' list" in error.text()
    assert triage.session.document.header.case_fields[-1].type.value == "string"


def test_prompt_preview_uses_the_runtime_prompt(triage):
    _select(triage, "intake")
    text = triage.properties.preview.text.toPlainText()
    assert "A) refund: wants money back" in text
    assert "What does the customer want?" in text


def test_header_names_the_kind_in_plain_words(triage):
    _select(triage, "draft_reply")
    title = triage.properties.header.findChild(QLabel, "kindTitle")
    assert title.text() == "AI · Assist"


def test_limits_on_a_persons_edits(triage, qtbot):
    form = _select(triage, "refund_review")
    limits = form.editor("limits")
    line = limits.limits_of("refund_amount")
    assert (line.inputs["min"].text(), line.inputs["max"].text()) == ("0", "2000")
    _type(qtbot, line.inputs["max"], "500")
    saved = triage.session.document.node("refund_review").limits["refund_amount"]
    assert (saved.min, saved.max) == (0.0, 500.0)


def test_a_field_the_runtime_adds_shows_up_without_designer_changes(qapp):
    from pydantic import Field

    from designer.panels.properties.editors import TextEditor, YamlEditor
    from designer.panels.properties.form import ModelForm
    from designer.panels.properties.texts import rows_for
    from runtime.flow.schema import HumanNode

    class FutureHuman(HumanNode):
        escalation_contact: str = ""
        working_hours: dict[str, str] = Field(default_factory=dict)

    rows = rows_for(FutureHuman, list(nodes.record("human").rows))
    assert rows[-4:] == ["escalation_contact", "working_hours", "max_visits", "notes"]
    form = ModelForm(FutureHuman, rows)
    assert isinstance(form.editor("escalation_contact"), TextEditor)
    hours = form.editor("working_hours")
    assert isinstance(hours, YamlEditor)
    committed = []
    form.committed.connect(committed.append)
    hours.box.setPlainText("monday: 9-17")
    hours.commit()
    assert committed == [{"working_hours": {"monday": "9-17"}}]
    form.deleteLater()
