"""Copying steps must not crash the process when it exits with our data on the clipboard
(a QMimeData left there was freed twice at interpreter exit: SIGSEGV after the work)."""

from __future__ import annotations

import os
import subprocess
import sys

from designer_testkit import REPO

SCRIPT = """
from PySide6.QtWidgets import QApplication
from runtime.api import load_flow
from designer.app import clipboard
from designer.document.model import FlowDocument

app = QApplication([])
document = FlowDocument(load_flow("templates/support-triage/flow.yaml").flow)
assert clipboard.copy(document, {"route", "close_spam"})
print("copied")
"""


def test_a_process_that_copied_steps_exits_cleanly() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "copied", result.stderr
    assert result.returncode == 0, f"exit code {result.returncode}: {result.stderr[-500:]}"
