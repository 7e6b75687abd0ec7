"""Arguments and helpers shared by several commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from runtime.api import Workspace
from runtime.errors import InputError
from runtime.jsonl import read_objects


def add_home(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--home", metavar="DIR",
                     help="workspace folder (default: $JUNCTION_HOME or the user data dir)")
    cmd.add_argument("--store", metavar="URL", help="keep runs in this store: postgresql://… "
                     "for a team, or a SQLite file (default: $JUNCTION_STORE, else the "
                     "workspace's own file)")


def add_json(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", action="store_true", help="print machine-readable JSON")


def open_workspace(args: argparse.Namespace) -> Workspace:
    home, store = getattr(args, "home", None), getattr(args, "store", None)
    # Without --store, Workspace.open itself falls back to JUNCTION_STORE, then SQLite.
    return Workspace.open(home, store=store) if store else Workspace.open(home)


def read_case(text: str) -> dict[str, Any]:
    """A case given as inline JSON or as a path to a .json file."""
    stripped = text.strip()
    if stripped.startswith("{"):
        source, body = "--case", stripped
    else:
        path = Path(text)
        if not path.exists():
            raise InputError(f"{text}: no such case file (give a path or inline JSON)")
        source, body = str(path), path.read_text(encoding="utf-8")
    try:
        case = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(case, dict):
        raise InputError(f"{source}: a case must be a JSON object")
    return case


def read_cases(path: Path) -> list[dict[str, Any]]:
    """Cases from a JSON-lines file; every bad line is reported with its number."""
    rows = read_objects(path, "cases file", _case_problem)
    seen: dict[str, int] = {}
    repeated = []
    for number, case in rows:
        case_id = str(case["id"])
        if case_id in seen:
            repeated.append(f"{path}:{number}: case id '{case_id}' appears twice "
                            f"(first on line {seen[case_id]})")
        seen.setdefault(case_id, number)
    if repeated:
        raise InputError("\n".join(repeated))
    if not rows:
        raise InputError(f"{path}: no cases in the file")
    return [case for _, case in rows]


def _case_problem(value: Any) -> str | None:
    if not isinstance(value, dict) or "id" not in value:
        return "each line must be an object with an 'id'"
    return None
