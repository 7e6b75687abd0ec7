"""The designer's own check for `junction doctor` and Help ▸ Diagnostics: can Qt open a
window here? It lives with the designer (the runtime never names Qt) and reaches the
runtime's doctor through the `junction.checks` entry point."""

from __future__ import annotations

import os

from runtime.api import diagnostics

QT_PROBE = """
from PySide6 import __version__ as v
from PySide6.QtWidgets import QApplication
app = QApplication([])
print(f"PySide6 {v}, platform plugin '{app.platformName()}'")
"""


def qt_platform(options: diagnostics.Options) -> list[diagnostics.Check]:
    """Start Qt in a child process (a missing XCB library aborts the process)."""
    outcome = diagnostics.child.run(QT_PROBE, timeout=min(options.timeout, 60))
    if outcome.ok:
        return [diagnostics.Check("Qt platform plugin", diagnostics.Status.OK, outcome.output)]
    plugin = os.environ.get("QT_QPA_PLATFORM") or "the default"
    return [diagnostics.Check(
        "Qt platform plugin", diagnostics.Status.FAIL,
        f"the designer cannot open a window with {plugin} plugin: {outcome.problem}",
        "on Linux install the XCB libraries (`apt install libxcb-cursor0 "
        "libxkbcommon-x11-0`) or run inside a desktop session; on a server set "
        "QT_QPA_PLATFORM=offscreen")]
