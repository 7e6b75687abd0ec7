"""Does the window stay responsive while a batch runs? The event-loop delay, measured.

    python bench/designer_run_latency.py [--cases 1000] [--probe-ms 5]

Opens the support-triage template in a real main window, starts a batch of N generated
cases from the Run menu's controller (the scripted model, so the figure is the designer's
and the engine's cost, not a model's), and meanwhile a QTimer probe fires every few
milliseconds on the GUI thread. How late each tick arrives is the time the event loop was
busy: what a person would feel as a frozen window. Prints p50/p99/max of the delay, the
number of progress updates the window received, and the batch's cases/s. The target is a
worst delay under 50 ms. As the Run dialog does, the model backends are imported before
the batch starts (a one-off cost of the first run in a session, paid while the dialog is
open); the one-off layout when the batch panel appears is printed on its own line.
Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
REPO = Path(__file__).resolve().parents[1]

ANSWERS = {"nodes": {
    "intake": {"label": "billing", "confidence": 0.95},
    "update_ticket": {"values": {"queue": "billing", "priority": "normal",
                                 "status": "pending"}, "confidence": 0.9},
    "draft_reply": {"text": "Thank you, we are looking into it."},
}}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--probe-ms", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="junction-run-bench-"))
    os.environ["JUNCTION_HOME"] = str(folder / "home")
    flow_dir = folder / "support-triage"
    shutil.copytree(REPO / "templates" / "support-triage", flow_dir)
    (flow_dir / "bench.json").write_text(json.dumps(ANSWERS))
    cases = [{"id": f"B-{n:05d}", "subject": "Invoice", "message": f"Invoice {n} please",
              "customer_tier": "pro", "order_total": 20.0 + n % 50} for n in range(args.cases)]

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from designer import theme
    from designer.app.application import DesignerApp
    from designer.app.settings import DesignerSettings

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(theme.style_sheet())
    designer = DesignerApp(DesignerSettings(settings_file=folder / "designer.ini",
                                            autosave_folder=folder / "autosave",
                                            templates_folder=REPO / "templates",
                                            new_flows_folder=folder / "flows"))
    window = designer.new_window()
    window.resize(1280, 800)
    window.show()
    window.files.open_path(flow_dir / "flow.yaml")
    for _ in range(5):
        app.processEvents()

    delays: list[float] = []
    updates = 0
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(args.probe_ms)

    def tick() -> None:
        delays.append(max(0.0, clock.nsecsElapsed() / 1e6 - args.probe_ms))
        clock.restart()

    def progressed(_: object) -> None:
        nonlocal updates
        updates += 1

    probe.timeout.connect(tick)
    done: list[object] = []
    controller = window.runs
    controller.batch_finished.connect(done.append)
    controller.warm_up()  # what opening the run dialog does
    assert controller.warmed is not None
    controller.warmed.wait()
    app.processEvents()
    started = time.perf_counter()
    controller.start_batch(cases, "operate", "scripted:bench.json", title="generated")
    assert controller.worker is not None
    controller.worker.yielded.connect(progressed)
    app.processEvents()  # the batch panel appears: the window lays out and paints once
    opening = (time.perf_counter() - started) * 1000
    clock.start()
    probe.start()
    while not done:
        app.processEvents()
        time.sleep(0.0005)
    probe.stop()
    elapsed = time.perf_counter() - started
    result = done[0]
    window.session.editor.undo_stack.setClean()
    window.close()
    app.processEvents()
    shutil.rmtree(folder, ignore_errors=True)

    print(f"batch: {len(result.rows)} cases in {elapsed:.1f} s "  # type: ignore[attr-defined]
          f"({len(result.rows) / elapsed:.1f} cases/s), "  # type: ignore[attr-defined]
          f"{updates} progress updates ({updates / elapsed:.1f}/s)")
    print(f"showing the batch panel (one-off layout and paint): {opening:.0f} ms")
    print(f"event-loop delay over {len(delays)} probes ({args.probe_ms} ms timer): "
          f"p50 {statistics.median(delays):.1f} ms, p99 {percentile(delays, 0.99):.1f} ms, "
          f"max {max(delays):.1f} ms (target: max < 50 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
