"""The minimap: shown for flows bigger than the screen, hidden for small ones; a click in
it moves the canvas there."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QPoint, Qt

from designer.canvas.minimap import MIN_STEPS


def _open_triage(window, tmp_path, template_flow):
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    window.files.open_path(folder / "flow.yaml")


def _open_long_flow(window, steps=22):
    """A blank flow with a long row of steps after its start (wider than any screen)."""
    window.files.start_from(None)
    editor = window.session.editor
    for index in range(steps):
        editor.add_node("action", (220.0 * (index + 2), 0.0))
    editor.move_nodes({"done": (220.0 * (steps + 2), 0.0)})


def _settled(qtbot, window):
    qtbot.waitUntil(lambda: not window.minimap.timer.isActive(), timeout=3000)
    qtbot.wait(20)
    return window.minimap


def test_a_small_flow_has_no_minimap(window, qtbot):
    window.files.start_from(None)
    minimap = _settled(qtbot, window)
    assert minimap.step_count < MIN_STEPS and not minimap.isVisible()


def test_a_template_sized_flow_is_small_enough_to_need_none(window, qtbot, tmp_path,
                                                           template_flow):
    _open_triage(window, tmp_path, template_flow)
    window.zoom_reset()
    assert not _settled(qtbot, window).isVisible()


def test_a_flow_bigger_than_the_screen_shows_it_and_a_click_moves_there(window, qtbot):
    _open_long_flow(window)
    window.zoom_reset()
    minimap = _settled(qtbot, window)
    assert minimap.isVisible()
    corner = window.view.viewport().geometry().bottomRight()
    assert minimap.geometry().bottomRight().x() < corner.x()  # inside the canvas corner
    # a click at the far right of the overview brings the last steps into view
    done = window.scene.item_for_node["done"].sceneBoundingRect().center()
    window.view.centerOn(window.scene.item_for_node["start"])
    target = minimap._to_map(window.scene.item_for_node["done"].sceneBoundingRect()).center()
    assert not minimap.visible_area().contains(done)
    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=target.toPoint())
    assert minimap.visible_area().contains(done)
    # dragging pans too
    start = minimap._to_map(window.scene.item_for_node["start"].sceneBoundingRect()).center()
    qtbot.mousePress(minimap, Qt.MouseButton.LeftButton, pos=target.toPoint())
    qtbot.mouseMove(minimap, start.toPoint() + QPoint(1, 0))
    qtbot.mouseRelease(minimap, Qt.MouseButton.LeftButton, pos=start.toPoint())
    start_point = window.scene.item_for_node["start"].sceneBoundingRect().center()
    assert minimap.visible_area().contains(start_point)


def test_it_hides_when_the_whole_flow_is_in_view(window, qtbot):
    _open_long_flow(window)
    window.zoom_reset()
    assert _settled(qtbot, window).isVisible()
    window.zoom_fit()
    assert not window.minimap.isVisible()
