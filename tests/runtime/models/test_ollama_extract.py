"""Enforce on Ollama: schema-constrained JSON, validated again, retried with the error."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from model_support import FakeOllama, chat_body, token

from runtime.models.base import ExtractRequest, Message, OutputInvalid

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "values": {"type": "object", "additionalProperties": False, "properties": {
            "priority": {"type": "string", "enum": ["low", "normal", "high"]},
            "refund_amount": {"type": "number"}}},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["values", "confidence"],
}


def request(retries: int = 2) -> ExtractRequest:
    return ExtractRequest(node_id="update", case_id="c-1", fields=["priority", "refund_amount"],
                          json_schema=SCHEMA, retries=retries,
                          messages=[Message(role="system", content="Propose updates."),
                                    Message(role="user", content="Refund 40 euros, urgent")])


def reply(values: dict[str, Any], confidence: float = 0.8) -> dict[str, Any]:
    return chat_body(json.dumps({"values": values, "confidence": confidence}))


def test_reply_is_constrained_by_the_schema_and_returned_as_proposed(
        fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(reply({"priority": "high", "refund_amount": 40}, 0.85))

    result = fake_ollama.provider().extract(request())

    assert result.values == {"priority": "high", "refund_amount": 40}
    assert result.confidence == 0.85 and result.call.confidence_kind == "self_reported"
    assert fake_ollama.chats[0]["format"] == SCHEMA
    assert fake_ollama.chats[0]["options"]["temperature"] == 0


def test_fields_outside_the_schema_reach_the_guardrails_instead_of_being_dropped(
        fake_ollama: FakeOllama) -> None:
    """Deciding what a model may write is the guardrails' job: an overreach must be seen
    (and logged as a hit there), not silently filtered or retried away here."""
    fake_ollama.answer(reply({"priority": "low", "reply": "We refunded you already"}))

    result = fake_ollama.provider().extract(request())

    assert result.values == {"priority": "low", "reply": "We refunded you already"}
    assert len(fake_ollama.chats) == 1


def test_an_invalid_reply_is_retried_with_the_error_fed_back(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(chat_body('{"values": {"priority": "sky-high"}, "confidence": 0.9}'),
                       reply({"priority": "high"}, 0.7))

    result = fake_ollama.provider().extract(request())

    assert result.values == {"priority": "high"} and result.call.attempts == 2
    retry = fake_ollama.chats[1]["messages"]
    assert retry[-2] == {"role": "assistant",
                         "content": '{"values": {"priority": "sky-high"}, "confidence": 0.9}'}
    assert "values.priority" in retry[-1]["content"] and retry[-1]["role"] == "user"
    assert result.call.prompt[-1].content == retry[-1]["content"]


def test_a_reply_cut_off_by_the_token_limit_is_invalid(fake_ollama: FakeOllama) -> None:
    """`done_reason: length` means the JSON may be complete-looking but cut short: never
    apply it; retry, and give up into a human task."""
    cut = chat_body('{"values": {"priority": "high"}, "confidence": 0.9}', done_reason="length")
    fake_ollama.answer(cut)

    with pytest.raises(OutputInvalid, match="cut off") as caught:
        fake_ollama.provider().extract(request(retries=1))

    assert len(fake_ollama.chats) == 2
    assert caught.value.call is not None and caught.value.call.attempts == 2


def test_out_of_retries_raises_with_the_last_error_and_what_the_model_said(
        fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(chat_body("Sure! Here is the JSON you asked for"))

    with pytest.raises(OutputInvalid, match=r"not valid JSON .*after 3 attempts") as caught:
        fake_ollama.provider().extract(request(retries=2))

    call = caught.value.call
    assert call is not None and call.raw == "Sure! Here is the JSON you asked for"
    assert call.details["error"].startswith("the reply is not valid JSON")
    assert len(fake_ollama.chats) == 3


def test_with_logprobs_each_field_gets_a_measured_confidence(fake_ollama: FakeOllama) -> None:
    pieces = [('{"', 0.0), ("values", 0.0), ('":', 0.0), (' {"', 0.0), ("priority", -0.01),
              ('":', 0.0), (' "', 0.0), ("high", math.log(0.9)), ('",', 0.0), (' "', -0.01),
              ("refund", 0.0), ("_amount", 0.0), ('":', 0.0), (" ", 0.0), ("4", math.log(0.5)),
              ("0", math.log(0.8)), ("},", 0.0), (' "', 0.0), ("confidence", 0.0), ('":', 0.0),
              (" ", 0.0), ("0", 0.0), (".", 0.0), ("99", -0.1), ("}", 0.0)]
    text = "".join(p for p, _ in pieces)
    fake_ollama.answer(chat_body(text, logprobs=[token(p, lp) for p, lp in pieces]))

    result = fake_ollama.provider().extract(request())

    assert result.values == {"priority": "high", "refund_amount": 40}
    assert result.call.confidence_kind == "measured"
    assert result.field_confidence == pytest.approx({"priority": 0.9, "refund_amount": 0.4})
    assert result.confidence == pytest.approx(0.4)  # the weakest field
    assert result.call.details["self_reported_confidence"] == 0.99
    assert fake_ollama.chats[0]["logprobs"] is True
