"""Reading cases: one as inline JSON or a .json file, many from a JSON-lines file.

Shared by the command line (`junction run --case`, `junction batch --cases`) and the
designer's run dialog, so both refuse the same bad input with the same messages: strict
JSON (no NaN, no duplicate keys, bounded numbers), size and depth caps, an 'id' on every
case, and (for a cases file, when given) the flow's own checks of each line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.errors import InputError
from runtime.jsonl import (
    LineCheck,
    StrictJSONError,
    check_file,
    loads_strict,
    read_objects,
    value_problem,
)


def read_case(text: str) -> dict[str, Any]:
    """A case given as inline JSON or as a path to a .json file, checked like a line of a
    cases file (strict JSON, size caps)."""
    stripped = text.strip()
    if stripped.startswith(("{", "[", '"')) or len(text) > 4096 or "\n" in text:
        source, body = "--case", stripped
    else:
        path = Path(text)
        check_file(path, "case file", " (give a path or inline JSON)")
        try:
            body = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{text}: not UTF-8 text") from None
        except OSError as exc:
            raise InputError(f"{text}: cannot read the case file "
                             f"({exc.strerror or exc})") from None
        source = str(path)
    try:
        case = loads_strict(body)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except StrictJSONError as exc:
        raise InputError(f"{source}: {exc}") from None
    problem = _case_problem(case) or value_problem(case)
    if problem:
        raise InputError(f"{source}: {problem}")
    return dict(case)


def read_cases(path: Path, check: LineCheck | None = None) -> list[dict[str, Any]]:
    """Cases from a JSON-lines file; every bad line is reported with its number, before
    anything runs. `check` adds the flow's own checks of a case."""
    rows = read_objects(path, "cases file",
                        lambda value: _case_problem(value) or (check(value) if check else None))
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
    if not isinstance(value, dict):
        return "a case must be a JSON object with an 'id'"
    case_id = value.get("id")
    if not isinstance(case_id, str | int) or isinstance(case_id, bool) or str(case_id) == "":
        return "the case has no 'id' (a non-empty string identifying it)"
    return None
