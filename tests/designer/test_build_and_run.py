"""The whole promise in one test: from an empty canvas to a flow the runtime runs.

Everything goes through what a person touches — palette drops, port-to-port drags, the
property panel, the toolbar, Save As — and the file is then loaded and run by the runtime
with a scripted model, exactly as `junction run` would.
"""

from __future__ import annotations

from designer_testkit import drag, drop_step, type_into
from PySide6.QtCore import QPointF

from runtime.api import HumanDecision, Workspace, load_flow, validate_flow

ANSWERS = """\
cases:
  C-1: {classify: {label: other, confidence: 0.95}}
  C-2: {classify: {label: refund, confidence: 0.95}}
"""


def _connect(qtbot, window, source: str, target: str) -> None:
    items = window.scene.item_for_node
    window.view.centerOn(items[source])
    drag(qtbot, window.view, items[source].out_port(), items[target].pos())


def _select(window, node_id: str):
    window.scene.select_only(nodes=[node_id])
    return window.properties.current_form()


def test_build_from_an_empty_document_save_and_run(window, qtbot, prompter, tmp_path):
    window.files.start_from(None)
    window.select_all()
    window.delete_selection()
    doc = window.session.document
    assert doc.is_empty()
    window.view.set_zoom(1.0)

    # Flow-level settings: a name, one case field, the default model.
    window.show_flow_properties()
    flow_form = window.properties.current_form()
    type_into(qtbot, flow_form.editor("name").line, "Refund check")
    fields = flow_form.editor("case_fields")
    fields.add_button.click()
    type_into(qtbot, fields.cards[0].name, "message")
    fields.cards[0].required.click()
    type_into(qtbot, window.model_box.combo.lineEdit(), "scripted:answers.yaml")

    # Steps dropped from the palette.
    places = {"start": (0, 0), "ai.classify": (240, 0), "decision": (480, 0),
              "human": (720, -140)}
    for key, (x, y) in places.items():
        window.view.centerOn(x, y)
        drop_step(window.view, key, QPointF(x, y))
    for x, y in ((960, -220), (960, -60), (720, 160)):
        window.view.centerOn(x, y)
        drop_step(window.view, "end", QPointF(x, y))
    assert doc.node_ids() == ["start", "classify", "decide", "review", "done", "done_2",
                              "done_3"]

    # Connections drawn port to port.
    for source, target in [("start", "classify"), ("classify", "decide"),
                           ("decide", "review"), ("decide", "done_3"),
                           ("review", "done"), ("review", "done_2")]:
        _connect(qtbot, window, source, target)
    assert len(doc.edges()) == 6

    # Properties in the panel.
    form = _select(window, "classify")
    cards = form.editor("options").cards
    type_into(qtbot, cards[0].name, "refund")
    type_into(qtbot, cards[1].name, "other")
    reads = form.editor("input").list
    reads.item(0).setCheckState(reads.item(0).checkState().Checked)
    for node_id, outcome in (("done", "refunded"), ("done_2", "declined"),
                             ("done_3", "answered")):
        type_into(qtbot, _select(window, node_id).editor("outcome").line, outcome)

    # The first branch was created as "classify.label = first"; renaming the option
    # "first" to "refund" renamed it in the branch too, so the builder shows no problem.
    key = next(k for k, e in doc.edges() if e.target == "review")
    assert doc.edge(key).when.model_dump(mode="json")["value"] == "refund"
    window.scene.select_only(edges=[key])
    row = window.properties.edge_form.builder.rows[0]
    assert row.problem.text() == ""
    assert row.value.currentText() == "refund"

    # Valid, but not runnable yet: the scripted answers it names do not exist.
    window.problems.refresh()
    assert [p.message for p in window.problems.problems] == [
        "the scripted answers file answers.yaml does not exist (model "
        "'scripted:answers.yaml'): create it next to the flow or choose another model"]

    target = tmp_path / "refund.yaml"
    (tmp_path / "answers.yaml").write_text(ANSWERS)
    name = window.session.document.header.name
    prompter.script("flow_name", name).script("save_path", target)
    assert window.files.save()
    window.problems.refresh()
    assert [p.message for p in window.problems.problems] == []

    loaded = load_flow(target)
    assert validate_flow(loaded) == []
    assert loaded.flow.node("decide").position == (480.0, 0.0)
    workspace = Workspace.open(tmp_path / "home")
    try:
        engine = workspace.engine()
        answered = engine.start(loaded, {"id": "C-1", "message": "Where is my parcel?"})
        assert (answered.status.value, answered.outcome) == ("completed", "answered")
        waiting = engine.start(loaded, {"id": "C-2", "message": "Refund my order please"})
        assert waiting.status.value == "blocked"
        task, = workspace.store.tasks(run_id=waiting.id)
        _, _, done = engine.decide(task.id, HumanDecision(action="approve"))
        assert (done.status.value, done.outcome) == ("completed", "refunded")
    finally:
        workspace.close()
