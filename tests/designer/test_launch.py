"""`junction designer` puts a window on screen before it imports the runtime, then the
main window in its place, then reads the flow asked for."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from designer_testkit import REPO

SCRIPT = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from designer.app.launch import FirstPaints

seen = {}
HEAVY = ("runtime", "pydantic", "networkx", "designer.app.window", "designer.document")


def painted(name, window):
    if name == "launchFrame":
        seen["frame"] = window.windowTitle()
        seen["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY
                                or m.startswith(HEAVY))
    else:
        seen["main"] = str(window.session.path)
        seen["frame_gone"] = not any(w.isVisible() for w in QApplication.topLevelWidgets()
                                     if w.objectName() == "launchFrame")
        wait_for_the_flow(window)


def wait_for_the_flow(window):
    if window.session.path is not None:
        seen["opened"] = len(window.session.document.node_ids())
        QApplication.instance().quit()
    else:
        QTimer.singleShot(20, lambda: wait_for_the_flow(window))


app = QApplication(sys.argv[:1])
watcher = FirstPaints(("launchFrame", "mainWindow"), painted)
app.installEventFilter(watcher)
from designer.app import application
application.run_app(sys.argv[1])
print(json.dumps(seen))
"""


def test_the_window_is_on_screen_before_the_runtime_is_imported(tmp_path, template_flow):
    from designer.preferences.first_run import mark_done

    mark_done()  # no welcome screen over the window (JUNCTION_CONFIG is this test's own)
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO),
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(folder / "flow.yaml")],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["frame"] == "Junction Designer"
    assert seen["loaded"] == []  # no runtime, pydantic, networkx or editor yet
    assert seen["main"] == "None"  # the main window is on screen before the flow is read…
    assert seen["opened"] > 5  # …and then opens the flow it was given
    assert seen["frame_gone"]
