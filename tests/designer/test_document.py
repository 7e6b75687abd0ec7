"""The document and its verbs: invariants, refused connections, undo that restores files."""

from __future__ import annotations

import random

import pytest

from designer.document.errors import (
    BranchingError,
    ConnectionRefused,
    DocumentError,
    DuplicateEdgeError,
    IntoStartError,
    NodeInUseError,
    OutOfEndError,
    PropertyError,
    SelfLoopError,
)
from designer.document.fragment import Fragment, copy_fragment, duplicate, paste_fragment
from designer.document.model import FlowDocument
from runtime.api import dump_flow, load_flow


def _chain(editor):
    start = editor.add_node("start", (0, 0))
    ask = editor.add_node("ai.classify", (200, 0))
    decide = editor.add_node("decision", (400, 0))
    end = editor.add_node("end", (600, 0))
    return start, ask, decide, end


def test_added_steps_get_readable_unique_ids(editor):
    first = editor.add_node("ai.classify")
    second = editor.add_node("ai.classify")
    assert (first, second) == ("classify", "classify_2")
    assert editor.document.node_ids() == ["classify", "classify_2"]


def test_a_second_start_is_refused(editor):
    editor.add_node("start")
    with pytest.raises(DocumentError, match="already has a start"):
        editor.add_node("start")
    assert len(editor.document.nodes()) == 1


@pytest.mark.parametrize(("source", "target", "error", "words"), [
    ("classify", "classify", SelfLoopError, "cannot lead to itself"),
    ("classify", "start", IntoStartError, "every run begins there"),
    ("done", "classify", OutOfEndError, "finishes there"),
])
def test_impossible_connections_are_refused_with_a_reason(editor, source, target, error,
                                                          words):
    _chain(editor)
    depth = editor.undo_stack.count()
    with pytest.raises(error, match=words):
        editor.connect(source, target)
    assert editor.undo_stack.count() == depth
    assert editor.document.edges() == []


def test_only_decisions_branch(editor):
    _start, ask, decide, end = _chain(editor)
    editor.connect(ask, decide)
    with pytest.raises(DuplicateEdgeError):
        editor.connect(ask, decide)
    with pytest.raises(BranchingError, match="Only decisions branch"):
        editor.connect(ask, end)


def test_decision_branches_get_a_condition_then_otherwise(editor):
    start, ask, decide, end = _chain(editor)
    other_end = editor.add_node("end", (600, 200))
    editor.connect(start, ask)
    editor.connect(ask, decide)
    first = editor.document.edge(editor.connect(decide, end))
    second = editor.document.edge(editor.connect(decide, other_end))
    assert first.when is not None and first.when.field == "classify.label"
    assert first.when.value == "first"
    assert second.else_ is True


def test_human_branches_follow_its_decisions_until_none_is_left(editor):
    review = editor.add_node("human")
    a, b, c = (editor.add_node("end") for _ in range(3))
    assert editor.document.edge(editor.connect(review, a)).on == "approve"
    assert editor.document.edge(editor.connect(review, b)).on == "reject"
    with pytest.raises(BranchingError, match="approve, reject"):
        editor.connect(review, c)


def test_removing_a_connected_node_directly_is_refused(editor):
    start, ask, *_ = _chain(editor)
    editor.connect(start, ask)
    with pytest.raises(NodeInUseError):
        editor.document.remove_node(ask)


def test_delete_takes_connections_along_and_undo_restores_order(editor):
    start, ask, decide, _end = _chain(editor)
    editor.connect(start, ask)
    editor.connect(ask, decide)
    before = dump_flow(editor.document.flow())
    editor.delete([ask])
    assert ask not in editor.document.node_ids()
    assert editor.document.edges() == []
    editor.undo_stack.undo()
    assert dump_flow(editor.document.flow()) == before


def test_invalid_property_names_the_field_and_changes_nothing(editor):
    ask = editor.add_node("ai.classify")
    with pytest.raises(PropertyError) as raised:
        editor.set_node_property(ask, "max_visits", 0)
    assert raised.value.path == ("max_visits",)
    assert "greater than or equal to 1" in raised.value.message
    assert editor.document.node(ask).max_visits is None


def test_renaming_a_step_carries_its_connections_and_references(editor):
    start, ask, decide, end = _chain(editor)
    editor.connect(start, ask)
    editor.connect(ask, decide)
    key = editor.connect(decide, end)
    editor.rename_node(ask, "intent")
    assert editor.document.edge(key).when.field == "intent.label"
    assert [e.target for _, e in editor.document.outgoing(start)] == ["intent"]
    editor.undo_stack.undo()
    assert editor.document.edge(key).when.field == "classify.label"
    assert editor.document.has_node(ask)


def test_rename_to_a_taken_id_is_refused(editor):
    start, ask, *_ = _chain(editor)
    with pytest.raises(PropertyError, match="already has the id"):
        editor.set_node_property(ask, "id", start)


def test_fifty_random_edits_undo_to_the_exact_file_and_redo_back(qapp, template_flow):
    from designer.document.editor import FlowEditor

    loaded = load_flow(template_flow)
    document = FlowDocument(loaded.flow, template_flow)
    editor = FlowEditor(document)
    rng = random.Random(7)
    texts = [dump_flow(document.flow())]
    edits = [
        lambda: editor.add_node(rng.choice(["ai.assist", "human", "end", "action"]),
                                (rng.randrange(0, 1000, 20), rng.randrange(0, 600, 20))),
        lambda: editor.move_nodes({rng.choice(document.node_ids()):
                                   (rng.randrange(0, 900, 20), rng.randrange(0, 600, 20))}),
        lambda: editor.set_node_property(rng.choice(document.node_ids()), "title",
                                         f"Step {rng.random():.3f}"),
        lambda: editor.delete([rng.choice(document.node_ids())]),
        lambda: editor.set_flow_property("autonomy",
                                         rng.choice(["observe", "copilot", "operate"])),
        lambda: duplicate(editor, {rng.choice(document.node_ids())}),
    ]
    while editor.undo_stack.count() < 50:
        depth = editor.undo_stack.count()
        try:
            rng.choice(edits)()
        except (ConnectionRefused, DocumentError):
            continue
        if editor.undo_stack.count() > depth:
            texts.append(dump_flow(document.flow()))
    assert texts[-1] != texts[0]
    for expected in reversed(texts[:-1]):
        editor.undo_stack.undo()
        assert dump_flow(document.flow()) == expected
    assert dump_flow(document.flow()) == loaded.text
    for expected in texts[1:]:
        editor.undo_stack.redo()
        assert dump_flow(document.flow()) == expected
    editor.deleteLater()
    document.deleteLater()


def test_a_fragment_survives_the_clipboard_text_and_pastes_with_fresh_ids(editor):
    start, ask, decide, end = _chain(editor)
    editor.connect(ask, decide)
    editor.connect(decide, end)
    text = copy_fragment(editor.document, {ask, decide, end}).to_text()
    pasted = paste_fragment(editor, Fragment.from_text(text))
    assert pasted == ["classify_2", "decide_2", "done_2"]
    branch = next(e for _, e in editor.document.outgoing("decide_2"))
    assert branch.when.field == "classify_2.label"
    assert editor.document.node("classify_2").position == (240.0, 40.0)
    editor.undo_stack.undo()
    assert editor.document.node_ids() == [start, ask, decide, end]


def test_text_that_is_not_a_fragment_is_refused(editor):
    with pytest.raises(DocumentError, match="does not hold copied steps"):
        Fragment.from_text("just some words")
