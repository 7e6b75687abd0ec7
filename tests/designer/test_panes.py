"""The canvas gets the room: the palette folds to a rail, the property drawer closes, and
the window remembers both."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QPointF, Qt

from designer.app.context_menu import menu_at
from designer.canvas.view import READABLE_ZOOM
from designer.panels.palette import RAIL_WIDTH


def _settle(qtbot, window):
    qtbot.wait(50)
    return window.view.viewport().width()


def _open_triage(window, tmp_path, template_flow):
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    window.files.open_path(folder / "flow.yaml")


def test_at_1280_the_palette_is_a_rail_of_icons_with_tooltips(window, qtbot, tmp_path,
                                                              template_flow):
    _open_triage(window, tmp_path, template_flow)
    _settle(qtbot, window)
    palette = window.step_palette
    assert palette.is_compact() and window.docks[0].width() <= RAIL_WIDTH
    item = palette.item_for_key("ai.classify")
    assert "Classify" in item.toolTip() and "Drag onto the canvas" in item.toolTip()
    assert palette.visualItemRect(item).height() < 50  # icons, not cards with words


def test_the_palette_unfolds_and_the_choice_is_remembered(designer_app, window, qtbot,
                                                          tmp_path, template_flow):
    _open_triage(window, tmp_path, template_flow)
    narrow = _settle(qtbot, window)
    qtbot.mouseClick(window.panes.palette_button, Qt.MouseButton.LeftButton)
    wide = _settle(qtbot, window)
    assert not window.step_palette.is_compact()
    assert window.docks[0].width() > 150 and wide < narrow
    other = designer_app.new_window()
    qtbot.addWidget(other)
    assert not other.step_palette.is_compact()


def test_closing_the_drawer_gives_the_canvas_most_of_the_window(designer_app, window, qtbot,
                                                                tmp_path, template_flow):
    _open_triage(window, tmp_path, template_flow)
    with_drawer = _settle(qtbot, window)
    assert window.docks[1].isVisible()
    assert with_drawer > window.docks[0].width() + window.docks[1].width()
    window.panes.drawer_action.trigger()
    without = _settle(qtbot, window)
    assert not window.docks[1].isVisible()
    assert without > 0.75 * window.width()
    other = designer_app.new_window()  # remembered
    qtbot.addWidget(other)
    assert not other.panes.drawer_open()
    window.show_start_page()
    window.show_canvas()  # switching views leaves a closed drawer closed
    assert not window.docks[1].isVisible()
    # "Edit properties" on a step opens it for that step
    item = window.scene.item_for_node["draft_reply"]
    menu = menu_at(window, item.sceneBoundingRect().center())
    try:
        next(a for a in menu.actions() if a.text() == "Edit properties").trigger()
    finally:
        menu.deleteLater()
    assert window.docks[1].isVisible() and window.panes.drawer_open()


def test_a_template_opens_fitted_at_a_readable_zoom(window, qtbot, tmp_path, template_flow):
    _open_triage(window, tmp_path, template_flow)
    _settle(qtbot, window)
    assert window.view.zoom() >= READABLE_ZOOM
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    start = window.scene.item_for_node["start"].sceneBoundingRect()
    assert visible.contains(start)
    assert visible.contains(QPointF(window.scene.item_for_node["route"].sceneBoundingRect()
                                    .center()))


def test_the_drawer_keeps_its_width_across_a_visit_to_another_view(window, qtbot, tmp_path,
                                                                   template_flow):
    _open_triage(window, tmp_path, template_flow)
    window.resize(1280, 800)
    _settle(qtbot, window)
    drawer = window.docks[1]
    window.resizeDocks([drawer], [400], Qt.Orientation.Horizontal)
    _settle(qtbot, window)
    before = drawer.width()
    for key in ("dashboard", "compare", "evaluate", "inspector"):
        window.area.show_view(key)
        _settle(qtbot, window)
        window.area.show_view("design")
        qtbot.waitUntil(lambda: abs(drawer.width() - before) <= 2, timeout=2000)
