"""Benchmark: runs per second with 1, 2 and 4 `junction worker` processes on a PostgreSQL
team store, and the same batch run by one `junction batch` on SQLite, side by side.

The flow is the crash drill's (five steps, two record changes, scripted model), so the
figure is the engine and the store, not a model. The rate is measured inside the store:
cases ÷ (last run finished − first run started), so process start-up is not counted.
A real PostgreSQL 16 is started from the `pgserver` package in a temporary folder.

Run: `python bench/team_workers.py [--cases 300] [--workers 1 2 4]`
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
from datetime import datetime
from pathlib import Path

import pgserver
import psycopg

REPO = Path(__file__).resolve().parent.parent
FLOW = REPO / "tests" / "team" / "refunds.yaml"


def write_cases(folder: Path, count: int) -> Path:
    cases = folder / "cases.jsonl"
    cases.write_text("".join(json.dumps({"id": f"case-{i:05d}", "message": f"parcel {i}"})
                             + "\n" for i in range(count)))
    return cases


def cli(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "runtime.cli.main", *args], env=env,
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def rate(rows: list[tuple[str, str]]) -> float:
    start = min(datetime.fromisoformat(r[0]) for r in rows)
    end = max(datetime.fromisoformat(r[1]) for r in rows)
    return len(rows) / max((end - start).total_seconds(), 1e-9)


def team_rate(server_dir: str, cases: Path, workers: int, base_env: dict[str, str]) -> float:
    name = f"bench_{workers}_{int(time.time() * 1000)}"
    admin = f"postgresql://postgres:@/postgres?host={server_dir}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres:@/{name}?host={server_dir}"
    env = {**base_env, "JUNCTION_STORE": url}
    for step in (["store", "migrate"],
                 ["batch", str(FLOW), "--cases", str(cases), "--enqueue"]):
        if cli(*step, env=env).wait() != 0:
            raise SystemExit(f"`junction {' '.join(step)}` failed")
    procs = [cli("worker", "--until-empty", env=env) for _ in range(workers)]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(proc.stderr.read().decode() if proc.stderr else "worker failed")
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT started_at, finished_at FROM runs WHERE"
                            " status='completed'").fetchall()
    if len(rows) != sum(1 for _ in cases.open()):
        raise SystemExit(f"only {len(rows)} runs completed with {workers} worker(s)")
    return rate(rows)


def sqlite_rate(folder: Path, cases: Path, base_env: dict[str, str]) -> float:
    home = folder / "sqlite-home"
    env = {**base_env, "JUNCTION_HOME": str(home)}
    env.pop("JUNCTION_STORE", None)
    if cli("batch", str(FLOW), "--cases", str(cases), "--json", env=env).wait() != 0:
        raise SystemExit("the SQLite batch failed")
    db = sqlite3.connect(home / "junction.db")
    rows = db.execute("SELECT started_at, finished_at FROM runs WHERE status='completed'")
    result = rate(rows.fetchall())
    db.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="junction-bench-") as tmp:
        folder = Path(tmp)
        server = pgserver.get_server(folder / "pg", cleanup_mode="stop")
        base_env = {**os.environ, "PYTHONPATH": str(REPO),
                    "JUNCTION_HOME": str(folder / "home")}
        base_env.pop("JUNCTION_FAULT", None)
        cases = write_cases(folder, args.cases)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{args.cases} cases, 5 steps each, scripted model, {os.cpu_count()} cores,"
              f" load average {load} (other work on the machine skews these figures)")
        print(f"{'store':<28}{'runs/s':>10}")
        print(f"{'sqlite, 1 process (batch)':<28}{sqlite_rate(folder, cases, base_env):>10.1f}")
        for n in args.workers:
            figure = team_rate(str(server.pgdata), cases, n, base_env)
            print(f"{f'postgresql, {n} worker(s)':<28}{figure:>10.1f}", flush=True)
        server.cleanup()
        print("load average afterwards: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
