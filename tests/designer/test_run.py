"""Running the open flow from the designer: one case, a batch, the case form, try one
step, and unsaved edits — each driven through the window as a person would."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtCore import Qt

from designer.canvas.run_overlay import EdgeMark, NodeMark
from runtime.api import Workspace

SCRIPTED = "scripted:scripted.yaml"


@pytest.fixture
def home(tmp_path, monkeypatch):
    folder = tmp_path / "home"
    monkeypatch.setenv("JUNCTION_HOME", str(folder))
    return folder


@pytest.fixture
def flow_file(tmp_path, template_flow):
    folder = tmp_path / "support-triage"
    shutil.copytree(template_flow.parent, folder)
    return folder / "flow.yaml"


@pytest.fixture
def opened(window, flow_file, home):
    window.files.open_path(flow_file)
    return window


def _choose(dialog, *, stage="operate", model=SCRIPTED, sample=None):
    dialog.stages.buttons[stage].click()
    dialog.model.setCurrentIndex(dialog.model.findData(model))
    if sample is not None:
        ids = [str(c["id"]) for c in dialog.samples]
        dialog.samples_list.setCurrentRow(ids.index(sample))


def _run_sample(qtbot, window, sample, **choice):
    dialog = window.runs.open_run_dialog()
    _choose(dialog, sample=sample, **choice)
    with qtbot.waitSignal(window.runs.run_finished, timeout=30000) as finished:
        dialog.run_button.click()
    return finished.args[0]


def _stored(home):
    workspace = Workspace.open(home)
    try:
        return workspace.store.runs(), workspace
    except Exception:
        workspace.close()
        raise


def test_a_case_run_from_the_dialog_draws_its_path_and_can_be_replayed(qtbot, opened, home,
                                                                       flow_file):
    window = opened
    undo_before = window.session.editor.undo_stack.count()
    run = _run_sample(qtbot, window, "T-002")
    assert run.status.value == "completed" and run.outcome == "resolved"
    marks = window.runs.overlay.marked_nodes()
    assert list(marks)[:3] == ["start", "intake", "route"]
    assert marks["done"] == "ended" and marks["intake"] == "done"
    assert "close_spam" not in marks  # a branch not taken is not drawn
    assert len(window.runs.overlay.marked_edges()) == len(marks) - 1
    assert any(isinstance(child, NodeMark)
               for child in window.scene.item_for_node["intake"].childItems())
    banded = [key for key, item in window.scene.item_for_edge.items()
              if any(isinstance(child, EdgeMark) for child in item.childItems())]
    assert sorted(banded) == sorted(window.runs.overlay.marked_edges())
    # the overlay is view state: no undo entry, the file unchanged, nothing modified
    assert window.session.editor.undo_stack.count() == undo_before
    assert not window.session.is_modified()
    assert window.session.text() == flow_file.read_text()
    # the stage and the model are stored on the run, as `junction run --autonomy` would
    runs, workspace = _stored(home)
    assert [(r.id, r.autonomy, r.model_override) for r in runs] == [(run.id, "operate",
                                                                      SCRIPTED)]
    workspace.close()
    panel = window.runs.run_panel
    assert "OPERATE" in panel.stage.text()
    last = window.runs.overlay.step_count - 1
    assert panel.slider.value() == last
    panel.previous.click()
    panel.previous.click()
    assert window.runs.overlay.position == last - 2
    shown = window.runs.overlay.marked_nodes()
    assert "done" not in shown and list(shown.values())[-1] == "current"
    assert "Step" in panel.where.text()
    panel.next.click()
    assert window.runs.overlay.position == last - 1


def test_a_blocked_run_marks_the_step_with_its_reason(qtbot, opened):
    run = _run_sample(qtbot, opened, "T-001")
    assert run.status.value == "blocked"
    overlay = opened.runs.overlay
    assert overlay.marked_nodes()["refund_review"] == "blocked"
    mark = next(c for c in opened.scene.item_for_node["refund_review"].childItems()
                if isinstance(c, NodeMark))
    assert "approve or reject the refund" in mark.note
    assert "waiting for a person" in opened.runs.run_panel.status.text()


def test_unsaved_edits_are_what_runs_and_the_dialog_says_so(qtbot, opened, home, flow_file):
    window = opened
    window.session.editor.set_node_property("done", "outcome", "answered")
    dialog = window.runs.open_run_dialog()
    assert dialog.note.isVisibleTo(dialog)
    assert "differs from flow.yaml on disk" in dialog.note.text()
    _choose(dialog, sample="T-002")
    with qtbot.waitSignal(window.runs.run_finished, timeout=30000) as finished:
        dialog.run_button.click()
    run = finished.args[0]
    assert run.outcome == "answered"
    runs, workspace = _stored(home)
    assert workspace.store.flow_text(runs[0].flow_sha) == window.session.text()
    workspace.close()
    assert "answered" not in flow_file.read_text()


def test_the_case_form_refuses_a_bad_value_at_its_field(qtbot, opened):
    window = opened
    dialog = window.runs.open_run_dialog()
    _choose(dialog)  # the scripted model: no embedding model loaded for this test
    dialog.show_tab("form")
    form = dialog.form
    form.rows["order_total"].editor.setText("about forty")
    form.rows["message"].editor.setText("")
    dialog.run_button.click()
    assert dialog.isVisible()  # refused: nothing ran
    assert window.runs.worker is None
    total_error = form.rows["order_total"].error
    assert total_error.isVisibleTo(dialog) and "must be number" in total_error.text()
    assert "required" in form.rows["message"].error.text()  # every problem at once
    assert not form.rows["subject"].error.isVisibleTo(dialog)
    form.rows["order_total"].editor.setText("12.5")
    form.rows["message"].editor.setText("Where is my parcel?")
    with qtbot.waitSignal(window.runs.run_finished, timeout=30000):
        dialog.run_button.click()


def test_the_enum_list_in_the_case_form_ignores_a_stray_wheel(qtbot, opened):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    dialog = opened.runs.open_run_dialog()
    dialog.show_tab("form")
    combo = dialog.form.rows["customer_tier"].editor
    before = combo.currentIndex()
    wheel = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(combo, wheel)
    assert combo.currentIndex() == before
    dialog.reject()


def test_a_batch_can_be_cancelled_and_leaves_nothing_half_done(qtbot, opened, home,
                                                              flow_file):
    window = opened
    template_cases = [json.loads(line) for line in
                      (flow_file.parent / "cases.jsonl").read_text().splitlines()]
    many = flow_file.parent / "many.jsonl"
    with many.open("w") as out:
        for number in range(400):
            case = dict(template_cases[number % len(template_cases)])
            case_id = case["id"] if number < len(template_cases) else f"X-{number}"
            out.write(json.dumps({**case, "id": case_id}) + "\n")
    dialog = window.runs.open_run_dialog(batch=True)
    _choose(dialog)
    dialog.batch_path.setText(str(many))
    panel = window.runs.batch_panel
    with qtbot.waitSignal(window.runs.batch_finished, timeout=60000) as finished:
        dialog.run_button.click()
        qtbot.waitUntil(lambda: panel.bar.value() > 0, timeout=30000)
        panel.cancel.click()
    result = finished.args[0]
    assert result.cancelled
    assert 0 < len(result.rows) < 400
    runs, workspace = _stored(home)
    assert len(runs) == len(result.rows)  # the rest were never created
    assert all(r.status.value in ("completed", "blocked", "failed") for r in runs)
    workspace.close()
    assert panel.model.rowCount() == len(result.rows)
    assert "not started" in panel.summary.text()
    assert "cases/s" in panel.rate.text()


def test_try_one_step_shows_probabilities_and_writes_nothing(qtbot, opened, home, flow_file):
    window = opened
    window.scene.select_only(nodes=["intake"])  # the property panel may read the store
    dialog = window.runs.open_trial()
    dialog.model.setCurrentIndex(dialog.model.findData(SCRIPTED))

    def workspace_files():
        return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                      for p in home.rglob("*") if p.is_file()) if home.exists() else []

    from designer.workers.bridge import Worker

    qtbot.waitUntil(lambda: not Worker._running, timeout=30000)  # the panel's reads are done
    before = workspace_files()
    with qtbot.waitSignal(dialog.tried, timeout=30000) as tried:
        dialog.try_button.click()
    result = tried.args[0]
    assert result.probabilities["refund"] == pytest.approx(0.93)
    assert dialog.bars.bars["refund"].text() == "93.0%"
    assert "Refund not received" in dialog.prompt.toPlainText()
    assert dialog.verdicts.rowCount() == 1
    assert "route" in dialog.verdict_line.text()
    assert workspace_files() == before  # no run, no step, no record, no audit row
    runs, workspace = _stored(home)
    assert runs == [] and workspace.store.audit_rows() == []
    workspace.close()
    assert not window.session.is_modified()
    dialog.close()


def test_try_one_step_needs_an_ai_step(opened):
    opened.scene.select_only(nodes=["route"])
    assert opened.runs.open_trial() is None
    assert "AI step" in opened.statusBar().currentMessage()
