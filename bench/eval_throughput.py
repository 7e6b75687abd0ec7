"""Benchmark: `junction eval` throughput with the embeddings method (cases per second).

Evaluates the support-triage template as shipped — intake sorted by the bundled
all-MiniLM-L6-v2 embedding model, the other AI steps scripted — on its labelled dataset,
cloned to `--cases` cases, in a fresh workspace. The model is loaded (and the examples
embedded) before the clock starts, so the figure is the steady-state rate of running and
journaling labelled cases; building the report is timed separately.

Run: `python bench/eval_throughput.py [--cases N]` (needs the `embeddings` extra).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from runtime.api import Workspace, compile_plan, load_flow
from runtime.evaluation.dataset_run import LabelledCase, read_labelled, run_dataset
from runtime.evaluation.evidence import run_facts
from runtime.evaluation.result import build_result

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "support-triage"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    loaded = load_flow(TEMPLATE / "flow.yaml")
    base = read_labelled(TEMPLATE / "dataset.jsonl", compile_plan(loaded))
    cases = [LabelledCase(c.line, {**c.case, "id": f"{c.case_id}-{i // len(base)}"},
                          c.expected) for i, c in enumerate(base * (args.cases // len(base) + 1))]
    cases = cases[:args.cases]
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.open(tmp)
        engine = workspace.engine()
        run_dataset(engine, loaded, cases[:1], "warm-up")  # loads MiniLM, embeds examples
        began = time.perf_counter()
        done = run_dataset(engine, loaded, cases, "bench")
        elapsed = time.perf_counter() - began
        began = time.perf_counter()
        facts = {k: run_facts(workspace.store, r) for k, r in done.runs.items()}
        result = build_result(loaded, "dataset", "", "bench", cases, facts, model=None,
                              autonomy=None, not_run=[], generated_at="")
        report = time.perf_counter() - began
        workspace.close()
    print(f"{len(cases)} cases in {elapsed:.2f} s: {len(cases) / elapsed:.1f} cases/s "
          f"(intake accuracy {result['nodes'][0]['accuracy']:.1%}); "
          f"report built in {report * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
