"""Benchmark: `junction metrics` over 100,000 stored runs (target: under one second).

Fills a fresh workspace with synthetic runs of the support-triage flow — three versions at
three stages (no per-run override, as in daily use), completed / blocked / failed, an
intake classify step and an update step per run with confidences, verdicts and people's
decisions, tasks on two runs in five — beside runs of another flow in the same workspace
(`--other`, 20,000 by default: the store must leave them out), then times the metric
queries and their summary, as the command runs them. The data is written straight into
the store's tables through a connection of the benchmark's own, with the metric columns
the store writes beside each step (running 100,000 cases through the engine would
take minutes and measure the engine, not the metrics).

Run: `python bench/metrics_100k.py [--runs N] [--other N]`; prints the best of three
beside the goal (one second), with CPU time: on a shared machine the wall time mostly
measures the other processes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runtime.metrics.collect import flow_metrics
from runtime.store.sqlite import SqliteRunStore
from runtime.store.sqlite_metrics import insert_values
from runtime.workspace import database_path

FLOW = Path(__file__).resolve().parent.parent / "templates" / "support-triage" / "flow.yaml"
STAGES = ("observe", "copilot", "operate")
LABELS = ("refund", "billing", "technical", "account", "spam")


def fill(db: Path, count: int, seed: int = 7, other: int = 0) -> None:
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    path = str(FLOW.resolve())
    # three versions of the flow, one per stage: the team moved it up over time
    conn.executemany("INSERT INTO flow_snapshots(sha, name, path, text, created_at)"
                     " VALUES (?, 'Support triage', ?, ?, ?)",
                     [(f"bench-{stage}", path, f"format_version: 1\nautonomy: {stage}\n",
                       start.isoformat()) for stage in STAGES])
    conn.execute("INSERT INTO flow_snapshots(sha, name, path, text, created_at) VALUES"
                 " ('bench-other', 'Other', '/elsewhere/other.yaml', 'autonomy: operate\n', ?)",
                 (start.isoformat(),))
    runs, steps, tasks = [], [], []
    for i in range(count + other):
        run_id = f"r-{i:08d}"
        stage = STAGES[i % 3]
        # the other flow's runs come last (the store must leave them out)
        sha, run_path = ((f"bench-{stage}", path) if i < count
                         else ("bench-other", "/elsewhere/other.yaml"))
        created = start + timedelta(seconds=30 * i)
        finished = created + timedelta(seconds=rng.uniform(1, 900))
        person = rng.random() < 0.4
        status = "blocked" if person and rng.random() < 0.2 else (
            "failed" if rng.random() < 0.02 else "completed")
        outcome = rng.choice(("resolved", "spam", "escalated")) if status == "completed" else None
        runs.append((run_id, sha, "Support triage", run_path, f"C-{i}", None, status,
                     outcome, None, None, None, "{}", None, None, None, created.isoformat(),
                     created.isoformat(), finished.isoformat() if status == "completed"
                     else None, finished.isoformat()))
        confidence = round(rng.uniform(0.3, 1.0), 3)
        label = rng.choice(LABELS)
        hit = confidence < 0.8 or stage == "observe"
        verdicts = json.dumps([{"rule": "confidence_band", "outcome": "hold" if hit else "pass",
                                "field": None, "hit": hit}])
        decision = ({"by": "human", "label": label, "agrees_with_ai": rng.random() < 0.85}
                    if person else {"by": "ai", "label": label, "action": "classified"})
        output = json.dumps({"label": label, "confidence": confidence,
                             "probabilities": {label: confidence}})
        steps.append((run_id, 1, "intake", "ai/classify", 1, 1, "done", stage, output,
                       json.dumps(decision), verdicts, created.isoformat(),
                       *insert_values(json.loads(output), decision, json.loads(verdicts))))
        enforce = {"proposal": {"queue": "billing"}, "confidence": 0.9}
        applied = {"by": "ai", "action": "applied"}
        steps.append((run_id, 2, "update_ticket", "ai/enforce", 1, 1, "done", stage,
                       json.dumps(enforce), json.dumps(applied), "[]", created.isoformat(),
                       *insert_values(enforce, applied, [])))
        if person:
            tasks.append((f"t-{i:08d}", run_id, 2 * i + 1, "intake", "decided", "held", "[]", "{}",
                          created.isoformat()))
    conn.executemany("INSERT INTO runs(id, flow_sha, flow_name, flow_path, case_id, batch_id,"
                     " status, outcome, autonomy, model_override, current_node, context,"
                     " blocked_reason, error, owner, created_at, started_at, finished_at,"
                     " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", runs)
    conn.executemany("INSERT INTO steps(run_id, seq, node_id, kind, visit, attempt, status,"
                     " autonomy, output, decision, verdicts, started_at, label, confidence,"
                     " decided_by, agrees, hit_rules)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", steps)
    conn.executemany("INSERT INTO tasks(id, run_id, step_id, node_id, status, reason, allowed,"
                     " packet, created_at) VALUES (?,?,?,?,?,?,?,?,?)", tasks)
    conn.commit()
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--other", type=int, default=20_000,
                        help="runs of another flow in the same workspace")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = database_path(Path(tmp))
        SqliteRunStore(path).close()  # the store makes its tables
        began = time.perf_counter()
        fill(path, args.runs, other=args.other)
        store = SqliteRunStore(path)
        print(f"filled {args.runs:,} runs (+{args.other:,} of another flow) in "
              f"{time.perf_counter() - began:.1f} s")
        timings, cpu = [], []
        for _ in range(args.repeat):
            began, began_cpu = time.perf_counter(), time.process_time()
            stages = flow_metrics(store, FLOW,
                                  suggest_bands={"intake": 0.5, "update_ticket": 0.55},
                                  intent_node="intake")
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        store.close()
    total = sum(s["runs"] for s in stages.values())
    best = min(timings)
    # CPU time is printed too: on a shared machine the wall time mostly measures the others
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"metrics over {total:,} runs ({len(stages)} stages): best {best * 1000:.0f} ms "
          f"wall, {min(cpu) * 1000:.0f} ms CPU | goal: under 1000 ms (issue 14) | worst "
          f"{max(timings) * 1000:.0f} ms wall of {args.repeat}; load average {load:.1f} on "
          f"{os.cpu_count()} cores")
    return 0 if min(cpu) < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
