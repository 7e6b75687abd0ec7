"""A wheel turned over a form widget that was not clicked first changes nothing: the
toolbar's default model, the replay dialog's model, the replay slider, the dashboard's filters."""

from __future__ import annotations

from designer_testkit import wheel

from designer.compare.replay_dialog import ReplayDialog
from designer.panels.model_catalog import offered
from runtime.api import ModelChoice, ModelChoices

FOUND = ModelChoices((ModelChoice("scripted:scripted.yaml", "scripted", "answers"),
                      ModelChoice("scripted:other.yaml", "scripted", "answers"),
                      ModelChoice("llamacpp:bundled", "bundled", "Gemma 3 270M")),
                     "http://127.0.0.1:9")


def test_a_wheel_over_the_default_model_box_leaves_the_flow_alone(triage, qtbot):
    box = triage.model_box
    box.catalog.wait()
    box.catalog._answered(FOUND)  # what the look-up thread hands over
    assert len(offered(box.combo)) >= 2
    before = triage.session.document.flow().default_model
    text = box.combo.currentText()
    for notches in (-1, -1, 1, 2):
        wheel(box.combo, notches)
        assert box.combo.currentText() == text
        assert triage.session.document.flow().default_model == before
    assert not triage.session.editor.undo_stack.canUndo()


def test_a_wheel_over_the_replay_dialog_keeps_each_runs_model(qtbot):
    dialog = ReplayDialog("Batch class-demo", choices=FOUND)
    qtbot.addWidget(dialog)
    for notches in (-1, -1, 1):
        wheel(dialog.model, notches)
        assert dialog.model_ref() is None


def test_a_wheel_over_the_replay_slider_does_not_move_the_replay(triage, qtbot):
    slider = triage.runs.run_panel.slider
    widget = slider
    while widget is not None:  # on screen and usable, as after a run has finished
        widget.show()
        widget.setEnabled(True)
        widget = widget.parentWidget()
    qtbot.waitExposed(slider)
    assert slider.isEnabled()
    slider.setRange(0, 5)
    slider.setValue(2)
    for notches in (-1, 1, 1):
        wheel(slider, notches)
        assert slider.value() == 2


def test_a_wheel_over_the_dashboard_filters_changes_no_filter(qtbot, template_flow, tmp_path):
    from designer.app.session import FlowSession
    from designer.dashboard.view import DashboardView

    session = FlowSession()
    session.open(template_flow)
    view = DashboardView(session, lambda: tmp_path / "home")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.since_on.setChecked(True)
    stage, since = view.stage_box.currentIndex(), view.since.date()
    for notches in (-1, -1, 1):
        wheel(view.stage_box, notches)
        wheel(view.since, notches)
        assert view.stage_box.currentIndex() == stage and view.since.date() == since
