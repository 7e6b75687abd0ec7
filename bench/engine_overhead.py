"""Benchmark: the support-triage template over 1,000 cases with the scripted model.

Prints steps per second and the engine's own cost per step — journal writes (SQLite, WAL,
synchronous=FULL), record changes and scheduling included; the scripted model costs almost
nothing, so the figure is the engine's overhead. Run: `python bench/engine_overhead.py`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from runtime.api import Workspace, load_flow
from runtime.flow.yamlio import parse, read_text

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "support-triage"


def prepare(folder: Path, count: int) -> tuple[Path, list[dict], str]:
    """Copy the template and clone its sample cases (and their scripted answers) to `count`."""
    shutil.copytree(TEMPLATE, folder / "flow")
    samples = [json.loads(line) for line in (TEMPLATE / "cases.jsonl").read_text().splitlines()
               if line.strip()]
    answers = parse(read_text(TEMPLATE / "scripted.yaml"), "scripted.yaml").data
    cases, by_case = [], {}
    for index in range(count):
        sample = samples[index % len(samples)]
        case_id = f"B-{index:05d}"
        cases.append({**sample, "id": case_id})
        by_case[case_id] = answers["cases"][sample["id"]]
    scripted = folder / "flow" / "bench-scripted.yaml"
    scripted.write_text(yaml.safe_dump({"nodes": answers.get("nodes", {}), "cases": by_case}))
    return folder / "flow" / "flow.yaml", cases, f"scripted:{scripted}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        flow_path, cases, model = prepare(folder, args.cases)
        loaded = load_flow(flow_path)
        workspace = Workspace.open(folder / "home")
        engine = workspace.engine()
        started = time.perf_counter()
        for case in cases:
            engine.start(loaded, case, model=model)
        elapsed = time.perf_counter() - started
        steps = sum(len(workspace.store.steps(run.id)) for run in workspace.store.runs())
        workspace.close()
    print(f"cases: {len(cases)}  steps: {steps}  wall: {elapsed:.2f} s")
    print(f"steps per second: {steps / elapsed:,.0f}")
    print(f"engine overhead per step (store writes included): {elapsed / steps * 1e6:,.0f} µs")
    print(f"per run: {elapsed / len(cases) * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
