"""Right-click menus on steps, connections and the canvas; paste lands at the pointer."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from designer.app.context_menu import menu_at


def _texts(menu):
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def _centre_of(window, node_id):
    return window.scene.item_for_node[node_id].sceneBoundingRect().center()


def test_a_step_menu_selects_the_step_and_offers_its_edits(triage):
    menu = menu_at(triage, _centre_of(triage, "draft_reply"))
    try:
        assert triage.scene.selected_node_ids() == ["draft_reply"]
        texts = _texts(menu)
        assert texts[0] == "Draft a reply"
        assert {"Edit properties", "Cut", "Copy", "Duplicate", "Delete"} <= set(texts)
        next(a for a in menu.actions() if a.text().replace("&", "") == "Delete").trigger()
        assert not triage.session.document.has_node("draft_reply")
    finally:
        menu.deleteLater()


def test_a_connection_menu_offers_to_edit_or_delete_the_branch(triage):
    key = next(k for k, e in triage.session.document.edges() if e.target == "close_spam")
    item = triage.scene.item_for_edge[key]
    point = item.path.pointAtPercent(0.5)
    menu = menu_at(triage, item.mapToScene(point))
    try:
        assert triage.scene.selected_edge_keys() == [key]
        assert {"Edit branch", "Delete"} <= set(_texts(menu))
    finally:
        menu.deleteLater()


def test_paste_here_puts_the_copies_at_the_pointer_not_on_the_originals(triage):
    triage.scene.select_only(nodes=["draft_reply", "update_ticket"])
    triage.copy_selection()
    empty = QPointF(600, 900)
    menu = menu_at(triage, empty)
    try:
        assert "Paste here" in _texts(menu) and "Add step here" in _texts(menu)
        next(a for a in menu.actions() if a.text() == "Paste here").trigger()
    finally:
        menu.deleteLater()
    pasted = triage.scene.selected_node_ids()
    assert len(pasted) == 2
    doc = triage.session.document
    positions = {doc.node(n).position for n in pasted}
    originals = {doc.node(n).position for n in ("draft_reply", "update_ticket")}
    assert not positions & originals
    expected = triage.scene.snapped(empty)
    assert min(p[0] for p in positions) == expected.x()
    assert min(p[1] for p in positions) == expected.y()
    # the pair keeps its shape
    a, b = (doc.node(n).position for n in ("draft_reply", "update_ticket"))
    c, d = (doc.node(n).position for n in pasted)
    assert (d[0] - c[0], d[1] - c[1]) == (b[0] - a[0], b[1] - a[1])


def test_add_step_here_adds_it_where_the_canvas_was_clicked(triage):
    menu = menu_at(triage, QPointF(400, 1000))
    try:
        adding = next(a.menu() for a in menu.actions() if a.text() == "Add step here")
        next(a for a in adding.actions() if a.text() == "Human review").trigger()
    finally:
        menu.deleteLater()
    node_id, = triage.scene.selected_node_ids()
    assert triage.session.document.node(node_id).position == (
        triage.scene.snapped(QPointF(400, 1000)).x(), triage.scene.snapped(QPointF(400, 1000)).y())


def test_paste_here_is_greyed_out_while_the_clipboard_holds_no_steps(triage):
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText("a shopping list, not steps")
    menu = menu_at(triage, QPointF(600, 900))
    try:
        paste = next(a for a in menu.actions() if a.text() == "Paste here")
        assert not paste.isEnabled()
    finally:
        menu.deleteLater()
    triage.scene.select_only(nodes=["draft_reply"])
    triage.copy_selection()
    menu = menu_at(triage, QPointF(600, 900))
    try:
        assert next(a for a in menu.actions() if a.text() == "Paste here").isEnabled()
    finally:
        menu.deleteLater()
