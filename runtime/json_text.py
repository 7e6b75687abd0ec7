"""JSON text for what the stores write: journal columns, audit values and the audit hash.

Encoded with orjson (a compiled, well-kept encoder with wheels for every platform we ship
on): it is about ten times faster than the standard library per value, and the journal
encodes some ninety values per run (issue 13 measured JSON at a third of a run's CPU).
What orjson refuses — integers beyond 64 bits, strings with lone surrogates, types it does
not know — falls back to the standard library, so nothing that was storable before is
refused now. One difference: NaN and Infinity (not JSON; inputs refuse them) are written as
null rather than as tokens most JSON readers reject.

The texts are canonical: keys sorted, no spaces. The audit hash is taken over the texts as
stored, so older rows written with the standard library's spacing still verify; the hash
payload itself (`hash_payload`) is byte for byte what the standard library produced, which
a test checks over arbitrary text.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
# Dates and dataclasses go through `default=str` as they always did in the audit trail.
_AS_BEFORE = _SORTED | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

_COLUMN_FALLBACK = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=True,
                                    separators=(",", ":"))
_VALUE_FALLBACK = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=True,
                                   separators=(",", ":"), default=str)
_HASH_FALLBACK = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def column_text(value: Any) -> str:
    """A JSON column's text: sorted keys, so equal values are equal text."""
    try:
        return orjson.dumps(value, option=_SORTED).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _COLUMN_FALLBACK.encode(value)


def value_text(value: Any) -> str:
    """An audit value's text: like `column_text`, and anything else as its `str()`."""
    try:
        return orjson.dumps(value, default=str, option=_AS_BEFORE).decode()
    except TypeError:
        return _VALUE_FALLBACK.encode(value)


def hash_payload(texts: list[Any]) -> bytes:
    """The bytes an audit row's hash covers: a compact JSON array of its stored columns."""
    try:
        return orjson.dumps(texts)
    except TypeError:
        return _HASH_FALLBACK.encode(texts).encode("utf-8")
