"""From answer tokens to option probabilities, and from JSON replies to checked values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.models import labels, structured
from runtime.models.base import OutputInvalid

NAMES = ["refund", "billing", "technical", "account", "needs_human"]


@pytest.mark.parametrize(("token", "expected"), [
    (" refund", ["refund"]), ("Refund", ["refund"]), ("REFUND", ["refund"]),
    ("ref", ["refund"]), ("tech", ["technical"]), ("refunds", ["refund"]),
    ("A", ["refund"]), (" b", ["billing"]), ("E", ["needs_human"]),
    (" needs", ["needs_human"]), ("needs human", ["needs_human"]), ("**", []),
    ("The", []), ("Z", []), ('"', []),
])
def test_token_spellings_map_to_the_option_they_mean(token: str, expected: list[str]) -> None:
    assert labels.options_for_token(token, NAMES) == expected


def test_a_piece_shared_by_two_names_is_split_between_them() -> None:
    mass, total = labels.option_scores([("re", math.log(0.4)), ("return", math.log(0.2))],
                                       ["refund", "return", "other"])
    assert mass == pytest.approx({"refund": 0.2, "return": 0.4, "other": 0.0})
    assert total == pytest.approx(0.6)


@given(st.lists(st.tuples(st.sampled_from(["refund", " Billing", "tech", "B", "x", "acc",
                                           "needs", "the"]),
                          st.floats(min_value=-30, max_value=0)), min_size=1, max_size=20))
def test_probabilities_always_cover_every_option_and_sum_to_one(
        candidates: list[tuple[str, float]]) -> None:
    mass, _ = labels.option_scores(candidates, NAMES)
    probs = labels.probabilities(mass)
    assert set(probs) == set(NAMES)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in probs.values())


SCHEMA = {"type": "object", "required": ["values", "confidence"], "properties": {
    "values": {"type": "object", "properties": {
        "queue": {"type": "string", "enum": ["billing", "refunds"]},
        "refund_amount": {"type": "number"}, "vip": {"type": "boolean"}}},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1}}}


@pytest.mark.parametrize(("reply", "problem"), [
    ('{"values": {"queue": "sales"}, "confidence": 0.9}', "values.queue"),
    ('{"values": {"refund_amount": "40"}, "confidence": 0.9}', "values.refund_amount"),
    ('{"values": {"vip": "yes"}, "confidence": 0.9}', "values.vip"),
    ('{"values": {}, "confidence": 7}', "confidence"),
    ('{"values": {}}', "confidence: Field required"),
    ('["refunds"]', "must be a JSON object"),
    ('{"values": {"queue": "refu', "not valid JSON"),
])
def test_replies_that_break_the_schema_are_invalid_with_a_precise_reason(
        reply: str, problem: str) -> None:
    with pytest.raises(OutputInvalid, match=problem):
        structured.parse_reply(reply, SCHEMA)


def test_a_valid_reply_is_returned_exactly_as_the_model_wrote_it() -> None:
    data = structured.parse_reply(
        '{"values": {"queue": "refunds", "refund_amount": 40, "status": "closed"}, '
        '"confidence": 1}', SCHEMA)
    assert data == {"values": {"queue": "refunds", "refund_amount": 40, "status": "closed"},
                    "confidence": 1}
    assert structured.split_proposal(data) == (data["values"], 1.0)


def test_field_confidence_needs_tokens_that_spell_the_reply() -> None:
    text = '{"values": {"queue": "refunds"}, "confidence": 0.9}'
    tokens = [(text[:22], 0.0), ("refunds", math.log(0.7)), (text[29:], 0.0)]
    assert structured.field_confidence(text, tokens) == pytest.approx({"queue": 0.7})
    assert structured.field_confidence(text, tokens[:2]) == {}


@pytest.mark.parametrize("reply", ['{"values": {"refund_amount": 1e999}, "confidence": 1}',
                                   '{"values": {"refund_amount": NaN}, "confidence": 1}',
                                   '{"values": {}, "confidence": Infinity}'])
def test_numbers_that_are_not_finite_are_invalid_not_infinite(reply: str) -> None:
    with pytest.raises(OutputInvalid, match="number"):
        structured.parse_reply(reply, SCHEMA)
