"""Anchor benchmark: the same 6-node decision graph in LangGraph + SqliteSaver and in Junction.

The graph: classify → route → auto | review → update → end, with a stub model that always
answers "simple". Every contender runs in a fresh process (imports and warm-up excluded),
the contenders are interleaved round by round so that they share the machine's load, and
each measurement is `--runs` runs (300 by default). Printed per contender: wall time and
CPU time per run; then Junction's ratio to LangGraph; plus the SQLite floor on the same
disk (5 rows per run, one commit each, WAL/NORMAL).

Contenders:
- `langgraph`: LangGraph + SqliteSaver on a default sqlite3 connection, default durability;
- `langgraph-wal`: the same on a connection switched to WAL/NORMAL (LangGraph's best case);
- `junction`: `Engine.start` per case (record changes in the workspace table, journal and
  audit chain included) — a run alone;
- `junction-batch`: the same cases through `Engine.run_batch` (group commit across runs);
- `floor`: 5 SQLite rows per run, one commit each, WAL/NORMAL.

Run: `python bench/anchors/langgraph_side_by_side.py [--runs 300] [--rounds 3] [--profile]`
(`--profile`: instead, where Junction's CPU goes in a batch of this graph, by area).
(LangGraph comes with the optional `bench` extra: `pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FLOW = HERE / "side_by_side" / "flow.yaml"
WARMUP = 20
CONTENDERS = ["langgraph", "langgraph-wal", "junction", "junction-batch", "floor"]


# -- contenders (each in its own process) ------------------------------------------------


class State(TypedDict, total=False):
    """LangGraph's state for the graph (module level: LangGraph reads its type hints)."""

    message: str
    label: str
    handled_by: str
    status: str


def stub_model(message: str) -> str:
    return "simple"


def langgraph_runs(folder: Path, runs: int, *, wal: bool) -> tuple[float, float]:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    def classify(state: State) -> dict[str, Any]:
        return {"label": stub_model(state["message"])}

    def route(state: State) -> str:
        return "auto" if state["label"] == "simple" else "review"

    graph = StateGraph(State)
    graph.add_node("classify", classify)
    graph.add_node("auto", lambda state: {"handled_by": "ai"})
    graph.add_node("review", lambda state: {"handled_by": "person"})
    graph.add_node("update", lambda state: {"status": "done"})
    graph.add_edge(START, "classify")
    graph.add_conditional_edges("classify", route, ["auto", "review"])
    graph.add_edge("auto", "update")
    graph.add_edge("review", "update")
    graph.add_edge("update", END)
    conn = sqlite3.connect(folder / "langgraph.db", check_same_thread=False)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    app = graph.compile(checkpointer=SqliteSaver(conn))

    def one(index: int) -> None:
        app.invoke({"message": f"case {index}"},
                   config={"configurable": {"thread_id": f"t-{index}"}})

    for index in range(WARMUP):
        one(-index - 1)
    return timed(lambda: all_of(one, runs))


def junction_runs(folder: Path, runs: int, *, batch: bool,
                  profiled: bool = False) -> tuple[float, float]:
    from runtime.api import Workspace, load_flow

    loaded = load_flow(FLOW)
    workspace = Workspace.open(folder / "home")
    engine = workspace.engine()
    for index in range(WARMUP):
        engine.start(loaded, {"id": f"w-{index}", "message": "warm up"})
    cases = [{"id": f"c-{index}", "message": f"case {index}"} for index in range(runs)]
    if profiled:
        sys.path.insert(0, str(HERE.parent))
        from where_time_goes import profile

        wall, cpu = timed(lambda: profile(
            lambda: engine.run_batch(loaded, cases, batch_id="bench"), runs))
    elif batch:
        wall, cpu = timed(lambda: engine.run_batch(loaded, cases, batch_id="bench"))
    else:
        wall, cpu = timed(lambda: [engine.start(loaded, case) for case in cases])
    done = workspace.store.run_counts().by_status.get("completed", 0)
    assert done == runs + WARMUP, f"only {done} runs completed"
    assert workspace.store.verify_audit().ok
    workspace.close()
    return wall, cpu


def floor_runs(folder: Path, runs: int) -> tuple[float, float]:
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE steps (run INTEGER, seq INTEGER, body TEXT)")

    def one(index: int) -> None:
        for seq in range(5):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO steps VALUES (?,?,?)", (index, seq, '{"node": "x"}'))
            conn.execute("COMMIT")

    for index in range(WARMUP):
        one(-index - 1)
    return timed(lambda: all_of(one, runs))


def all_of(one: Any, runs: int) -> None:
    for index in range(runs):
        one(index)


def timed(work: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def child(name: str, runs: int) -> None:
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "anchors") as tmp:
        folder = Path(tmp)
        if name.startswith("langgraph"):
            wall, cpu = langgraph_runs(folder, runs, wal=name == "langgraph-wal")
        elif name.startswith("junction"):
            wall, cpu = junction_runs(folder, runs, batch=name == "junction-batch")
        else:
            wall, cpu = floor_runs(folder, runs)
    print(json.dumps({"name": name, "wall_ms": wall / runs * 1e3, "cpu_ms": cpu / runs * 1e3}))


# -- the conductor -------------------------------------------------------------------------


def measure(name: str, runs: int) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--child", name, "--runs", str(runs)],
                            capture_output=True, text=True, cwd=REPO, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", choices=CONTENDERS, default=CONTENDERS)
    parser.add_argument("--profile", action="store_true",
                        help="profile Junction's batch on this graph instead")
    args = parser.parse_args()
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            junction_runs(Path(tmp), args.runs, batch=True, profiled=True)
        return 0
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
          flush=True)
    if args.child:
        child(args.child, args.runs)
        return 0
    table: dict[str, list[dict[str, float]]] = {name: [] for name in args.only}
    for round_no in range(args.rounds):
        for name in args.only:  # interleaved: every contender once per round
            table[name].append(measure(name, args.runs))
        print(f"round {round_no + 1}: " + "  ".join(
            f"{name} {table[name][-1]['wall_ms']:.3f} ms" for name in args.only), flush=True)
    print(f"\n{args.runs} runs per measurement, {args.rounds} interleaved rounds, "
          "fresh process each (wall / CPU per run, ms):")
    for name in args.only:
        walls = " / ".join(f"{m['wall_ms']:.3f}" for m in table[name])
        cpus = " / ".join(f"{m['cpu_ms']:.3f}" for m in table[name])
        print(f"  {name:15} wall {walls:30} cpu {cpus}")
    for ours in ("junction", "junction-batch"):
        for theirs in ("langgraph", "langgraph-wal"):
            if ours in table and theirs in table:
                ratios = " / ".join(f"{t['wall_ms'] / o['wall_ms']:.1f}×"
                                    for o, t in zip(table[ours], table[theirs], strict=True))
                print(f"  {theirs} ÷ {ours} (wall, per round): {ratios}")
                cpu_ratios = " / ".join(f"{t['cpu_ms'] / o['cpu_ms']:.1f}×" for o, t in
                                        zip(table[ours], table[theirs], strict=True))
                print(f"  {theirs} ÷ {ours} (CPU, per round):  {cpu_ratios}")
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
