"""Connections go around the cards in their way, and their labels are business words."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QApplication

from designer.canvas.edge_item import curve
from designer.canvas.routing import Obstacles, route


def _crosses(path: QPainterPath, rect: QRectF, samples: int = 200) -> bool:
    return any(rect.contains(path.pointAtPercent(i / samples)) for i in range(samples + 1))


def _routed(qtbot):
    qtbot.wait(5)
    QApplication.processEvents()


def test_a_connection_goes_around_a_card_in_its_way(window, qtbot):
    window.files.start_from(None)  # a start and an end on the row y = 0: work below them
    editor, scene = window.session.editor, window.scene
    first = editor.add_node("action", (0, 400))
    last = editor.add_node("action", (700, 400))
    blocker = editor.add_node("human", (350, 400))
    key = editor.connect(first, last)
    _routed(qtbot)
    card = scene.item_for_node[blocker].sceneBoundingRect()
    edge = scene.item_for_edge[key]
    assert not _crosses(edge.mapToScene(edge.path), card)
    # it still joins the two steps' ports
    assert edge.path.pointAtPercent(0) == scene.item_for_node[first].out_port()
    assert edge.path.pointAtPercent(1) == scene.item_for_node[last].in_port()
    # moving the card away gives the connection its plain curve back
    editor.move_nodes({blocker: (350, 800)})
    _routed(qtbot)
    start, end = edge.ends
    assert edge.path == curve(start, end)


def test_a_connection_with_nothing_in_its_way_keeps_its_curve():
    start, end = QPointF(0, 0), QPointF(400, 100)
    assert route(start, end, Obstacles([QRectF(100, 300, 160, 60)]), curve) == curve(start, end)


def test_a_backward_connection_loops_round_every_card_between():
    cards = [QRectF(-160, -30, 160, 60), QRectF(200, -30, 160, 60), QRectF(500, -30, 160, 60)]
    start, end = QPointF(660, 0), QPointF(-160, 0)  # from the last card back to the first
    path = route(start, end, Obstacles(cards), curve)
    for card in cards:
        inner = card.adjusted(2, 2, -2, -2)
        assert not _crosses(path, inner)
    assert path.pointAtPercent(0) == start and path.pointAtPercent(1) == end


def test_labels_are_elided_to_fit_with_the_whole_condition_in_the_tooltip(window, qtbot,
                                                                            tmp_path,
                                                                            template_flow):
    import shutil

    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    window.files.open_path(folder / "flow.yaml")
    doc = window.session.document
    key = next(k for k, e in doc.edges() if e.source == "route" and e.target == "escalate")
    item = window.scene.item_for_edge[key]
    assert item.look.label.endswith("…") and "intake" not in item.look.label
    assert "customer tier is enterprise" in item.toolTip()
    from PySide6.QtGui import QFontMetricsF

    from designer import theme
    from designer.canvas.edge_item import LABEL_FONT

    width = QFontMetricsF(theme.font(*LABEL_FONT)).horizontalAdvance(item.look.label)
    assert item.label_rect.width() >= width  # drawn whole inside its box, never cut
