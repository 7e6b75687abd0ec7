"""Where a run's CPU goes: a cProfile of some work, its own time summed by area.

Shared by the engine benchmarks (`--profile`). The profiler slows Python calls more than
C calls, so read the shares, not the absolute figures; the SQL statement and call counts
are exact.
"""

from __future__ import annotations

import cProfile
import os
import pstats
from collections.abc import Callable
from typing import Any

# (area, test on (file, function name)) — first match wins.
AREAS: list[tuple[str, Callable[[str, str], bool]]] = [
    ("SQLite statements (C)", lambda f, n: f == "~" and "sqlite3" in n),
    ("JSON encode/decode", lambda f, n: "orjson" in n or "/json/" in f
     or "json_text.py" in f or n == "<method 'decode' of 'bytes' objects>"),
    ("audit rows and hashing", lambda f, n: "runtime/store/audit.py" in f
     or "sqlite_audit.py" in f or "_hashlib" in n or "hexdigest" in n),
    ("store (Python)", lambda f, n: "runtime/store/" in f or "runtime/sqlite_db.py" in f),
    ("record table (connector)", lambda f, n: "runtime/connectors/" in f),
    ("engine walk and journal", lambda f, n: "runtime/engine/" in f),
    ("model call and prompt (scripted)", lambda f, n: "runtime/models/" in f),
    ("guardrails and conditions", lambda f, n: "runtime/guardrails/" in f
     or "runtime/flow/" in f),
    ("pydantic", lambda f, n: "pydantic" in f or "pydantic" in n),
    ("timestamps", lambda f, n: "isoformat" in n or "datetime" in n
     or n == "<built-in method now>"),
]


def profile(work: Callable[[], Any], runs: int) -> None:
    """Run `work` under cProfile and print its own time per area, per run."""
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    sql = calls = 0
    for (path, _line, name), (_cc, ncalls, own, _cum, _callers) in stats.items():
        calls += ncalls
        if path == "~" and name in ("<method 'execute' of 'sqlite3.Connection' objects>",
                                     "<method 'executemany' of 'sqlite3.Connection' objects>"):
            sql += ncalls
        area = next((label for label, test in AREAS if test(path, name)), "other Python")
        totals[area] = totals.get(area, 0.0) + own
    whole = sum(totals.values()) or 1.0
    print(f"  where the CPU goes (cProfile, own time; {sql / runs:.1f} SQL statements and "
          f"{calls / runs:,.0f} Python calls per run):")
    for area, own in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"    {area:34} {own / whole:6.1%}")
    if os.environ.get("BENCH_OTHER"):  # what "other Python" holds, for whoever digs further
        other = [(own, path, name) for (path, _l, name), (_c, _n, own, _cu, _ca) in stats.items()
                 if next((a for a, test in AREAS if test(path, name)), None) is None]
        for own, path, name in sorted(other, reverse=True)[:15]:
            print(f"      {own / whole:6.1%} {path}:{name}")
