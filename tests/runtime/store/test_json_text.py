"""The stores' JSON text (runtime/json_text.py): fast, and still what the audit chain and
every reader expect."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.json_text import column_text, hash_payload, value_text
from runtime.store.audit import GENESIS, row_hash

# What the audit hash covered before orjson: the standard library's compact array.
_OLD_HASH = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(st.lists(st.none() | st.integers() | st.text(), max_size=14))
def test_the_hash_covers_the_same_bytes_as_before(texts: list[Any]) -> None:
    # lone surrogates, control characters and big integers included: chains written by
    # earlier versions must still verify
    assert hash_payload(texts) == _OLD_HASH.encode(texts).encode("utf-8")


@given(json_values)
def test_a_column_reads_back_as_the_value_written(value: Any) -> None:
    assert json.loads(column_text(value)) == value
    assert json.loads(value_text(value)) == value


@given(st.dictionaries(st.text(), st.integers(), max_size=6))
def test_equal_values_give_equal_text_whatever_the_key_order(value: dict[str, int]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert column_text(value) == column_text(reordered)


def test_values_orjson_refuses_are_still_stored() -> None:
    assert json.loads(column_text({"big": 2**80})) == {"big": 2**80}
    assert json.loads(column_text(["\ud800"])) == ["\ud800"]
    assert value_text({"when": object}) == json.dumps({"when": str(object)},
                                                      separators=(",", ":"))


def test_a_number_that_is_not_json_is_stored_as_null_not_as_an_invalid_token() -> None:
    # Inputs refuse NaN and Infinity already (tests/runtime/inputs); should one slip
    # through, the column stays valid JSON for every reader (PostgreSQL's jsonb included).
    assert json.loads(column_text({"x": float("nan"), "y": float("-inf")}),
                      parse_constant=lambda name: pytest.fail(name)) == {"x": None, "y": None}


def test_a_row_hashed_by_the_old_encoder_still_verifies() -> None:
    row = {"seq": 1, "at": "2026-01-01T00:00:00.000000+00:00", "actor": "engine@x:1",
           "kind": "step", "run_id": "r-1", "node_id": "n", "subject": "n#1",
           "before": None, "after": '{"status": "done", "note": "é\\n"}', "flow_sha": "f",
           "model": None, "data": None, "prev_hash": GENESIS}
    import hashlib

    from runtime.store.audit import HASHED
    old = hashlib.sha256(_OLD_HASH.encode([row[k] for k in HASHED]).encode()).hexdigest()
    assert row_hash(row) == old
