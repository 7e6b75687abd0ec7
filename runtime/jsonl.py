"""Reading JSON input (case files, `--case`, datasets) so that every bad line is reported at
once, each with the file and its line number, and nothing odd slips through.

Python's `json` is permissive where a run must not be: it accepts NaN and Infinity, turns
`1e999` into infinity, parses integers with thousands of digits (or raises a ValueError
past 4,300), and recurses once per nesting level. `loads_strict` refuses all of these with
a plain reason, and `value_problem` enforces the documented size caps on what is stored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime.errors import InputError

# A check returns why a parsed line is unusable, or None when it is fine.
LineCheck = Callable[[Any], str | None]

MAX_NUMBER_CHARS = 40  # digits (and sign/exponent) of one number: far beyond any real amount
MAX_DEPTH = 32  # nesting levels of objects and lists inside one case
MAX_TEXT_CHARS = 100_000  # one text value in a case (README: "Case files")
MAX_LINE_BYTES = 1_000_000  # one case, as JSON


class StrictJSONError(ValueError):
    """A JSON text that is valid for Python's parser but not acceptable input."""


def _refuse_constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not a number a case may hold")


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise StrictJSONError(f"a number with {len(text):,} digits "
                              f"(over {MAX_NUMBER_CHARS})")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise StrictJSONError(f"a number written with {len(text):,} characters "
                              f"(over {MAX_NUMBER_CHARS})")
    value = float(text)
    if not math.isfinite(value):
        raise StrictJSONError(f"the number {text} is too large to store")
    return value


def _too_deep(text: str) -> bool:
    """Nesting depth counted on the text (outside strings) before parsing, so a deeply
    nested line never reaches the recursive parser."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads_strict(text: str) -> Any:
    """json.loads that refuses NaN/Infinity, huge numbers and deep nesting.

    Raises StrictJSONError (a ValueError) with a plain reason; a syntax error is a
    json.JSONDecodeError as usual."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        raise StrictJSONError(f"longer than {MAX_LINE_BYTES:,} bytes")
    if _too_deep(text):
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int,
                          parse_float=_parse_float)
    except RecursionError:
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep") from None


def value_problem(value: Any, where: str = "") -> str | None:
    """Why a parsed case value may not be stored (a text over the size cap), or None."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            return (f"{where or 'a text value'} is {len(value):,} characters long "
                    f"(the limit is {MAX_TEXT_CHARS:,})")
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = value_problem(item, f"'{key}'")
            if problem:
                return problem
    if isinstance(value, list):
        for item in value:
            problem = value_problem(item, where)
            if problem:
                return problem
    return None


def parse_line(line: str) -> tuple[Any, str | None]:
    """(value, None) for a good JSON line, or (None, why it is unusable)."""
    try:
        return loads_strict(line), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg})"
    except StrictJSONError as exc:
        return None, str(exc)


def check_file(path: Path, what: str, hint: str = "") -> None:
    """A missing path or a folder where a file (`what`) was expected is one clear
    InputError; `hint` follows "no such …" (e.g. what else may be given)."""
    try:
        found = path.exists()
    except (OSError, ValueError):  # a name the file system refuses (too long, NUL)
        found = False
    if not found:
        raise InputError(f"{str(path)[:200]}: no such {what}{hint}")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a {what}")


def read_lines(path: Path, what: str) -> list[tuple[int, str | None]]:
    """(line number, text) of every line; text is None for a line that is not UTF-8.

    A missing file, a folder or an unreadable file is one clear InputError."""
    check_file(path, what)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    lines: list[tuple[int, str | None]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append((number, raw.decode("utf-8").rstrip("\r")))
        except UnicodeDecodeError:
            lines.append((number, None))
    return lines


def read_objects(path: Path, what: str, check: LineCheck) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; raises one InputError naming every
    bad line. `what` names the file's role in messages ("cases file", "dataset file")."""
    rows: list[tuple[int, dict[str, Any]]] = []
    problems = []
    for number, line in read_lines(path, what):
        if line is None:
            problems.append(f"{path}:{number}: not UTF-8 text")
            continue
        if not line.strip():
            continue
        value, problem = parse_line(line)
        if problem is None:
            problem = check(value) or value_problem(value)
        if problem:
            problems.append(f"{path}:{number}: {problem}")
            continue
        rows.append((number, value))
    if problems:
        raise InputError("\n".join(problems))
    return rows
