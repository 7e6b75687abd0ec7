"""The window shell's seams: views in the central area, the scene that only forwards, and
the worker bridge that runs runtime calls off the GUI thread."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from designer_testkit import REPO, drop_step

RETURNS = REPO / "tests" / "runtime" / "returns"


# -- the central area ---------------------------------------------------------------------


def test_a_new_view_brings_its_own_chrome_and_hides_the_design_views(window, qtbot):
    from PySide6.QtWidgets import QLabel

    from designer.app.views import View

    window.files.start_from(None)
    assert window.area.current_key() == "design" and window.docks[0].isVisible()
    runs, badge = QLabel("runs"), QLabel("3 running")
    window.statusBar().addPermanentWidget(badge)
    shown: list[str] = []
    window.area.add_view(View("runs", "Runs", runs, chrome=(badge,),
                              on_shown=lambda: shown.append("runs")))
    with qtbot.waitSignal(window.area.view_changed) as changed:
        window.area.show_view("runs")
    assert changed.args == ["runs"] and shown == ["runs"]
    assert window.area.currentWidget() is runs and badge.isVisible()
    assert not any(dock.isVisible() for dock in window.docks)
    assert not window.toolbar.isVisible() and not window.on_start_page()

    window.show_canvas()
    assert window.area.current_key() == "design" and not badge.isVisible()
    assert all(dock.isVisible() for dock in window.docks) and window.toolbar.isVisible()


def test_two_views_cannot_share_a_name(window):
    from PySide6.QtWidgets import QLabel

    from designer.app.views import View

    with pytest.raises(ValueError, match="design"):
        window.area.add_view(View("design", "Another", QLabel()))


# -- the scene mirrors; the edit widget decides what gestures mean -------------------------


def test_a_scene_without_the_edit_widget_is_only_a_picture(qtbot, editor):
    """A palette drop on a bare scene (a thumbnail) adds nothing; on the Design view it
    adds a step — the gesture policy lives in the edit widget, not in the scene."""
    from designer.canvas.edit_widget import FlowEditWidget
    from designer.canvas.scene import FlowScene
    from designer.canvas.view import FlowView

    bare = FlowView(FlowScene(editor.document))
    bare.resize(600, 400)
    bare.show()
    qtbot.waitExposed(bare)
    drop_step(bare, "start", bare.mapToScene(bare.viewport().rect().center()))
    assert editor.document.node_ids() == []
    bare.close()
    bare.deleteLater()

    design = FlowEditWidget(editor)
    design.resize(600, 400)
    design.show()
    qtbot.waitExposed(design)
    drop_step(design.view, "start", design.view.mapToScene(design.view.viewport().rect().center()))
    assert len(editor.document.node_ids()) == 1
    design.close()
    design.deleteLater()


# -- the worker bridge ----------------------------------------------------------------------


def test_a_generator_worker_reports_each_yield_then_its_result(qapp, qtbot):
    from PySide6.QtCore import QThread

    from designer.workers.bridge import Worker

    threads: list[bool] = []

    def count(n: int):
        threads.append(QThread.currentThread() is qapp.thread())
        yield from range(n)
        return "counted"

    worker = Worker(count, 4)
    seen: list[int] = []
    results: list[object] = []
    worker.yielded.connect(seen.append)
    worker.returned.connect(results.append)
    with qtbot.waitSignals([worker.returned, worker.finished]):
        worker.start()
    assert seen == [0, 1, 2, 3] and results == ["counted"]
    assert threads == [False]  # the work ran off the GUI thread
    assert worker.wait(1000) and not worker.is_running()


def test_quitting_a_worker_stops_its_generator_at_the_next_yield(qapp, qtbot):
    import threading

    from designer.workers.bridge import Worker

    released, cleaned = threading.Event(), threading.Event()

    def endless():
        try:
            i = 0
            while True:
                yield i
                released.wait(5)
                i += 1
        finally:
            cleaned.set()

    worker = Worker(endless)
    with qtbot.waitSignal(worker.yielded):
        worker.start()
    yields: list[int] = []
    worker.yielded.connect(yields.append)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.quit()
        released.set()
    assert cleaned.is_set() and worker.quitting
    assert yields == []  # the value after the quit was never handed on


def test_a_failing_call_arrives_as_a_signal_not_a_traceback(qapp, qtbot, capfd):
    from designer.workers.bridge import Worker

    def broken() -> None:
        raise RuntimeError("the model server went away")

    worker = Worker(broken)
    returned: list[object] = []
    errors: list[object] = []
    worker.returned.connect(returned.append)
    worker.errored.connect(errors.append)
    with qtbot.waitSignals([worker.errored, worker.finished]):
        worker.start()
    assert len(errors) == 1 and isinstance(errors[0], RuntimeError)
    assert "went away" in str(errors[0]) and returned == []
    assert "Traceback" not in capfd.readouterr().err


def test_a_run_in_a_worker_reports_its_events_in_the_gui_thread(qapp, qtbot, tmp_path: Path):
    from PySide6.QtCore import QThread

    from designer.workers.bridge import EventRelay, Worker
    from runtime.api import RunFinished, Workspace, load_flow

    flow_dir = tmp_path / "returns"
    shutil.copytree(RETURNS, flow_dir)

    def run_case(relay: EventRelay) -> str:
        workspace = Workspace.open(tmp_path / "home")  # its SQLite connection: this thread
        try:
            run = workspace.engine([relay]).start(
                load_flow(flow_dir / "flow.yaml"),
                {"id": "broken-1", "message": "The vase arrived in pieces", "amount": 30})
            return run.status.value
        finally:
            workspace.close()

    relay = EventRelay()
    kinds: list[str] = []
    in_gui_thread: list[bool] = []

    def heard(event: object) -> None:
        kinds.append(type(event).__name__)
        in_gui_thread.append(QThread.currentThread() is qapp.thread())

    relay.relayed.connect(heard)
    worker = Worker(run_case, relay)
    with qtbot.waitSignal(worker.returned, timeout=20000) as done:
        worker.start()
    qtbot.waitUntil(lambda: bool(kinds) and kinds[-1] == RunFinished.__name__)
    assert done.args == ["completed"]
    assert kinds[:3] == ["RunCreated", "RunStarted", "StepStarted"]
    assert "RecordChanged" in kinds and all(in_gui_thread)


def test_the_default_templates_folder_is_the_checkouts(qapp):
    """The gallery and the screenshots tool read templates from beside the package."""
    from designer.app.settings import default_templates_folder
    from designer.app.templates import find_templates

    folder = default_templates_folder()
    assert folder == REPO / "templates"
    assert "support-triage" in {t.folder.name for t in find_templates(folder)}
