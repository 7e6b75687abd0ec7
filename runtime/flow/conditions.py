"""The condition language used on decision branches.

Conditions are data, not code: `{field, op, value}` comparisons combined with `all`, `any`
and `not`. A form can edit them, the validator can check them against the flow's fields at
load time, and evaluating them never runs user text (no eval, no templates).
"""

from __future__ import annotations

import math
import re
from enum import Enum
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag


class Op(str, Enum):
    eq = "eq"
    ne = "ne"
    lt = "lt"
    lte = "lte"
    gt = "gt"
    gte = "gte"
    in_ = "in"
    not_in = "not_in"
    contains = "contains"
    matches = "matches"
    exists = "exists"


ORDERING_OPS = {Op.lt, Op.lte, Op.gt, Op.gte}
LIST_OPS = {Op.in_, Op.not_in}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False)


class Compare(_Strict):
    """`field op value`: the only leaf of the language."""

    field: str
    op: Op
    value: Any = None


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class Not(_Strict):
    not_: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    """Pick the condition shape from its keys so errors talk about the right shape."""
    if isinstance(value, BaseModel):
        return {Compare: "compare", AllOf: "all", AnyOf: "any", Not: "not"}.get(type(value))
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "compare"
    return None


Condition = Annotated[
    Union[
        Annotated[Compare, Tag("compare")],
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Not, Tag("not")],
    ],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_shape",
        custom_error_message="a condition is {field, op, value} or one of all/any/not",
    ),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def iter_comparisons(condition: Condition) -> list[Compare]:
    """Every leaf comparison in a condition, in document order."""
    if isinstance(condition, Compare):
        return [condition]
    if isinstance(condition, AllOf):
        return [c for sub in condition.all for c in iter_comparisons(sub)]
    if isinstance(condition, AnyOf):
        return [c for sub in condition.any for c in iter_comparisons(sub)]
    return iter_comparisons(condition.not_)


_MISSING = object()


def evaluate(condition: Condition, values: dict[str, Any]) -> bool:
    """Evaluate against a flat mapping of field reference → value.

    A missing field makes every comparison false except `exists` (which is then false too,
    and true under `not`), so a branch never fires on data that is not there.
    """
    if isinstance(condition, AllOf):
        return all(evaluate(c, values) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, values) for c in condition.any)
    if isinstance(condition, Not):
        return not evaluate(condition.not_, values)
    actual = values.get(condition.field, _MISSING)
    if condition.op is Op.exists:
        present = actual is not _MISSING and actual is not None and actual != ""
        return present if condition.value in (None, True) else not present
    if actual is _MISSING or actual is None:
        return False
    return _compare(actual, condition.op, condition.value)


def _compare(actual: Any, op: Op, expected: Any) -> bool:
    try:
        if op is Op.eq:
            return bool(actual == expected)
        if op is Op.ne:
            return bool(actual != expected)
        if op in ORDERING_OPS:
            a, b = float(actual), float(expected)
            if math.isnan(a) or math.isnan(b):
                return False
            return {Op.lt: a < b, Op.lte: a <= b, Op.gt: a > b, Op.gte: a >= b}[op]
        if op is Op.in_:
            return actual in expected
        if op is Op.not_in:
            return actual not in expected
        if op is Op.contains:
            return str(expected).casefold() in str(actual).casefold()
        if op is Op.matches:
            return re.search(str(expected), str(actual)) is not None
    except (TypeError, ValueError, re.error):
        return False
    return False


def describe(condition: Condition) -> str:
    """A short human label for a condition, used on canvas edges and in step logs."""
    if isinstance(condition, Compare):
        symbol = {
            Op.eq: "=", Op.ne: "≠", Op.lt: "<", Op.lte: "≤", Op.gt: ">", Op.gte: "≥",
        }.get(condition.op)
        if condition.op is Op.exists:
            return f"{condition.field} is set"
        if symbol:
            return f"{condition.field} {symbol} {condition.value}"
        op_word = condition.op.value.replace("_", " ")
        return f"{condition.field} {op_word} {condition.value}"
    if isinstance(condition, AllOf):
        return " and ".join(_wrap(c) for c in condition.all)
    if isinstance(condition, AnyOf):
        return " or ".join(_wrap(c) for c in condition.any)
    return f"not {_wrap(condition.not_)}"


def _wrap(condition: Condition) -> str:
    text = describe(condition)
    return text if isinstance(condition, Compare) else f"({text})"
