"""Designer tests run offscreen; every test must leave no window behind."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_FLOWS = sorted((REPO / "templates").glob("*/flow.yaml"))


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
