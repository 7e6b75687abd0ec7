"""What a person is told when Ollama is down, slow, failing or missing the model, and the
auth token that comes from the OS keyring (never a file)."""

from __future__ import annotations

import time

import pytest
from model_support import FakeOllama, MemoryKeyring, Reply, chat_body, choose_request, token

from runtime.models import credentials
from runtime.models.base import ModelUnavailable
from runtime.models.ollama_provider import OllamaProvider, OllamaSettings

GOOD = chat_body("refund", logprobs=[token("refund", -0.1, [("refund", -0.1)])])


def test_a_server_that_is_not_running_makes_the_model_unavailable_at_once(
        closed_port: str) -> None:
    provider = OllamaProvider("ollama:llama3.2:3b", "llama3.2:3b",
                              OllamaSettings(host=closed_port, retries=3, backoff=1.0))
    started = time.perf_counter()

    with pytest.raises(ModelUnavailable, match=r"not running at http://127\.0\.0\.1") as caught:
        provider.choose(choose_request())

    assert "ollama serve" in str(caught.value)
    assert time.perf_counter() - started < 1.0  # no retries, no backoff on a closed port


def test_a_model_that_is_not_pulled_says_which_pull_fixes_it(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(Reply(404, {"error": 'model "llama3.2:3b" not found, try pulling it '
                                            "first"}))

    with pytest.raises(ModelUnavailable, match=r"run `ollama pull llama3\.2:3b`"):
        fake_ollama.provider().choose(choose_request())
    assert len(fake_ollama.chats) == 1


def test_http_500_is_retried_with_backoff_and_then_succeeds(fake_ollama: FakeOllama) -> None:
    crash = Reply(500, {"error": "llama runner process has terminated: signal: killed"})
    fake_ollama.answer(crash, crash, GOOD)

    result = fake_ollama.provider(retries=2).choose(choose_request())

    assert result.label == "refund" and result.call.attempts == 3


def test_http_500_every_time_gives_up_after_the_retries(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(Reply(500, {"error": "llama runner process has terminated"}))

    with pytest.raises(ModelUnavailable, match=r"HTTP 500: llama runner .*after 3 tries"):
        fake_ollama.provider(retries=2).choose(choose_request())
    assert len(fake_ollama.chats) == 3


def test_a_slow_server_times_out_retries_and_gives_up(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(Reply(body=GOOD, delay=0.6))

    with pytest.raises(ModelUnavailable, match=r"did not answer within 0.2 s .*after 2 tries"):
        fake_ollama.provider(timeout=0.2, retries=1).choose(choose_request())


def test_a_slow_answer_within_the_timeout_is_simply_waited_for(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(Reply(body=GOOD, delay=0.3))

    result = fake_ollama.provider(timeout=2.0).choose(choose_request())

    assert result.label == "refund" and result.call.latency_ms >= 300


def test_a_rejected_token_is_not_retried(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer(Reply(401, {"error": "unauthorized"}))

    with pytest.raises(ModelUnavailable, match=r"refused access .*junction models token"):
        fake_ollama.provider().choose(choose_request())
    assert len(fake_ollama.chats) == 1


def test_the_token_for_the_host_comes_from_the_keyring(fake_ollama: FakeOllama,
                                                       memory_keyring: MemoryKeyring) -> None:
    credentials.store(fake_ollama.host, "s3cret")
    fake_ollama.answer(GOOD)

    fake_ollama.provider().choose(choose_request())

    assert fake_ollama.headers[0]["authorization"] == "Bearer s3cret"
    assert memory_keyring.secrets == {("junction", f"ollama:{fake_ollama.host}"): "s3cret"}


def test_without_a_keyring_no_token_is_sent_and_none_can_be_stored(
        fake_ollama: FakeOllama, no_keyring: None) -> None:
    fake_ollama.answer(GOOD)

    fake_ollama.provider().choose(choose_request())

    assert "authorization" not in fake_ollama.headers[0]
    found = credentials.lookup(fake_ollama.host)
    assert found.token is None and found.source == "no keyring backend"
    with pytest.raises(credentials.KeyringUnavailable, match="plain-text"):
        credentials.store(fake_ollama.host, "s3cret")


def test_thinking_is_switched_off_unless_the_model_refuses_the_flag(
        fake_ollama: FakeOllama) -> None:
    """A thinking model would spend the answer's few tokens thinking, so `think: false`
    goes with every request; a model without thinking may reject the flag (HTTP 400),
    and is then asked without it, this time and from then on."""
    refusal = Reply(400, {"error": '"llama3.2:3b" does not support thinking'})
    fake_ollama.answer(refusal, GOOD)
    provider = fake_ollama.provider(retries=0)

    first = provider.choose(choose_request())
    provider.choose(choose_request())

    assert first.label == "refund"
    assert [c.get("think") for c in fake_ollama.chats] == [False, None, None]
