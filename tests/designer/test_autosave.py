"""A crash loses nothing: autosave copies are written while editing, removed on save and
offered back at the next start."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap

from designer.app.autosave import leftovers
from runtime.api import load_flow

CRASHING_EDITOR = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from designer.app.autosave import Autosaver
    from designer.app.session import FlowSession

    app = QApplication([])
    session = FlowSession()
    session.open(sys.argv[1])
    saver = Autosaver(session, Path(sys.argv[2]), delay_ms=50)
    session.editor.set_node_property("intake", "title", "Edited before the crash")
    deadline = time.monotonic() + 5
    while not saver.copy_path.exists() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def _copy(template_flow, tmp_path):
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    return folder / "flow.yaml"


def test_work_survives_a_killed_designer(designer_app, prompter, settings, tmp_path,
                                         template_flow, qtbot):
    path = _copy(template_flow, tmp_path)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_EDITOR, str(path), str(settings.autosave_folder)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120,
        capture_output=True, text=True)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    assert path.read_text() == template_flow.read_text()  # the file itself is untouched
    found = leftovers(settings.autosave_folder)
    assert [(item.name, item.original) for item in found] == [("Support triage", path)]

    prompter.script("recover", True)
    window, = designer_app.recover()
    qtbot.addWidget(window)
    assert window.session.document.node("intake").title == "Edited before the crash"
    assert window.session.path == path and window.isWindowModified()
    assert window.files.save()
    assert load_flow(path).flow.node("intake").title == "Edited before the crash"
    assert leftovers(settings.autosave_folder) == []
    assert list(settings.autosave_folder.glob("*.yaml")) == []


def test_declining_recovery_discards_the_copies(designer_app, prompter, settings, tmp_path,
                                                template_flow):
    path = _copy(template_flow, tmp_path)
    subprocess.run([sys.executable, "-c", CRASHING_EDITOR, str(path),
                    str(settings.autosave_folder)],
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    prompter.script("recover", False)
    assert designer_app.recover() == []
    assert list(settings.autosave_folder.iterdir()) == []


def test_the_copy_follows_edits_and_goes_away_on_save(window, tmp_path, template_flow):
    path = _copy(template_flow, tmp_path)
    window.files.open_path(path)
    saver = window.autosaver
    window.session.editor.set_node_property("intake", "title", "Changed")
    saver.write_now()
    assert saver.copy_path.read_text() == window.session.text()
    assert leftovers(saver.folder) == []  # this process is alive: not a leftover
    window.files.save()
    assert not saver.copy_path.exists()
