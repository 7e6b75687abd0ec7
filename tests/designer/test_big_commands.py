"""Commands on many steps notify listeners once per undo step, not once per step, and
the canvas still fits what it shows. (The timings are in bench/designer_canvas.py.)"""

from __future__ import annotations

from designer.canvas.scene import MARGIN


def _chain(editor, count):
    starts = [n.id for n in editor.document.nodes() if n.kind == "start"]
    previous = starts[0] if starts else editor.add_node("start", (0.0, 0.0), "start")
    for index in range(count):
        node_id = editor.add_node("end" if index == count - 1 else "human",
                                  (0.0, 140.0 * index), f"s{index}")
        editor.connect(previous, node_id)
        previous = node_id


def test_a_command_on_many_steps_emits_changed_once_and_undo_too(editor):
    _chain(editor, 60)
    document = editor.document
    seen = []
    document.changed.connect(lambda: seen.append("changed"))
    moved = []
    document.node_changed.connect(moved.append)
    editor.move_nodes({node_id: (500.0 + i, 40.0) for i, node_id in
                       enumerate(document.node_ids())}, "Tidy layout")
    assert seen == ["changed"] and len(moved) == 61
    editor.undo_stack.undo()
    assert seen == ["changed", "changed"]
    editor.delete(document.node_ids())
    assert seen == ["changed"] * 3 and document.node_ids() == []
    editor.undo_stack.undo()
    assert len(document.node_ids()) == 61 and seen == ["changed"] * 4


def test_the_canvas_fits_its_steps_after_a_big_move(window):
    editor = window.session.editor
    window.session.new()
    _chain(editor, 30)
    scene = window.scene
    far = {node_id: (5000.0 + 10 * i, 3000.0) for i, node_id in
           enumerate(window.session.document.node_ids())}
    editor.move_nodes(far, "Tidy layout")
    assert len(far) == len(scene.item_for_node) > 30
    margin = MARGIN
    fitted = scene.itemsBoundingRect().adjusted(-margin, -margin, margin, margin)
    assert scene.sceneRect() == fitted  # fitted once the command was done
    assert fitted.right() > 5000
    editor.undo_stack.undo()
    fitted = scene.itemsBoundingRect().adjusted(-margin, -margin, margin, margin)
    assert scene.sceneRect() == fitted and fitted.right() < 5000  # and shrunk back


def test_the_find_box_knows_steps_added_since_it_was_last_used(window, qtbot):
    window.session.new()
    window.session.editor.add_node("human", (200.0, 0.0), "check_order")
    window.focus_find()
    qtbot.keyClicks(window.find_box, "che")
    names = window.find_box.completer_.model().stringList()
    assert any("check_order" in name for name in names)


def test_a_zoomed_out_card_still_shows_its_title(window):
    """At Fit on a big flow (below the detail zoom) a card draws its title alone, in
    letters that stay readable on screen, instead of an empty coloured box."""
    from PySide6.QtGui import QColor, QImage, QPainter

    from designer import theme

    window.session.new()
    node_id = window.session.editor.add_node("human", (0.0, 0.0))
    window.session.editor.set_node_properties(node_id, {"title": "Approve the refund"})
    item = window.scene.item_for_node[node_id]
    source = item.sceneBoundingRect()

    def ink_pixels(scale: float) -> int:
        image = QImage(int(source.width() * scale) + 2, int(source.height() * scale) + 2,
                       QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        window.scene.render(painter, source=source)
        painter.end()
        ink = QColor(theme.INK)
        return sum(1 for x in range(image.width()) for y in range(image.height())
                   if QColor(image.pixel(x, y)).lightness() < ink.lightness() + 40)

    assert ink_pixels(0.3) > 15  # letters, not just an outline


def _lanes(tmp_path, count=240, rows=8):
    """A flow of `count` steps in `rows` parallel lanes from one decision to the ends."""
    import yaml

    nodes = [{"id": "start", "kind": "start", "position": [0, 0]},
             {"id": "fan", "kind": "decision", "title": "Which lane?", "position": [200, 0]}]
    edges = [{"from": "start", "to": "fan"}]
    last = {row: "fan" for row in range(rows)}
    for index in range(count):
        row, column = index % rows, index // rows
        node_id = f"s{index}"
        nodes.append({"id": node_id, "kind": "human", "title": f"Review {index}",
                      "position": [400 + 200 * column, 140 * row]})
        edge = {"from": last[row], "to": node_id}
        if last[row] == "fan":
            edge["when"] = {"field": "case.lane", "op": "eq", "value": row}
        edges.append(edge)
        last[row] = node_id
    nodes.append({"id": "done", "kind": "end", "outcome": "done", "position": [9000, 0]})
    edges += [{"from": node_id, "to": "done"} for node_id in last.values()]
    edges.append({"from": "fan", "to": "done", "else": True})
    path = tmp_path / "lanes.yaml"
    path.write_text(yaml.safe_dump({"format_version": 1, "name": "Lanes",
                                    "case_fields": [{"name": "lane", "type": "integer"}],
                                    "nodes": nodes, "edges": edges}, sort_keys=False))
    return path


def _attached(scene):
    """Every connection starts at its source's out port and ends at its target's in port
    (what a person sees: no line left hanging where a step used to be)."""
    for key, item in scene.item_for_edge.items():
        edge = scene.document.edge(key)
        start, end = item.path.pointAtPercent(0), item.path.pointAtPercent(1)
        assert (start - scene.item_for_node[edge.source].out_port()).manhattanLength() < 1
        assert (end - scene.item_for_node[edge.target].in_port()).manhattanLength() < 1
    return True


def test_tidy_on_hundreds_of_steps_moves_every_line_and_undo_restores_the_file(
        window, tmp_path):
    window.files.open_path(_lanes(tmp_path))
    before = window.session.text()
    positions = {n.id: n.position for n in window.session.document.nodes()}
    window.tidy_layout()
    moved = {n.id for n in window.session.document.nodes() if n.position != positions[n.id]}
    assert len(moved) > 200 and _attached(window.scene)
    assert window.session.editor.undo_stack.count() == 1  # one undo step
    window.undo()
    assert window.session.text() == before and _attached(window.scene)


def test_delete_and_paste_on_hundreds_of_steps_undo_exactly(window, tmp_path):
    window.files.open_path(_lanes(tmp_path))
    before = window.session.text()
    window.select_all()
    window.delete_selection()
    assert window.session.document.node_ids() == [] and not window.scene.items()
    window.undo()
    assert window.session.text() == before and _attached(window.scene)

    window.select_all()
    window.copy_selection()
    window.paste((0.0, 3000.0))
    document = window.session.document
    assert len(document.node_ids()) == 2 * 243 - 1  # the second start is not pasted
    assert len(window.scene.item_for_edge) == len(document.edge_keys()) and _attached(
        window.scene)
    selections = []
    window.scene.selectionChanged.connect(lambda: selections.append(1))
    window.undo()  # removes 242 selected steps: the selection changes once, not per step
    assert window.session.text() == before and _attached(window.scene)
    assert len(selections) == 1 and window.scene.selected_node_ids() == []


def test_paste_takes_what_is_on_the_clipboard_now_not_what_was_copied_last(window, tmp_path):
    """Pasting reuses this process's last copy only while the clipboard still holds it."""
    from PySide6.QtGui import QGuiApplication

    from designer.app import clipboard

    window.files.open_path(_lanes(tmp_path, count=8, rows=2))
    window.scene.select_only(nodes=["s0"])
    window.copy_selection()
    other = window.session.document.node("s1").model_copy(update={"title": "From elsewhere"})
    QGuiApplication.clipboard().setText(clipboard.Fragment((other,), ()).to_text())
    window.paste((0.0, 2000.0))
    titles = [window.session.document.node(n).title for n in window.session.document.node_ids()]
    assert "From elsewhere" in titles and titles.count("Review 0") == 1
    QGuiApplication.clipboard().clear()
