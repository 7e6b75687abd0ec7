"""Benchmark: the support-triage template over 1,000 cases with the scripted model.

Prints, for runs started one at a time (`Engine.start`) and for the same cases as a batch
(`Engine.run_batch`, group commit), the wall and CPU time per run and per step — journal
writes, audit chain, record changes in the workspace table and scheduling included; the
scripted model costs almost nothing, so the figures are the engine's overhead. Some cases
stop at a person (a refund needs approval), so runs have 2–7 steps.
Run: `python bench/engine_overhead.py [--cases 1000] [--profile]` (`--profile` adds, for the
batch, where the CPU goes by area: SQLite, JSON, audit hashing, engine, model, …). The load
average is printed before and after: on a shared machine wall time follows it, CPU time
much less.
"""

from __future__ import annotations

import argparse
import json
import os
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


def measure(folder: Path, flow_path: Path, cases: list[dict], model: str,
            batch: bool, profiled: bool = False) -> tuple[float, float, int]:
    loaded = load_flow(flow_path)
    workspace = Workspace.open(folder)
    engine = workspace.engine()

    def work() -> None:
        if batch:
            engine.run_batch(loaded, cases, batch_id="bench", model=model)
        else:
            for case in cases:
                engine.start(loaded, case, model=model)

    wall, cpu = time.perf_counter(), time.process_time()
    if profiled:
        from where_time_goes import profile

        profile(work, len(cases))
    else:
        work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps = sum(len(workspace.store.steps(run.id)) for run in workspace.store.runs())
    assert workspace.store.verify_audit().ok
    workspace.close()
    return wall, cpu, steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--profile", action="store_true",
                        help="also profile the batch and print where the CPU goes")
    args = parser.parse_args()
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        flow_path, cases, model = prepare(folder, args.cases)
        for label, batch in (("one at a time", False), ("as a batch", True)):
            wall, cpu, steps = measure(folder / label.replace(" ", "-"), flow_path, cases,
                                       model, batch)
            runs = len(cases)
            print(f"{label}: {runs} runs, {steps} steps in {wall:.2f} s "
                  f"({steps / wall:,.0f} steps/s)")
            print(f"  per run:  wall {wall / runs * 1e3:.3f} ms  cpu {cpu / runs * 1e3:.3f} ms")
            print(f"  per step: wall {wall / steps * 1e6:,.0f} µs  cpu {cpu / steps * 1e6:,.0f} µs")
        if args.profile:
            print("as a batch, profiled:")
            measure(folder / "profiled", flow_path, cases, model, True, profiled=True)
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
