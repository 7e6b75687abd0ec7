"""Value checks: is this value of the right type, and inside the node's limits?

Used for the AI's proposals, for fixed values of action nodes and for a person's edits
alike, so nobody — model, flow author or reviewer — can write an out-of-range value.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from runtime.flow.schema import FieldType, Limit, RecordField

MAX_TEXT = 10_000
# Numbers beyond this are refused even without a limit: no record field means 10^15.
MAX_MAGNITUDE = 1e15


def limit_problem(value: Any, spec: RecordField, limit: Limit | None) -> str | None:
    """Why `value` may not be written to `spec`, or None."""
    problem = _type_problem(value, spec)
    if problem or limit is None:
        return problem
    return _check_limit(spec.name, value, limit)


def _type_problem(value: Any, spec: RecordField) -> str | None:
    name = spec.name
    if value is None:
        return f"'{name}': no value given"
    if spec.type in (FieldType.number, FieldType.integer):
        return _number_problem(name, value, spec.type)
    if spec.type is FieldType.boolean:
        if not isinstance(value, bool):
            return f"'{name}' must be true or false, got {short(repr(value))}"
        return None
    if not isinstance(value, str):
        return f"'{name}' must be text, got {short(repr(value))}"
    if spec.type is FieldType.enum and value not in (spec.values or []):
        return f"'{short(value)}' is not one of the values of '{name}'"
    if len(value) > MAX_TEXT:
        return f"'{name}' is {len(value):,} characters long (over {MAX_TEXT:,})"
    return None


def _number_problem(name: str, value: Any, kind: FieldType) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"'{name}' must be a number, got {short(repr(value))}"
    try:
        as_float = float(value)
    except OverflowError:
        return f"'{name}' is far too large to be a real value"
    if not math.isfinite(as_float):
        return f"'{name}' must be a finite number, got {value}"
    if abs(as_float) > MAX_MAGNITUDE:
        return f"'{name}' = {as_float:g} is implausibly large (over {MAX_MAGNITUDE:g})"
    if kind is FieldType.integer and as_float != int(as_float):
        return f"'{name}' must be a whole number, got {value}"
    return None


def _check_limit(name: str, value: Any, limit: Limit) -> str | None:
    if limit.values is not None and not any(_same(value, v) for v in limit.values):
        return f"'{short(str(value))}' is not an allowed value for '{name}'"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if limit.min is not None and value < limit.min:
            return f"'{name}' = {value} is below the minimum {limit.min:g}"
        if limit.max is not None and value > limit.max:
            return f"'{name}' = {value} is above the maximum {limit.max:g}"
    if isinstance(value, str):
        if limit.max_length is not None and len(value) > limit.max_length:
            return f"'{name}' is longer than {limit.max_length} characters ({len(value)})"
        if limit.pattern is not None and re.fullmatch(limit.pattern, value) is None:
            return f"'{name}' does not match the required pattern"
    return None


def _same(value: Any, allowed: Any) -> bool:
    """Equality that does not let `True` pass for `1` or `1` for `True`."""
    return (type(value) is type(allowed) and value == allowed) or (
        isinstance(value, int | float) and isinstance(allowed, int | float)
        and not isinstance(value, bool) and not isinstance(allowed, bool) and value == allowed)


def embedded_data(value: Any) -> bool:
    """Whether a text value is itself a JSON object or list: structured data smuggled into
    a text field is never written without a person looking at it."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if not text or text[0] not in "{[":
        return False
    try:
        return isinstance(json.loads(text), dict | list)
    except (ValueError, RecursionError):
        return False


def coerce(value: Any, spec: RecordField) -> Any:
    if spec.type is FieldType.integer and isinstance(value, float):
        return int(value)
    return value


def short(text: str, width: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
