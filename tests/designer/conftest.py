"""Designer tests run offscreen; every test must leave no window behind."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import pytest
from designer_testkit import REPO, ScriptedPrompter


@pytest.fixture
def editor(qapp):
    from designer.document.editor import FlowEditor
    from designer.document.model import FlowDocument

    document = FlowDocument()
    flow_editor = FlowEditor(document)
    yield flow_editor
    flow_editor.deleteLater()
    document.deleteLater()


@pytest.fixture
def template_flow():
    """The support-triage template (the one every checkout has)."""
    return REPO / "templates" / "support-triage" / "flow.yaml"


@pytest.fixture
def triage(window, tmp_path, template_flow):
    """A window with a copy of the support-triage template open (edits never touch the
    checkout's template)."""
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    window.files.open_path(folder / "flow.yaml")
    return window


@pytest.fixture(autouse=True)
def no_leaked_windows(request):
    """Fail a test that leaves a top-level widget alive (windows, dialogs, popups)."""
    yield
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets() if w.objectName() != "qt_ignore"]
    names = [f"{type(w).__name__}({w.objectName()!r})" for w in leaked]
    assert not leaked, f"widgets left alive after the test: {names}"


@pytest.fixture(autouse=True)
def light_theme_after(request):
    """A test that switches to the dark theme (Settings previews it live) puts light back,
    so colours seen by the next test do not depend on the order tests ran in."""
    yield
    from designer import theme

    if theme.is_dark():
        from designer import appearance

        appearance.apply("light")


@pytest.fixture
def prompter():
    return ScriptedPrompter()


@pytest.fixture
def settings(tmp_path):
    from designer.app.settings import DesignerSettings

    return DesignerSettings(settings_file=tmp_path / "settings" / "designer.ini",
                            autosave_folder=tmp_path / "autosave",
                            templates_folder=REPO / "templates",
                            new_flows_folder=tmp_path / "flows",
                            workspace_home=tmp_path / "workspace")


@pytest.fixture
def designer_app(qapp, settings, prompter):
    from designer.app.application import DesignerApp

    app = DesignerApp(settings, prompter)
    yield app
    for window in list(app.windows):
        window.session.editor.undo_stack.setClean()
        window.close()


@pytest.fixture
def window(designer_app, qtbot):
    main = designer_app.new_window()
    main.show()
    qtbot.waitExposed(main)
    return main
