"""Every runtime node type has one designer record (with a glyph that exists), and a kind
the designer does not know is still shown on the canvas, with a problem, never dropped.

The test-only `tag` kind (tests/tag_kind.py) is added with its designer record below:
one record, and it appears in the palette, on the canvas and in the property panel.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tag_kind import TAG_FLOW, tag_kind_registered

from designer import nodes
from runtime.api import node_types

TAG_RECORD = nodes.NodeRecord(
    key="tag", title="Tag", category="Decisions and people",
    summary="Marks the run with a value a later decision can branch on.",
    blurb="Marks the run.", id_stem="tag", glyph="check", accent="#0E9384",
    defaults=lambda: {"title": "Tag", "value": "tagged"},
    rows=("title", "value", "reason_from", "notes"),
    caption=lambda record, node, header: f"tag: {node.value}")


@pytest.fixture
def tag_kind() -> Iterator[None]:
    with tag_kind_registered():
        yield


@pytest.fixture
def tag_record(tag_kind) -> Iterator[nodes.NodeRecord]:
    nodes.register(TAG_RECORD)
    yield TAG_RECORD
    nodes.unregister(TAG_RECORD.key)


def test_every_runtime_node_type_has_a_record_with_a_glyph(qapp) -> None:
    from designer.canvas.glyphs import GLYPHS

    assert nodes.missing_records() == []
    assert {r.key for r in nodes.records()} == {s.key for s in node_types()}
    for record in nodes.records():
        assert record.glyph in GLYPHS, record.key
        assert record.category in nodes.CATEGORIES, record.key
        fields = record.spec.model.model_fields
        named = {n for row in record.rows for n in ((row,) if isinstance(row, str) else row)}
        assert named <= set(fields), (record.key, named - set(fields))


def test_a_runtime_kind_without_a_record_is_listed_as_missing(tag_kind) -> None:
    assert nodes.missing_records() == ["tag"]


def test_an_unknown_kind_is_shown_with_a_problem_not_dropped(window, tmp_path,
                                                             tag_kind) -> None:
    path = tmp_path / "tagging.yaml"
    path.write_text(TAG_FLOW, encoding="utf-8")
    assert window.files.open_path(path)
    item = window.scene.item_for_node["mark"]
    assert item.look.problems[0] == ("the designer has no record for node type 'tag'; it "
                                     "is shown with a plain look")
    assert item.look.glyph == "warning"
    window.scene.select_only(nodes=["mark"])
    form = window.properties.current_form()
    assert form is not None and "value" in form.rows


def test_a_kind_with_its_record_shows_in_the_palette_canvas_and_panel(window, tmp_path,
                                                                      tag_record) -> None:
    from designer.panels.palette import PaletteWidget

    palette = PaletteWidget()
    offered = palette.keys()
    assert "tag" in offered
    palette.deleteLater()
    path = tmp_path / "tagging.yaml"
    path.write_text(TAG_FLOW, encoding="utf-8")
    assert window.files.open_path(path)
    look = window.scene.item_for_node["mark"].look
    assert (look.type_key, look.glyph, look.caption, look.problems) == (
        "tag", "check", "tag: vip", ())
    new_id = window.session.editor.add_node("tag", (300.0, 40.0))
    assert new_id == "tag" and window.session.document.node("tag").value == "tagged"
    window.scene.select_only(nodes=["mark"])
    form = window.properties.current_form()
    assert [r for r in TAG_RECORD.rows if form.rows[r].isVisibleTo(window)] == \
        list(TAG_RECORD.rows)
