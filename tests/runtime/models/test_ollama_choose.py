"""Classify on Ollama: option probabilities are read from the answer's log-probabilities."""

from __future__ import annotations

import math

import pytest
from model_support import OPTIONS, FakeOllama, chat_body, choose_request, token

from runtime.models.base import OutputInvalid


def test_probabilities_come_from_first_token_logprobs_renormalised_over_options(
        fake_ollama: FakeOllama) -> None:
    top = [("refund", math.log(0.60)), (" refund", math.log(0.10)), ("Refund", math.log(0.05)),
           ("billing", math.log(0.15)), ("The", math.log(0.05)), ("tech", math.log(0.05))]
    fake_ollama.answer(chat_body("refund", logprobs=[token("refund", math.log(0.6), top)]))

    result = fake_ollama.provider().choose(choose_request())

    # refund = 0.60 + 0.10 + 0.05 (spellings), billing 0.15, technical 0.05; "The" is no option
    assert result.label == "refund"
    assert result.probabilities == pytest.approx(
        {"refund": 0.75 / 0.95, "billing": 0.15 / 0.95, "technical": 0.05 / 0.95})
    assert sum(result.probabilities.values()) == pytest.approx(1.0)
    assert result.call.confidence_kind == "measured"
    assert result.call.details["option_mass"] == pytest.approx(0.95)
    sent = fake_ollama.chats[0]
    assert sent["logprobs"] is True and sent["top_logprobs"] == 20
    assert sent["options"]["temperature"] == 0 and sent["stream"] is False


def test_letters_and_leading_quotes_map_to_options(fake_ollama: FakeOllama) -> None:
    """Options are listed as "A) refund": a model may answer with the letter, and may open
    its answer with a quote; the first real answer token is the one that counts."""
    answer = [token('"', -0.01, [('"', -0.01), ("**", -4.0)]),
              token("C", math.log(0.7), [("C", math.log(0.7)), ("A", math.log(0.2)),
                                         ("technical", math.log(0.1))]),
              token('"', -0.01)]
    fake_ollama.answer(chat_body('"C"', logprobs=answer))

    result = fake_ollama.provider().choose(choose_request())

    assert result.label == "technical"
    assert result.probabilities["technical"] == pytest.approx(0.8)
    assert result.probabilities["refund"] == pytest.approx(0.2)
    assert result.call.details["answer_token"] == "C"


def test_an_answer_that_is_no_option_is_invalid_not_guessed(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(chat_body("Hello", logprobs=[
        token("Hello", -0.1, [("Hello", -0.1), ("Hi", -2.5), ("Sure", -3.0)])]))

    with pytest.raises(OutputInvalid, match="not one of the options") as caught:
        fake_ollama.provider().choose(choose_request())
    assert caught.value.call is not None and caught.value.call.raw == "Hello"


def test_without_logprobs_the_answer_is_json_and_marked_self_reported(
        fake_ollama: FakeOllama) -> None:
    """An older server ignores `logprobs`: ask again with a JSON schema, say it is
    self-reported, and skip the wasted first request from then on."""
    fake_ollama.answer(chat_body("billing"),
                       chat_body('{"label": "billing", "confidence": 0.9}'),
                       chat_body('{"label": "refund", "confidence": 0.6}'))
    provider = fake_ollama.provider()

    first = provider.choose(choose_request())
    second = provider.choose(choose_request())

    assert first.label == "billing" and first.call.confidence_kind == "self_reported"
    assert first.probabilities == pytest.approx({"billing": 0.9, "refund": 0.05,
                                                 "technical": 0.05})
    assert first.call.attempts == 2
    schema = fake_ollama.chats[1]["format"]
    assert schema["properties"]["label"]["enum"] == [o.name for o in OPTIONS]
    assert second.label == "refund" and second.call.attempts == 1
    assert len(fake_ollama.chats) == 3 and "format" in fake_ollama.chats[2]


def test_call_record_names_model_prompt_tokens_and_latency(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(chat_body("refund", prompt_tokens=321, logprobs=[
        token("refund", -0.05, [("refund", -0.05), ("billing", -3.0)])]))

    call = fake_ollama.provider().choose(choose_request("Money back please")).call

    assert call.provider == "ollama" and call.model == "llama3.2:3b"
    assert call.prompt[-1].content == "Money back please"
    assert call.raw == "refund" and call.tokens_in == 321 and call.tokens_out == 1
    assert call.latency_ms > 0 and call.attempts == 1
    assert fake_ollama.chats[0]["messages"][-1] == {"role": "user",
                                                    "content": "Money back please"}
