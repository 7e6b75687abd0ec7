"""Reading JSON-lines files (cases, datasets) so that every bad line is reported at once,
each with the file and its line number."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime.errors import InputError

# A check returns why a parsed line is unusable, or None when it is fine.
LineCheck = Callable[[Any], str | None]


def read_objects(path: Path, what: str, check: LineCheck) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; raises one InputError naming every
    bad line. `what` names the file's role in messages ("cases file", "dataset file")."""
    if not path.exists():
        raise InputError(f"{path}: no such {what}")
    rows: list[tuple[int, dict[str, Any]]] = []
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not valid JSON ({exc.msg})")
            continue
        problem = check(value)
        if problem:
            problems.append(f"{path}:{number}: {problem}")
            continue
        rows.append((number, value))
    if problems:
        raise InputError("\n".join(problems))
    return rows
