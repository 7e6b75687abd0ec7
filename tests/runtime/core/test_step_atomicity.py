"""A record change in the workspace table commits with its step and audit rows, or not at all.

The connector writes the record inside the store's transaction for the step; the drill
kills the process with SIGKILL after the record is written and before that transaction
commits (the `effect` fault point of an in-database change), then checks that neither the
change nor its step nor an audit row of it survived, and that running the batch again
applies every change exactly once with an intact audit chain.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path

import pytest
from test_crash_safety import assert_finished_exactly_once, batch_args, drill, junction

from runtime.api import Workspace

__all__ = ["drill"]


def _state(home: Path) -> tuple[int, int, int]:
    db = sqlite3.connect(home / "junction.db")
    changes = db.execute("SELECT COUNT(*) FROM record_changes").fetchone()[0]
    audited = db.execute("SELECT COUNT(*) FROM audit_log WHERE kind='record.change'"
                         ).fetchone()[0]
    done_with_changes = db.execute(
        "SELECT COUNT(*) FROM steps WHERE status='done' AND changes NOT IN ('null', '{}')"
    ).fetchone()[0]
    db.close()
    return changes, audited, done_with_changes


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["effect:1", "effect:2", "effect:7"])
def test_kill_between_record_write_and_commit_leaves_neither(drill: Path, tmp_path: Path,
                                                            fault: str) -> None:
    home = tmp_path / "home"
    killed = junction(home, *batch_args(drill), fault=fault, check=False)
    assert killed.returncode == -signal.SIGKILL
    changes, audited, done_with_changes = _state(home)
    # Every change that survived has its audit row and its step marked done: the killed
    # transaction took its own record write with it.
    assert changes == audited == done_with_changes
    db = sqlite3.connect(home / "junction.db")
    for (data,) in db.execute("SELECT data FROM records"):
        assert json.loads(data) in ({"status": "open", "refund": 10},
                                    {"status": "approved", "refund": 10})
    db.close()
    workspace = Workspace.open(home)
    assert workspace.store.verify_audit().ok
    workspace.close()

    summary = json.loads(junction(home, *batch_args(drill)).stdout)
    assert summary["counts"] == {"completed": 40}
    assert_finished_exactly_once(home, 40)
