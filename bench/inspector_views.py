"""How fast the Runs view opens, scrolls, polls and shows a long run.

    python bench/inspector_views.py [--runs 100000] [--steps 200] [--repeat 5]

Builds a throwaway workspace: `--runs` runs written in bulk into the store's own tables
(created by the store; one executemany, not the engine one by one), plus one run of
`--steps` steps journaled with the store's `record_step` (classify steps with
probabilities, enforce steps with guardrail verdicts and record changes). Then times,
offscreen, the median of `--repeat` rounds of:

* list open: a new Runs view opens the store, counts, reads the first page and paints;
* scroll to end: jump to the last row and paint it (reads the last page only);
* poll (idle): one refresh tick when nothing changed (`runs_marker`);
* poll (changed): one tick after a run was added (re-count, first page, repaint);
* filter: choose a status filter; search: type a case id fragment (full scan);
* run open: show the long run's timeline and its first step's details, painted;
* step: choose the last step (details rebuilt), painted.

Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STATUSES = ["completed"] * 6 + ["blocked", "failed", "cancelled", "running"]
OUTCOMES = ["resolved", "escalated", "spam", "refund"]
FLOWS = ["Support triage", "IT access request", "Returns (RMA)", "Quote approval"]


def bulk_runs(db: Path, count: int) -> None:
    """`count` runs straight into the runs table the store created (same columns)."""
    import sqlite3

    rng = random.Random(7)
    conn = sqlite3.connect(db)
    conn.execute("INSERT OR IGNORE INTO flow_snapshots VALUES ('bench', 'Bench', NULL, "
                 "'format_version: 1', '2026-01-01T00:00:00+00:00')")
    rows = []
    for n in range(count):
        status = rng.choice(STATUSES)
        minute, second = divmod(n, 60)
        at = f"2026-{1 + n // 40000:02d}-01T{(minute // 60) % 24:02d}:{minute % 60:02d}:" \
             f"{second:02d}.{n % 1000:03d}+00:00"
        done = status in ("completed", "failed", "cancelled")
        rows.append((f"r-{n:010d}", "bench", rng.choice(FLOWS), None, f"C-{n:06d}", None,
                     status, rng.choice(OUTCOMES) if status == "completed" else None,
                     rng.choice([None, None, "observe", "copilot", "operate"]), None,
                     None if done else "intake", "{}", None, None, None, at, at,
                     at if done else None, at))
    conn.executemany("INSERT INTO runs VALUES (" + ",".join("?" * 19) + ")", rows)
    conn.commit()
    conn.close()


def long_run(store, steps: int) -> str:
    from runtime.store.rows import NewStep

    run, _ = store.create_run(flow_text="format_version: 1", flow_sha="bench",
                              flow_name="Bench", flow_path=None, case_id="LONG-200",
                              context={})
    store.claim(run.id, start_node="n0")
    options = ["refund", "billing", "technical", "account", "spam"]
    for i in range(steps):
        classify = i % 2 == 0
        probs = {o: round(1 / (k + 2), 3) for k, o in enumerate(options)}
        store.record_step(NewStep(
            run_id=run.id, node_id=f"n{i}", kind="ai/classify" if classify else "ai/enforce",
            visit=1, status="done", inputs={"text": "Where is my refund? " * 8},
            model_call={"provider": "scripted", "model": "bench", "attempts": 1,
                        "tokens_in": 120, "tokens_out": 8, "latency_ms": 3.0,
                        "prompt": [{"role": "system", "content": "Classify. " * 40},
                                   {"role": "user", "content": "Where is my refund?"}],
                        "raw": json.dumps(probs)},
            output=({"label": "refund", "confidence": 0.5, "confidence_kind": "measured",
                     "probabilities": probs} if classify else
                    {"proposal": {"queue": "refunds", "refund_amount": 900},
                     "confidence": 0.8}),
            verdicts=[{"rule": "limit", "field": "refund_amount", "outcome": "block",
                       "reason": "900 is above the maximum 200"},
                      {"rule": "field_matrix", "field": "queue", "outcome": "pass",
                       "reason": "'queue' may be written"}] if not classify else [],
            changes={} if classify else {"queue": "refunds"},
            started_at="2026-01-01T00:00:00+00:00", duration_ms=4.0),
            advance={"current_node": f"n{i + 1}"})
    return run.id


def timed(action: Callable[[], object], app) -> float:
    start = time.perf_counter()
    action()
    app.processEvents()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from designer.inspector import InspectorView
    from runtime.api import RunStatus, open_run_store

    app = QApplication.instance() or QApplication([])
    home = Path(tempfile.mkdtemp(prefix="junction-bench-inspector-"))
    store = open_run_store(home)
    started = time.perf_counter()
    bulk_runs(home / "junction.db", args.runs)
    long_id = long_run(store, args.steps)
    print(f"workspace: {args.runs:,} runs + one {args.steps}-step run, built in "
          f"{time.perf_counter() - started:.1f} s ({home})")

    figures: dict[str, list[float]] = {}
    for round_ in range(args.repeat):
        view = InspectorView(lambda: open_run_store(home))
        view.resize(1280, 760)
        figures.setdefault("list open", []).append(timed(view.show, app))
        table = view.runs.table
        figures.setdefault("scroll to end", []).append(timed(table.scrollToBottom, app))
        last = view.runs.model.run_at(view.runs.model.rowCount() - 1)
        assert last is not None
        figures.setdefault("poll (idle)", []).append(timed(view.refresh, app))
        store.create_run(flow_text="format_version: 1", flow_sha="bench",
                                    flow_name="Bench", flow_path=None,
                                    case_id=f"NEW-{round_}", context={})
        figures.setdefault("poll (changed)", []).append(timed(view.refresh, app))
        status = view.runs.status
        figures.setdefault("filter (status)", []).append(timed(
            partial(status.setCurrentIndex, status.findData(RunStatus.blocked.value)), app))
        status.setCurrentIndex(0)
        view.runs.search.setText("C-0999")
        figures.setdefault("search (case id)", []).append(timed(view.runs.apply_filters, app))
        view.runs.search.clear()
        view.runs.apply_filters()
        panel = view.run_panel
        figures.setdefault(f"run open ({args.steps} steps)", []).append(
            timed(partial(panel.show_run, store, long_id), app))
        figures.setdefault("step (last)", []).append(timed(
            partial(panel.timeline.setCurrentRow, panel.timeline.count() - 1), app))
        pages = view.runs.model.pages_read
        view.close_store()
        view.close()
        view.deleteLater()
        app.processEvents()
    print(f"runs list paged lazily: {pages} page reads in the last round "
          f"(of {args.runs // 200 + 1} pages)")
    for name, values in figures.items():
        print(f"{name:>24}: {statistics.median(values):8.1f} ms   "
              f"(min {min(values):.1f}, max {max(values):.1f})")
    store.close()


if __name__ == "__main__":
    main()
