"""Screenshots of running a flow from the designer, to look at before calling it done.

    DISPLAY=:91 python tools/run_screenshots.py OUTPUT_FOLDER

On an X display (Xvfb at 1280×800), captures the whole screen with ImageMagick's `import`:
the run dialog, a run drawn on the support-triage canvas (finished, and replayed half-way),
a batch's outcomes table, and "try one step" on the classify and the enforce step. Uses a
throwaway workspace and settings; never saves the flow.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
REPO = Path(__file__).resolve().parents[1]
SCRIPTED = "scripted:scripted.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="junction-run-shots-"))
    os.environ["JUNCTION_HOME"] = str(folder / "home")
    flow_dir = folder / "support-triage"
    shutil.copytree(REPO / "templates" / "support-triage", flow_dir)

    from PySide6.QtWidgets import QApplication

    from designer import theme
    from designer.app.application import DesignerApp
    from designer.app.settings import DesignerSettings

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(theme.style_sheet())
    app.setFont(theme.font(9))
    designer = DesignerApp(DesignerSettings(settings_file=folder / "designer.ini",
                                            autosave_folder=folder / "autosave",
                                            templates_folder=REPO / "templates",
                                            new_flows_folder=folder / "flows"))
    window = designer.new_window()
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    window.files.open_path(flow_dir / "flow.yaml")
    runs = window.runs

    def settle(seconds: float = 0.4) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def shot(name: str) -> None:
        settle()
        subprocess.run(["import", "-window", "root", str(args.output / f"{name}.png")],
                       check=True)

    def choose(dialog, sample: str | None = None) -> None:
        dialog.stages.buttons["operate"].click()
        dialog.model.setCurrentIndex(dialog.model.findData(SCRIPTED))
        if sample:
            ids = [str(c["id"]) for c in dialog.samples]
            dialog.samples_list.setCurrentRow(ids.index(sample))

    window.session.editor.set_node_property("intake", "title", "Classify the intent")
    dialog = runs.open_run_dialog()
    choose(dialog, "T-001")
    shot("1-run-dialog")
    dialog.show_tab("form")
    dialog.form.rows["order_total"].editor.setText("about fifty")
    dialog.run_button.click()
    shot("2-run-dialog-form-error")
    dialog.show_tab("sample")
    dialog.run_button.click()
    runs.wait()
    settle(0.8)
    shot("3-run-overlay-blocked")
    runs.run_panel.step_to(3)
    shot("4-run-overlay-replay-step-4")

    dialog = runs.open_run_dialog(batch=True)
    choose(dialog)
    dialog.run_button.click()
    runs.wait()
    shot("5-batch-outcomes")

    window.scene.select_only(nodes=["intake"])
    trial = runs.open_trial()
    trial.model.setCurrentIndex(trial.model.findData(SCRIPTED))
    trial.setGeometry(90, 40, 1100, 720)
    trial.try_now()
    trial.worker.wait()
    shot("6-try-classify")
    trial.close()
    window.scene.select_only(nodes=["update_ticket"])
    trial = runs.open_trial()
    trial.model.setCurrentIndex(trial.model.findData(SCRIPTED))
    trial.sample.setCurrentIndex(16)  # T-016: a refund above the limit
    trial.setGeometry(90, 40, 1100, 720)
    trial.try_now()
    trial.worker.wait()
    shot("7-try-enforce")
    trial.close()
    window.session.editor.undo_stack.setClean()
    window.close()
    settle()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"screenshots in {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
