"""The workspace schema version 1 wrote, kept frozen as an SQL dump (`data/workspace-v1.sql`,
text: reviewable and diff-able, no database file in the repository); tests restore it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

DUMP_V1 = Path(__file__).resolve().parent / "data" / "workspace-v1.sql"


def restore_v1(target: Path) -> Path:
    """Write the frozen version-1 workspace database to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target)
    try:
        conn.executescript(DUMP_V1.read_text(encoding="utf-8"))
    finally:
        conn.close()
    return target
