"""Write screenshots of the designer, to look at before calling a change done.

    python tools/screenshots.py OUTPUT_FOLDER [--template support-triage]

Writes, at 1280×800: the start page, the main window with a template open, the same with
an AI step selected, a flow with problems (markers on the canvas, rows in the panel) and
a refused connection; the New dialog's template gallery; and the property panel of every
kind of step, of a decision branch and of the flow itself, each at full height.
Runs offscreen unless a display is available; uses throwaway settings and never saves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PANEL_SUBJECTS = {  # file name → step of the support-triage template
    "start": "start", "classify": "intake", "decision": "route", "assist": "draft_reply",
    "enforce": "update_ticket", "human": "refund_review", "action": "send_reply",
    "end": "done",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--template", default="support-triage")
    args = parser.parse_args()

    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from designer import theme
    from designer.app.application import DesignerApp
    from designer.app.settings import DesignerSettings, default_templates_folder
    from designer.app.startpage import NewFlowDialog

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    app.setStyleSheet(theme.style_sheet())
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="junction-shots-"))
    template = default_templates_folder() / args.template
    shutil.copytree(template, scratch / template.name)
    flow_path = scratch / template.name / "flow.yaml"
    settings = DesignerSettings(settings_file=scratch / "designer.ini",
                                autosave_folder=scratch / "autosave",
                                new_flows_folder=scratch / "flows")
    designer = DesignerApp(settings)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def save(widget, name: str) -> None:
        settle()
        widget.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    window = designer.new_window()
    window.resize(1280, 800)
    window.show()
    save(window, "start-page")

    window.files.open_path(flow_path)
    save(window, "main-window")

    window.focus_node("update_ticket")
    save(window, "main-window-selected")

    panel = window.properties
    for name, node_id in PANEL_SUBJECTS.items():
        window.scene.select_only(nodes=[node_id])
        save_panel(panel, out / f"properties-{name}.png", settle)
    branch = next(k for k, e in window.session.document.edges() if e.target == "escalate")
    window.scene.select_only(edges=[branch])
    save_panel(panel, out / "properties-branch.png", settle)
    window.show_flow_properties()
    save_panel(panel, out / "properties-flow.png", settle)

    keys = [k for k, e in window.session.document.edges() if e.source == "draft_reply"]
    window.session.editor.delete(edge_keys=keys)
    window.problems.refresh()
    window.focus_node("draft_reply")
    save(window, "main-window-problems")
    window.undo()
    window.problems.refresh()

    window.view.set_zoom(1.0)
    window.focus_node("update_ticket")
    item = window.scene.item_for_node["update_ticket"]
    window.design.edit_refused.emit(
        "'Update the ticket' already leads to 'Refund?'. Only decisions branch: put a "
        "decision after it to choose between paths.", item.pos() + QPointF(60, 20))
    save(window, "refused-connection")

    dialog = NewFlowDialog(window.templates, window)
    dialog.resize(1040, 420)
    dialog.show()
    save(dialog, "template-gallery")
    dialog.close()

    window.session.editor.undo_stack.setClean()
    window.close()
    settle()
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


def save_panel(panel, path: Path, settle) -> None:
    """The property panel's whole content, not just what fits in the dock."""
    settle()
    body = panel.widget()
    width = panel.viewport().width()
    body.resize(width, body.sizeHint().height())
    settle()
    body.grab().save(str(path))
    print(path)


if __name__ == "__main__":
    raise SystemExit(main())
