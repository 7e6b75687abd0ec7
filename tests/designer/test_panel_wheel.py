"""The wheel never edits a setting by accident, and repeated edits of a field are one undo
step. Real wheel events are sent to the widgets under the pointer, as a mouse would."""

from __future__ import annotations

import shutil

import pytest
from designer_testkit import wheel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from designer.panels.properties.wheel import takes_values_by_wheel


@pytest.fixture
def triage(window, tmp_path, template_flow):
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    window.files.open_path(folder / "flow.yaml")
    window.resize(1280, 600)  # short enough that the panel scrolls
    return window


def _select(window, node_id):
    window.scene.select_only(nodes=[node_id])
    return window.properties.current_form()


def _value(widget):
    return widget.currentIndex() if isinstance(widget, QComboBox) else widget.value()


def test_the_wheel_over_an_unfocused_choice_scrolls_the_panel_instead(triage, qtbot):
    form = _select(triage, "update_ticket")
    stage = form.editor("autonomy").combo
    bar = triage.properties.verticalScrollBar()
    assert bar.maximum() > 0, "the form should be taller than the panel for this test"
    before, depth = stage.currentIndex(), triage.session.editor.undo_stack.count()
    node_before = triage.session.document.node("update_ticket")
    for _ in range(3):
        wheel(stage)
    assert stage.currentIndex() == before
    assert triage.session.document.node("update_ticket") == node_before
    assert triage.session.editor.undo_stack.count() == depth
    assert bar.value() > 0  # the panel scrolled under the pointer


def test_no_value_widget_in_the_panel_takes_the_wheel_unless_focused(triage, qtbot):
    form = _select(triage, "update_ticket")
    if form.more is not None:
        form.more.toggle.click()
    bands = form.editor("guardrails").form.editor("bands")
    widgets = [w for w in triage.properties.findChildren(QWidget)
               if takes_values_by_wheel(w) and w.isVisibleTo(triage)]
    assert bands.act in widgets and len(widgets) >= 4
    document_before = triage.session.document.flow()
    for widget in widgets:
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus  # never focused by wheel
        before = _value(widget)
        wheel(widget, -1)
        wheel(widget, +1)
        wheel(widget, -2)
        assert _value(widget) == before, widget.objectName() or type(widget).__name__
    assert triage.session.document.flow() == document_before


def test_a_focused_slider_still_follows_the_wheel(triage, qtbot):
    form = _select(triage, "update_ticket")
    bands = form.editor("guardrails").form.editor("bands")
    bands.act.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(bands.act.hasFocus)
    before = bands.act.value()
    wheel(bands.act, +1)
    assert bands.act.value() != before


def test_a_focused_choice_changes_with_the_wheel_and_repeats_merge_into_one_step(triage, qtbot):
    form = _select(triage, "update_ticket")
    stage = form.editor("autonomy").combo
    stack = triage.session.editor.undo_stack
    original = triage.session.document.node("update_ticket").autonomy
    depth = stack.count()
    stage.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(stage.hasFocus)
    wheel(stage, -1)
    wheel(stage, -1)
    assert triage.session.document.node("update_ticket").autonomy != original
    assert stack.count() == depth + 1  # two notches, one undo step
    triage.undo()
    assert triage.session.document.node("update_ticket").autonomy == original


def test_typing_a_field_twice_is_one_undo_step_but_another_field_is_a_new_one(triage, qtbot):
    form = _select(triage, "intake")
    stack = triage.session.editor.undo_stack
    depth = stack.count()
    for text in ("Sort", "Sort the ticket"):
        line = form.editor("title").line
        line.setFocus()
        line.selectAll()
        qtbot.keyClicks(line, text)
        qtbot.keyClick(line, Qt.Key.Key_Return)
    assert triage.session.document.node("intake").title == "Sort the ticket"
    assert stack.count() == depth + 1
    flow_name = triage.session.document.header.name
    triage.session.editor.set_flow_property("name", "Renamed", merge=True)
    assert stack.count() == depth + 2
    triage.undo()
    assert triage.session.document.header.name == flow_name
    assert triage.session.document.node("intake").title == "Sort the ticket"
    triage.undo()
    assert triage.session.document.node("intake").title == "Classify intent"
