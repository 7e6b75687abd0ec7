"""Where the traceback of an unexpected CLI error goes: a log file in the workspace folder.

The command line promises one line and exit code 70 for a bug, so the details a bug report
needs are written here instead of being thrown at the user. Entries are appended (newest
last) so an earlier crash is not lost; the file is plain text meant to be attached as is.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from runtime import __version__
from runtime.workspace import home_dir

LOG_NAME = "junction-errors.log"


def crash_log_path(home: str | None) -> Path:
    return home_dir(home) / LOG_NAME


def write_crash_log(home: str | None, argv: Sequence[str], exc: BaseException) -> Path | None:
    """Append the traceback of `exc`; returns the file, or None when it cannot be written
    (a read-only or missing workspace folder must not turn one error into two)."""
    path = crash_log_path(home)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(exc))
    entry = f"--- {stamp} junction {__version__}: {' '.join(argv)}\n{text}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(entry)
    except OSError:
        return None
    return path
