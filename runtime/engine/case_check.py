"""Whether a case fits a flow's case fields: checked before a run is created, so a bad case
never leaves a half-made run behind."""

from __future__ import annotations

from typing import Any

from runtime.engine.plan import Plan
from runtime.errors import InputError
from runtime.flow.schema import CaseField, FieldType, Flow


def check_case(plan: Plan, case: dict[str, Any]) -> str:
    """Check a case against the flow's case fields; returns its id."""
    if not isinstance(case, dict):
        raise InputError("a case must be a JSON object")
    case_id = case.get("id")
    if not isinstance(case_id, str | int) or isinstance(case_id, bool) or str(case_id) == "":
        raise InputError("the case has no 'id' (a non-empty string identifying it)")
    for spec in plan.flow.case_fields:
        problem = _case_field_problem(spec, case.get(spec.name))
        if problem:
            raise InputError(f"case {case_id}: field '{spec.name}' {problem}")
    return str(case_id)


def case_problems(flow: Flow, case: dict[str, Any]) -> dict[str, str]:
    """Every case field that does not fit, with why ({} when the case is fine): a form shows
    each at its field, all at once, rather than the first one `check_case` meets."""
    problems = {}
    for spec in flow.case_fields:
        problem = _case_field_problem(spec, case.get(spec.name))
        if problem:
            problems[spec.name] = problem
    return problems


_PY_TYPES: dict[FieldType, type | tuple[type, ...]] = {
    FieldType.string: str, FieldType.enum: str, FieldType.boolean: bool,
    FieldType.number: (int, float), FieldType.integer: int,
}


def _case_field_problem(spec: CaseField, value: Any) -> str | None:
    if value is None or value == "":
        return "is required" if spec.required else None
    expected = _PY_TYPES[spec.type]
    if not isinstance(value, expected) or (
            isinstance(value, bool) and spec.type is not FieldType.boolean):
        return f"must be {spec.type.value}, got {value!r}"
    if spec.type is FieldType.enum and value not in (spec.values or []):
        return f"must be one of {', '.join(spec.values or [])}, got {value!r}"
    return None
