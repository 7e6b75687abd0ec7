"""The canvas mirrors the document, and mouse gestures become single undo steps."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from designer.canvas.interactions import NODE_MIME
from designer.canvas.presentation import edge_look, node_look
from runtime.flow.schema import Edge


def _drag(qtbot, view, start: QPointF, end: QPointF, modifiers=Qt.KeyboardModifier.NoModifier):
    viewport = view.viewport()
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifiers, a)
    for step in (0.2, 0.4, 0.6, 0.8, 1.0):
        point = a + QPoint(round((b.x() - a.x()) * step), round((b.y() - a.y()) * step))
        qtbot.mouseMove(viewport, point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifiers, b)


def _blank(window):
    window.files.start_from(None)
    window.view.set_zoom(1.0)
    window.view.centerOn(200, 0)
    return window.session.editor, window.scene


def test_the_scene_follows_the_document_through_undo_and_rename(window):
    editor, scene = _blank(window)
    node_id = editor.add_node("human", (200, 0))
    assert scene.item_for_node[node_id].pos() == QPointF(200, 0)
    editor.set_node_property(node_id, "title", "Check the refund")
    assert scene.item_for_node[node_id].look.title == "Check the refund"
    editor.rename_node(node_id, "check")
    assert "check" in scene.item_for_node and node_id not in scene.item_for_node
    window.undo()
    window.undo()
    window.undo()
    assert set(scene.item_for_node) == {"start", "done"}


def test_dragging_a_step_is_one_snapped_undo_step(window, qtbot):
    editor, scene = _blank(window)
    depth = editor.undo_stack.count()
    item = scene.item_for_node["done"]
    _drag(qtbot, window.view, item.pos() + QPointF(0, -20), QPointF(417, 53))  # by (-23, 73)
    assert editor.undo_stack.count() == depth + 1
    assert window.session.document.node("done").position == (420.0, 80.0)
    assert item.pos() == QPointF(420, 80)
    window.undo()
    assert window.session.document.node("done").position == (440.0, 0.0)
    assert item.pos() == QPointF(440, 0)


def test_dragging_from_the_out_port_connects_two_steps(window, qtbot):
    _editor, scene = _blank(window)
    start = scene.item_for_node["start"]
    _drag(qtbot, window.view, start.out_port(), scene.item_for_node["done"].pos())
    assert [(e.source, e.target) for _, e in window.session.document.edges()] == [
        ("start", "done")]
    key = window.session.document.edge_keys()[0]
    assert scene.item_for_edge[key].isSelected()


def test_a_refused_connection_explains_itself_and_changes_nothing(window, qtbot):
    editor, scene = _blank(window)
    ask = editor.add_node("ai.assist", (220, 0))
    depth = editor.undo_stack.count()
    _drag(qtbot, window.view, scene.item_for_node[ask].out_port(), QPointF(0, 0))
    assert window.session.document.edges() == []
    assert editor.undo_stack.count() == depth
    assert "every run begins there" in window.view.refusal_text()
    assert "every run begins there" in window.statusBar().currentMessage()


def test_hovering_a_target_while_connecting_marks_it_ok_or_refused(window, qtbot):
    editor, scene = _blank(window)
    ask = editor.add_node("ai.assist", (220, 0))
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton,
                     pos=window.view.mapFromScene(scene.item_for_node[ask].out_port()))
    qtbot.mouseMove(viewport, window.view.mapFromScene(QPointF(440, 0)))
    assert scene.item_for_node["done"].drop_state == "ok"
    qtbot.mouseMove(viewport, window.view.mapFromScene(QPointF(0, 0)))
    assert scene.item_for_node["start"].drop_state == "refused"
    assert scene.item_for_node["done"].drop_state is None
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton,
                       pos=window.view.mapFromScene(QPointF(0, 0)))
    assert scene.item_for_node["start"].drop_state is None


def test_rubber_band_selects_the_steps_it_touches(window, qtbot):
    editor, scene = _blank(window)
    editor.add_node("ai.assist", (220, 0))
    _drag(qtbot, window.view, QPointF(-100, -120), QPointF(260, 120))
    assert scene.selected_node_ids() == ["start", "assist"]
    assert window.properties.target == ("many", 2)


def test_dropping_a_palette_entry_adds_that_step_where_it_lands(window):
    _editor, scene = _blank(window)
    data = QMimeData()
    data.setData(NODE_MIME, b"ai.enforce")
    where = window.view.mapFromScene(QPointF(213, 151))
    viewport = window.view.viewport()
    enter = QDragEnterEvent(where, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(where), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, drop)
    node = window.session.document.node("enforce")
    assert node.role == "enforce" and node.position == (220.0, 160.0)
    assert scene.selected_node_ids() == ["enforce"]
    assert window.properties.target == ("node", "enforce")


def test_branch_labels_read_like_the_condition(window):
    editor, _ = _blank(window)
    ask = editor.add_node("ai.classify", (200, 0))
    decide = editor.add_node("decision", (400, 0))
    other = editor.add_node("end", (600, 200))
    editor.connect(ask, decide)
    when = window.session.document.edge(editor.connect(decide, "done"))
    otherwise = window.session.document.edge(editor.connect(decide, other))
    assert edge_look(when).label == "First"  # the option, not the file's path
    assert "classify.label = first" in edge_look(when).tooltip
    assert edge_look(otherwise).label == "Otherwise"
    assert edge_look(Edge(source="a", target="b", on="approve")).label == "Approve"
    assert edge_look(Edge(source="a", target="b", on="more_info")).label == "More info"


def test_branch_labels_are_in_business_words():
    from designer.canvas.presentation import business_words

    assert business_words("intake.label = technical and case.customer_tier in "
                          "['pro', 'enterprise']") == (
        "technical and customer tier in pro or enterprise")
    assert business_words("intake.label in ['refund', 'billing']") == "refund or billing"
    assert business_words("record.order_total >= 100") == "order total >= 100"
    assert business_words("classify_reason.label in ['wrong_item', 'damaged'] or "
                          "record.access_level = admin") == (
        "wrong item or damaged or access level is admin")


def test_ai_cards_show_fields_bands_and_autonomy(template_flow):
    from runtime.api import load_flow

    flow = load_flow(template_flow).flow
    enforce = node_look(flow.node("update_ticket"), flow)
    texts = [b.text for b in enforce.badges]
    assert texts[:2] == ["✎ 4", "≥0.80"]
    assert enforce.badges[-1].text == "Co-pilot" and enforce.badges[-1].tone == "muted"
    node = flow.node("update_ticket")
    own = type(node).model_validate({**node.model_dump(), "autonomy": "operate"})
    assert node_look(own, flow).badges[-1].tone == "autonomy"
    human = node_look(flow.node("refund_review"), flow)
    assert human.caption == "Person · refunds team"
    assert [b.text for b in human.badges] == ["approve", "reject"]


def test_space_and_drag_pans_the_view_without_editing(window, qtbot):
    editor, _ = _blank(window)
    depth = editor.undo_stack.count()
    view = window.view
    view.setFocus()
    before = view.mapToScene(view.viewport().rect().center())
    qtbot.keyPress(view, Qt.Key.Key_Space)
    _drag(qtbot, view, QPointF(440, 0), QPointF(240, 0))  # starts on the end step
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    after = view.mapToScene(view.viewport().rect().center())
    assert round(after.x() - before.x()) == 200
    assert editor.undo_stack.count() == depth
    assert window.session.document.node("done").position == (440.0, 0.0)


def test_zoom_actions_and_fit(window):
    _blank(window)
    window.zoom_reset()
    window.zoom_in()
    assert round(window.view.zoom(), 2) == 1.2
    window.zoom_out()
    window.zoom_out()
    assert round(window.view.zoom(), 3) == round(1 / 1.2, 3)
    window.zoom_fit()
    viewport = window.view.viewport().rect()
    for item in window.scene.item_for_node.values():
        assert viewport.contains(window.view.mapFromScene(item.sceneBoundingRect()).boundingRect())
    assert window.zoom_label.text() == f"{round(window.view.zoom() * 100)} %"


def test_without_grid_snapping_a_drag_lands_where_it_is_dropped(window, qtbot):
    _editor, scene = _blank(window)
    window.actions_["snap"].trigger()
    assert not scene.snap_to_grid
    item = scene.item_for_node["done"]
    _drag(qtbot, window.view, item.pos(), item.pos() + QPointF(13, 7))
    assert window.session.document.node("done").position == (453.0, 7.0)


def test_a_selected_connection_is_deleted_with_delete(window, qtbot):
    editor, scene = _blank(window)
    key = editor.connect("start", "done")
    scene.select_only(edges=[key])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.session.document.edges() == []
    assert key not in scene.item_for_edge
