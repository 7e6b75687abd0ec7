"""Flows that arrive without positions get a tidy left-to-right layout, and positions
are written into the file so the layout survives."""

from __future__ import annotations

import re

from designer.document.layout import COLUMN, tidy_positions
from runtime.api import load_flow


def test_layers_run_left_to_right_and_loops_do_not_break_them():
    ids = ["start", "ask", "check", "fix", "done"]
    edges = [("start", "ask"), ("ask", "check"), ("check", "fix"), ("fix", "ask"),
             ("check", "done")]
    places = tidy_positions(ids, edges, "start")
    assert [places[n][0] for n in ids] == [0, COLUMN, 2 * COLUMN, 3 * COLUMN, 3 * COLUMN]
    assert places["fix"][1] != places["done"][1]
    assert all(y % 20 == 0 for _, y in places.values())


def test_a_flow_without_positions_opens_laid_out_and_saves_them(window, tmp_path,
                                                                template_flow):
    text = re.sub(r"\n  position: \[[^\]]*\]", "", template_flow.read_text())
    bare = tmp_path / "bare.yaml"
    bare.write_text(text)
    assert all(n.position is None for n in load_flow(bare).flow.nodes)
    window.files.open_path(bare)
    items = window.scene.item_for_node
    assert items["start"].pos().x() < items["intake"].pos().x() < items["route"].pos().x()
    assert len({(i.pos().x(), i.pos().y()) for i in items.values()}) == len(items)
    window.files.save()
    saved = load_flow(bare).flow
    assert all(n.position is not None for n in saved.nodes)
    assert saved.node("done").position[0] > saved.node("send_reply").position[0]


def test_tidy_layout_is_one_undo_step(window, tmp_path, template_flow):
    copy = tmp_path / "flow.yaml"
    copy.write_text(template_flow.read_text())
    window.files.open_path(copy)
    before = window.session.text()
    window.tidy_layout()
    assert window.session.text() != before
    window.undo()
    assert window.session.text() == before
