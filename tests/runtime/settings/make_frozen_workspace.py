"""Make `data/workspace-v1.sql`: a workspace written by schema version 1, kept frozen as
an SQL dump (text, no database file in the repository; `frozen_workspace.restore_v1`
turns it back into a database for the tests).

Run once per schema version, before raising `runtime.store.db.SCHEMA_VERSION`, and commit
the dump under a new name; never regenerate an old one (it stands for users' real files):

    PYTHONPATH=. python tests/runtime/settings/make_frozen_workspace.py data/workspace-vN.sql
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path

from runtime.api import HumanDecision, Workspace, load_flow

REPO = Path(__file__).resolve().parents[3]
FLOW = REPO / "templates" / "support-triage" / "flow.yaml"


def make(target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Workspace.open(scratch)
        engine = workspace.engine(decided_by="frozen-fixture")
        loaded = load_flow(FLOW)
        cases = [json.loads(line) for line in
                 (FLOW.parent / "cases.jsonl").read_text("utf-8").splitlines()[:4]]
        runs = [engine.start(loaded, case, model="scripted:scripted.yaml") for case in cases]
        tasks = workspace.store.tasks()
        approvable = [t for t in tasks if "approve" in t.allowed]
        if approvable:
            engine.decide(approvable[0].id, HumanDecision(action="approve"))
        workspace.close()
        source = sqlite3.connect(Path(scratch) / "junction.db")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(source.iterdump()) + "\n", encoding="utf-8")
        source.close()
        print(f"{target}: {len(runs)} runs, {len(tasks)} tasks")


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else
         Path(__file__).resolve().parent / "data" / "workspace-v1.sql")
