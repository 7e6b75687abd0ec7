"""`--self-test`: prove an installed or bundled Junction works end to end, then exit.

Opens the first template in a real (offscreen-capable) designer window, validates it, runs
one of its sample cases with the scripted model in a throwaway workspace, and exits 0 only
if every stage worked. Used by packaging/smoke_test.py on a freshly built bundle; nothing
is read from or written to the user's own profile.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from runtime.api import Workspace, load_flow, validate_flow


def run(templates: Path | None = None) -> int:
    started = time.perf_counter()
    from designer.app.application import DesignerApp
    from designer.app.settings import DesignerSettings, default_templates_folder

    folder = templates or default_templates_folder()
    flows = sorted(folder.glob("*/flow.yaml"))
    if not flows:
        return _fail(f"no templates in {folder}")
    flow_path = flows[0]
    with tempfile.TemporaryDirectory(prefix="junction-selftest-") as scratch:
        root = Path(scratch)
        app = QApplication.instance() or QApplication(sys.argv[:1])
        designer = DesignerApp(DesignerSettings(settings_file=root / "designer.ini",
                                                autosave_folder=root / "autosave",
                                                templates_folder=folder,
                                                new_flows_folder=root / "flows"))
        window = designer.new_window()
        if not window.files.open_path(flow_path):
            return _fail(f"the designer could not open {flow_path}")
        app.processEvents()
        loaded = load_flow(flow_path)
        problems = validate_flow(loaded)
        if problems:
            return _fail(f"{flow_path} has problems: {problems[0]}")
        case = json.loads((flow_path.parent / "cases.jsonl").read_text("utf-8").splitlines()[0])
        workspace = Workspace.open(root / "workspace")
        try:
            finished = workspace.engine().start(loaded, case, model="scripted:scripted.yaml")
        finally:
            workspace.close()
        window.close()
        app.processEvents()
        if finished.status not in ("completed", "blocked"):
            return _fail(f"the run of {case['id']} ended {finished.status}: {finished.error}")
    took = time.perf_counter() - started
    print(f"self-test passed: opened and validated {loaded.flow.name!r}, ran case "
          f"{case['id']} → {finished.status} ({finished.outcome or 'waiting for a person'}) "
          f"in {took:.1f} s")
    return 0


def _fail(reason: str) -> int:
    print(f"self-test FAILED: {reason}", file=sys.stderr)
    return 1
