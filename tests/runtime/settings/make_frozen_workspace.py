"""Make `data/workspace-v1.db`: a workspace written by schema version 1 (kept frozen).

Run once per schema version, before raising `runtime.store.db.SCHEMA_VERSION`, and commit
the file under a new name; never regenerate an old one (it stands for users' real files):

    PYTHONPATH=. python tests/runtime/settings/make_frozen_workspace.py data/workspace-vN.db
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
        target.unlink(missing_ok=True)
        copy = sqlite3.connect(target)
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        copy.execute("VACUUM")
        copy.close()
        source.close()
        print(f"{target}: {len(runs)} runs, {len(tasks)} tasks")


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else
         Path(__file__).resolve().parent / "data" / "workspace-v1.db")
