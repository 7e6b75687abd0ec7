"""The main window as a person uses it: files, prompts, title, clipboard, find, problems."""

from __future__ import annotations

import shutil

import pytest
from designer_testkit import TEMPLATE_FLOWS
from PySide6.QtCore import Qt

from designer.canvas.node_item import NodeItem
from runtime.api import load_flow


def _copy_template(template_flow, tmp_path):
    folder = tmp_path / template_flow.parent.name
    shutil.copytree(template_flow.parent, folder)
    return folder / "flow.yaml"


@pytest.mark.parametrize("template", TEMPLATE_FLOWS, ids=lambda p: p.parent.name)
def test_every_template_opens_and_saves_byte_for_byte(window, tmp_path, template):
    path = _copy_template(template, tmp_path)
    assert window.files.open_path(path)
    assert not window.session.is_modified()
    assert window.files.save()
    assert path.read_bytes() == template.read_bytes()


def test_title_names_the_file_and_shows_the_modified_mark(window, template_flow, tmp_path):
    path = _copy_template(template_flow, tmp_path)
    window.files.open_path(path)
    assert window.windowTitle() == "flow.yaml[*] — Junction Designer"
    assert not window.isWindowModified()
    window.session.editor.set_node_property("intake", "title", "Sort the ticket")
    assert window.isWindowModified()
    window.undo()
    assert not window.isWindowModified()


def test_closing_with_changes_asks_and_cancel_keeps_the_window(window, prompter, tmp_path,
                                                              template_flow):
    window.files.open_path(_copy_template(template_flow, tmp_path))
    window.session.editor.set_node_property("intake", "title", "Changed")
    prompter.script("save_changes", "cancel")
    assert not window.close()
    assert window.isVisible()
    assert prompter.asked == [("save_changes", ("flow.yaml",))]


def test_closing_with_changes_and_choosing_save_writes_the_file(window, prompter, tmp_path,
                                                               template_flow):
    path = _copy_template(template_flow, tmp_path)
    window.files.open_path(path)
    window.session.editor.set_node_property("intake", "title", "Sort the ticket")
    prompter.script("save_changes", "save")
    assert window.close()
    assert load_flow(path).flow.node("intake").title == "Sort the ticket"


def test_opening_another_file_over_unsaved_changes_asks_first(window, prompter, tmp_path,
                                                             template_flow):
    first = _copy_template(template_flow, tmp_path / "a")
    second = _copy_template(template_flow, tmp_path / "b")
    window.files.open_path(first)
    window.session.editor.set_node_property("intake", "title", "Changed")
    prompter.script("save_changes", "discard")
    assert window.files.open_path(second)
    assert window.session.path == second
    assert first.read_text() == template_flow.read_text()


def test_a_broken_file_is_refused_with_its_line_and_reason(window, prompter, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format_version: 1\nname: Broken\nnodes:\n- {id: a, kind: teleport}\n")
    prompter.script("error", None)
    assert not window.files.open_path(bad)
    (_, (title, text)), = prompter.asked
    assert title == "Cannot open the flow"
    assert "bad.yaml:4" in text and "unknown node kind 'teleport'" in text
    assert window.on_start_page()


def test_save_as_for_a_new_flow_asks_for_a_name_and_remembers_it(window, prompter, tmp_path,
                                                                 settings):
    window.files.start_from(None)
    target = tmp_path / "mine.yaml"
    prompter.script("flow_name", "Password resets").script("save_path", target)
    assert window.files.save()
    assert prompter.asked[0] == ("flow_name", ("Untitled flow",))
    # the file is suggested in the Junction flows folder, named after the flow
    assert prompter.asked[1] == ("save_path", (settings.new_flows_folder / "password_resets.yaml",))
    assert settings.new_flows_folder.is_dir()
    assert load_flow(target).flow.name == "Password resets"
    assert settings.recent_files() == [target]
    assert window.windowTitle().startswith("mine.yaml")
    recent = window.recent_menu.actions()
    assert [a.text() for a in recent] == ["Password resets"]
    assert recent[0].toolTip() == str(target)


def test_cancelling_the_name_question_saves_nothing(window, prompter, tmp_path):
    window.files.start_from(None)
    prompter.script("flow_name", None)
    assert not window.files.save()
    assert [q for q, _ in prompter.asked] == ["flow_name"]
    assert window.session.path is None


def test_recent_files_show_flow_names_not_flow_yaml(window, prompter, tmp_path, settings):
    template = next(t for t in window.templates if t.folder.name == "support-triage")
    prompter.script("save_path", tmp_path / "copy" / "flow.yaml")
    window.files.start_from(template)
    suggested = prompter.asked[0][1][0]
    assert suggested.parent.parent == settings.new_flows_folder
    texts = [a.text() for a in window.recent_menu.actions()]
    assert texts == ["Support triage"]
    first = window.start_page.recent.item(0)
    assert first.text().splitlines()[0] == "Support triage"
    assert first.toolTip() == str(tmp_path / "copy" / "flow.yaml")


def test_starting_from_a_template_copies_it_with_its_files(window, prompter, tmp_path):
    template = next(t for t in window.templates if t.folder.name == "support-triage")
    target = tmp_path / "copy" / "triage.yaml"
    prompter.script("save_path", target)
    window.files.start_from(template)
    assert window.session.path == target
    assert (target.parent / "scripted.yaml").read_bytes() == (
        template.folder / "scripted.yaml").read_bytes()
    assert target.read_bytes() == template.flow_path.read_bytes()
    assert not window.on_start_page()


def test_copy_and_paste_between_two_windows(designer_app, window, qtbot, tmp_path,
                                            template_flow):
    window.files.open_path(_copy_template(template_flow, tmp_path))
    other = designer_app.new_window()
    qtbot.addWidget(other)
    other.files.start_from(None)
    window.scene.select_only(nodes=["route", "close_spam"])
    window.copy_selection()
    other.paste()
    pasted = other.scene.selected_node_ids()
    assert pasted == ["route", "close_spam"]
    assert [(e.source, e.target) for _, e in other.session.document.edges()] == [
        ("route", "close_spam")]
    other.undo()
    assert other.session.document.node_ids() == ["start", "done"]


def test_problems_panel_click_selects_and_centres_the_step(window, qtbot, tmp_path,
                                                          template_flow):
    window.files.open_path(_copy_template(template_flow, tmp_path))
    window.session.editor.delete(edge_keys=[key for key, e in
                                            window.session.document.edges()
                                            if e.source == "draft_reply"])
    window.problems.refresh()
    rows = window.problems.tree
    row = next(rows.topLevelItem(i) for i in range(rows.topLevelItemCount())
               if rows.topLevelItem(i).text(0) == "Draft a reply")
    assert "no way out" in row.text(1)
    assert window.scene.item_for_node["draft_reply"].look.problems
    window.view.centerOn(-2000, -2000)
    rows.scrollToItem(row)
    rect = rows.visualItemRect(row)
    qtbot.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.scene.selected_node_ids() == ["draft_reply"]
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    item_pos = window.scene.item_for_node["draft_reply"].pos()
    assert abs(centre.x() - item_pos.x()) < 5 and abs(centre.y() - item_pos.y()) < 5


def test_problem_markers_clear_when_the_problem_is_fixed(window, tmp_path, template_flow):
    window.files.open_path(_copy_template(template_flow, tmp_path))
    keys = [k for k, e in window.session.document.edges() if e.source == "draft_reply"]
    window.session.editor.delete(edge_keys=keys)
    window.problems.refresh()
    assert window.scene.item_for_node["draft_reply"].look.problems
    window.undo()
    window.problems.refresh()
    assert not window.scene.item_for_node["draft_reply"].look.problems
    assert window.problems.row_count() == 0


def test_find_selects_a_step_by_title_or_id(window, tmp_path, template_flow):
    window.files.open_path(_copy_template(template_flow, tmp_path))
    assert window.find_step("approve the REFUND") == "refund_review"
    assert window.scene.selected_node_ids() == ["refund_review"]
    assert window.find_step("update_t") == "update_ticket"
    assert window.find_step("nothing like this") is None


def test_duplicate_delete_and_select_all_work_on_the_selection(window):
    window.files.start_from(None)
    window.scene.select_only(nodes=["done"])
    window.duplicate_selection()
    assert window.scene.selected_node_ids() == ["done_2"]
    window.select_all()
    assert len(window.scene.selected_node_items()) == 3
    window.delete_selection()
    assert window.session.document.is_empty()
    window.undo()
    assert window.session.document.node_ids() == ["start", "done", "done_2"]


def test_shortcuts_reach_the_canvas(window, qtbot):
    window.files.start_from(None)
    window.view.setFocus()
    window.scene.select_only(nodes=["done"])
    qtbot.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.session.document.node_ids() == ["start", "done", "done_2"]
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.document.node_ids() == ["start", "done"]
    window.scene.select_only(nodes=["done"])
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.session.document.node_ids() == ["start"]


def test_autonomy_switch_is_an_undoable_flow_edit(window):
    window.files.start_from(None)
    window.autonomy.buttons["operate"].click()
    assert window.session.document.header.autonomy.value == "operate"
    assert window.autonomy.buttons["operate"].isChecked()
    window.undo()
    assert window.autonomy.buttons["copilot"].isChecked()


def test_palette_double_click_adds_a_step_in_the_middle_of_the_view(window, qtbot):
    window.files.start_from(None)
    item = window.step_palette.item_for_key("ai.classify")
    rect = window.step_palette.visualItemRect(item)
    # a real double-click starts with a press (QTest's double-click event alone has none)
    qtbot.mouseClick(window.step_palette.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.step_palette.viewport(), Qt.MouseButton.LeftButton,
                      pos=rect.center())
    assert "classify" in window.session.document.node_ids()
    node_item = window.scene.item_for_node["classify"]
    assert isinstance(node_item, NodeItem) and node_item.isSelected()
    assert window.view.viewport().rect().contains(window.view.mapFromScene(node_item.pos()))


def test_file_new_offers_the_gallery_and_asks_before_dropping_changes(window, prompter,
                                                                      tmp_path, template_flow):
    window.files.open_path(_copy_template(template_flow, tmp_path))
    window.session.editor.set_node_property("intake", "title", "Changed")
    prompter.script("new_flow", (True, None)).script("save_changes", "discard")
    window.files.new_flow()
    assert prompter.asked == [("new_flow", (tuple(t.name for t in window.templates),)),
                              ("save_changes", ("flow.yaml",))]
    assert window.session.path is None
    assert window.session.document.node_ids() == ["start", "done"]
    assert not window.isWindowModified()


def test_recent_files_show_on_the_start_page_and_in_the_menu(designer_app, window, qtbot,
                                                            tmp_path, template_flow):
    path = _copy_template(template_flow, tmp_path)
    window.files.open_path(path)
    other = designer_app.new_window()
    qtbot.addWidget(other)
    item = other.start_page.recent.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == str(path.resolve())
    assert [a.text() for a in other.recent_menu.actions()] == ["Support triage"]
    assert other.recent_menu.actions()[0].toolTip() == str(path.resolve())
    other.start_page.recent_chosen.emit(path)
    assert other.session.path == path and not other.on_start_page()


def test_the_palette_drags_what_the_canvas_accepts(window):
    from designer.canvas.interactions import NODE_MIME

    assert window.step_palette.keys() == ["start", "end", "ai.classify", "ai.assist",
                                     "ai.enforce", "decision", "human", "action"]
    data = window.step_palette.mimeData([window.step_palette.item_for_key("ai.assist")])
    assert bytes(data.data(NODE_MIME).data()) == b"ai.assist"


def test_open_starts_in_the_flows_folder_once_it_exists(window, prompter, settings):
    prompter.script("open_path", None, None)
    window.files.open_dialog()
    settings.ensure_flows_folder()
    window.files.open_dialog()
    assert [a for q, a in prompter.asked] == [(None,), (settings.new_flows_folder,)]
