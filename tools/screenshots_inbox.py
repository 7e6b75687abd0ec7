"""Write screenshots of the inbox, the decide form and the compare view, to look at.

    DISPLAY=:93 python tools/screenshots_inbox.py OUTPUT_FOLDER

Fills a throwaway workspace with the support-triage template's sample cases (scripted
model): a batch at observe, its replay at operate, so the inbox has real packets and the
compare view a real difference. With a display (Xvfb at 1280×800) each shot is the whole
screen (`import -window root`); without one, the window's own rendering.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
SCRATCH = Path(tempfile.mkdtemp(prefix="junction-inbox-shots-"))
os.environ["JUNCTION_HOME"] = str(SCRATCH / "home")  # before the designer reads it
MODEL = "scripted:scripted.yaml"


def fill_workspace(template: Path) -> None:
    from runtime.api import Workspace, load_flow

    workspace = Workspace.open()
    engine, loaded = workspace.engine(), load_flow(template / "flow.yaml")
    cases = [json.loads(line) for line in (template / "cases.jsonl").read_text().splitlines()
             if line.strip()]
    for case in cases[:8]:
        engine.start(loaded, case, batch_id="class-demo", autonomy="observe", model=MODEL)
    for case in cases[:3]:  # T-001 waits for the refund approval
        engine.start(loaded, case, batch_id="morning", autonomy="operate", model=MODEL)
    workspace.close()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots-inbox")
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    from designer import theme
    from designer.app.application import DesignerApp
    from designer.app.settings import DesignerSettings, default_templates_folder
    from designer.compare.sources import Source

    template = SCRATCH / "support-triage"
    shutil.copytree(default_templates_folder() / "support-triage", template)
    fill_workspace(template)
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    app.setStyleSheet(theme.style_sheet())
    designer = DesignerApp(DesignerSettings(settings_file=SCRATCH / "designer.ini",
                                            autosave_folder=SCRATCH / "autosave",
                                            new_flows_folder=SCRATCH / "flows",
                                            workspace_home=SCRATCH / "home"))

    def settle(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()

    def save(widget, name: str) -> None:
        settle()
        path = out / f"{name}.png"
        if os.environ.get("DISPLAY") and shutil.which("import"):
            subprocess.run(["import", "-window", "root", str(path)], check=True)
        else:
            widget.grab().save(str(path))
        print(path)

    window = designer.new_window()
    window.resize(1280, 800)
    window.move(0, 0)
    window.show()
    window.files.open_path(template / "flow.yaml")
    save(window, "design-with-switcher")
    print("window", window.width(), "x", window.height(), "minimum", window.minimumSizeHint())
    window.area.show_view("inbox")
    inbox = window.inbox
    refund = next(line for line in inbox.tasks.lines if line.task.node_id == "refund_review")
    intake = next(line for line in inbox.tasks.lines if line.task.node_id == "intake")
    inbox.select_task(intake.task.id)
    save(window, "inbox-packet-classify")
    inbox.select_task(refund.task.id)
    save(window, "inbox-packet-refund")
    inbox.form.editors["refund_amount"].editor.setText("2500")
    inbox.form.approve_button.click()
    inbox.reading.verticalScrollBar().setValue(inbox.reading.verticalScrollBar().maximum())
    save(window, "inbox-decide-form-error")
    window.area.show_view("compare")
    compare = window.compare
    source = Source("batch", "class-demo", "class-demo")
    compare.replay(source, "operate", None)
    deadline = time.monotonic() + 60
    while compare.busy() and time.monotonic() < deadline:
        settle(0.1)
    save(window, "compare-batches")
    cases = compare.cases
    row = next(r for r in range(cases.rowCount()) if cases.item(r, 0).text() == "T-002")
    cases.setCurrentCell(row, 0)
    save(window, "compare-case-steps")
    window.session.editor.undo_stack.setClean()
    window.close()
    settle()
    shutil.rmtree(SCRATCH, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
