"""Models served by Ollama (`ollama:NAME`), through the official `ollama` client.

choose: the model is asked for the option name only, with `logprobs` and `top_logprobs`;
the probability of every option is read from the alternatives at the first answer
position (see `labels`) and renormalised over the options — confidence *measured*. A
server that returns no log-probabilities (older than 0.12.11) gets a second request with
a JSON schema (`format`) asking for the label and a confidence, and the result is marked
*self-reported*; the provider remembers that and goes straight to JSON afterwards.

extract: `format` carries the JSON schema; the reply is validated again with pydantic and
retried with the error fed back (`structured.extract_with_retries`). When the server also
returns log-probabilities, each proposed field gets a measured confidence from the tokens
that spell its value.

Every request asks for `think: false` (a thinking model would otherwise spend the few answer
tokens thinking); a model that rejects the flag is asked without it from then on.

Errors: a server that is not running, or a model that is not pulled, raises
`ModelUnavailable` at once (the run blocks and `junction resume` continues it once fixed).
Timeouts, HTTP 5xx and dropped connections are retried with exponential backoff, a
bounded number of times, then become `ModelUnavailable` too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import ollama

from runtime.errors import InputError
from runtime.models import answers, credentials, labels, structured
from runtime.models.base import (
    CallInfo,
    ChooseRequest,
    ChooseResult,
    ConfidenceKind,
    DraftRequest,
    DraftResult,
    ExtractRequest,
    ExtractResult,
    Message,
    ModelProvider,
    ModelUnavailable,
    OutputInvalid,
    normalise,
)

DEFAULT_HOST = "http://127.0.0.1:11434"
TOP_LOGPROBS = 20  # the most Ollama returns per position
CHOOSE_TOKENS = 8  # room for an opening quote or `**` before the answer word


@dataclass(frozen=True)
class OllamaSettings:
    """Where the server is and how patient to be with it.

    From the environment: `OLLAMA_HOST` (as for the `ollama` command),
    `JUNCTION_OLLAMA_TIMEOUT` (seconds per request; a cold model load can take a while),
    `JUNCTION_OLLAMA_RETRIES` (extra tries after a timeout or HTTP 5xx).
    """

    host: str = DEFAULT_HOST
    timeout: float = 120.0
    retries: int = 2
    backoff: float = 0.5

    @classmethod
    def from_env(cls) -> OllamaSettings:
        from runtime import settings  # OLLAMA_HOST wins over the settings file

        return cls(host=normalise_host(settings.value("ollama.host") or DEFAULT_HOST),
                   timeout=_env_float("JUNCTION_OLLAMA_TIMEOUT", cls.timeout),
                   retries=int(_env_float("JUNCTION_OLLAMA_RETRIES", cls.retries)))


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def normalise_host(host: str) -> str:
    """`localhost`, `:11434`, `http://h` → full URLs, exactly as the `ollama` client reads
    them (so the keyring entry and the messages name the server actually used)."""
    from ollama._client import _parse_host

    return str(_parse_host(host))


def make_client(settings: OllamaSettings) -> ollama.Client:
    """An `ollama.Client` for the host, with the keyring token if one is stored."""
    found = credentials.lookup(settings.host)
    headers = {"Authorization": f"Bearer {found.token}"} if found.token else None
    timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0))
    return ollama.Client(host=settings.host, timeout=timeout, headers=headers)


@dataclass
class _Answer:
    response: Any
    requests: int
    latency_ms: float


class OllamaProvider:
    provider = "ollama"

    def __init__(self, ref: str, model: str, settings: OllamaSettings | None = None,
                 client: ollama.Client | None = None) -> None:
        self.ref = ref
        self.model = model
        self.settings = settings or OllamaSettings.from_env()
        self._client = client or make_client(self.settings)
        self._has_logprobs: bool | None = None  # learnt from the first answer
        # Thinking models (qwen3, deepseek-r1) would spend the answer's few tokens thinking;
        # a model without that capability may refuse the flag, which is then dropped.
        self._think_off = True

    # -- choose ----------------------------------------------------------------

    def choose(self, request: ChooseRequest) -> ChooseResult:
        names = [o.name for o in request.options]
        if self._has_logprobs is False:
            return self._choose_self_reported(request, names, requests=0)
        answer = self._chat(request.messages, logprobs=True, top_logprobs=TOP_LOGPROBS,
                            options={"temperature": 0, "num_predict": CHOOSE_TOKENS})
        positions = answer.response.logprobs or []
        if not positions:
            self._has_logprobs = False
            return self._choose_self_reported(request, names, requests=answer.requests)
        self._has_logprobs = True
        call = self._call(request.messages, answer, "measured")
        position = next((p for p in positions if labels.is_answer_token(p.token)), None)
        candidates = _candidates(position) if position is not None else []
        mass, total = labels.option_scores(candidates, names)
        call.details.update(answer_token=getattr(position, "token", None),
                            top_logprobs=[[t, round(lp, 4)] for t, lp in candidates[:10]],
                            option_mass=round(total, 6))
        if total <= 0:
            content = answer.response.message.content or ""
            raise OutputInvalid(f"the model answered {content.strip()[:60]!r}, which is not "
                                f"one of the options ({', '.join(names)})", call=call)
        # The share of the first token that went to no option lowers the confidence.
        return answers.choice(normalise(mass), call, option_mass=total)

    def _choose_self_reported(self, request: ChooseRequest, names: list[str],
                              requests: int) -> ChooseResult:
        """No log-probabilities from this server: ask for JSON and say so."""
        schema = labels.self_reported_schema(names)
        ask = Message(role="user", content=(
            'Reply with JSON: {"label": the option name, "confidence": how sure you are, '
            "between 0 and 1}."))
        json_request = ExtractRequest(node_id=request.node_id, case_id=request.case_id,
                                      messages=[*request.messages, ask], json_schema=schema,
                                      fields=["label", "confidence"], retries=1)
        outcome, call = self._structured(json_request, "self_reported")
        call.attempts += requests
        label, confidence = outcome.data["label"], outcome.data["confidence"]
        try:
            probs = answers.label_confidence(label, confidence, names)
        except OutputInvalid as exc:
            raise OutputInvalid(str(exc), call=call) from None
        call.details["self_reported_confidence"] = probs[label]
        return answers.choice(probs, call, label=label)

    # -- extract / draft -------------------------------------------------------

    def extract(self, request: ExtractRequest) -> ExtractResult:
        outcome, call = self._structured(request, "self_reported")
        values, reported = structured.split_proposal(outcome.data)
        measured = structured.field_confidence(outcome.reply.text, outcome.reply.tokens)
        measured = {k: v for k, v in measured.items() if k in values}
        if values and set(measured) == set(values):
            call.confidence_kind = "measured"
            call.details["self_reported_confidence"] = reported
            return ExtractResult(values=values, confidence=min(measured.values()),
                                 field_confidence=measured, call=call)
        return ExtractResult(values=values, confidence=reported, call=call)

    def draft(self, request: DraftRequest) -> DraftResult:
        answer = self._chat(request.messages,
                            options={"num_predict": max(64, request.max_words * 3)})
        call = self._call(request.messages, answer, "none")
        call.details["truncated"] = answer.response.done_reason == "length"
        return DraftResult(text=(answer.response.message.content or "").strip(), call=call)

    def _structured(self, request: ExtractRequest,
                    kind: ConfidenceKind) -> tuple[structured.Outcome, CallInfo]:
        requests = 0
        started = time.perf_counter()

        def send(messages: list[Message]) -> structured.Reply:
            nonlocal requests
            answer = self._chat(messages, format=request.json_schema,
                                logprobs=self._has_logprobs is not False,
                                options={"temperature": 0, "num_predict": 1024})
            requests += answer.requests
            response = answer.response
            return structured.Reply(
                text=response.message.content or "",
                truncated=response.done_reason == "length",
                tokens_in=response.prompt_eval_count or 0,
                tokens_out=response.eval_count or 0,
                tokens=[(p.token, p.logprob) for p in response.logprobs or []])

        def record(outcome: structured.Outcome, error: str = "") -> CallInfo:
            call = CallInfo(provider=self.provider, model=self.model, prompt=outcome.messages,
                            raw=outcome.reply.text, tokens_in=outcome.tokens_in,
                            tokens_out=outcome.tokens_out, attempts=requests,
                            latency_ms=(time.perf_counter() - started) * 1000,
                            confidence_kind=kind,
                            details={"host": self.settings.host,
                                     "format_attempts": outcome.attempts})
            if error:
                call.details["error"] = error
            return call

        outcome = structured.extract_with_retries(request, send, record)
        return outcome, record(outcome)

    # -- transport ---------------------------------------------------------------

    def _chat(self, messages: Sequence[Message], **kwargs: Any) -> _Answer:
        payload = [{"role": m.role, "content": m.content} for m in messages]
        started = time.perf_counter()
        requests = 0
        while True:
            requests += 1
            think = False if self._think_off else None
            try:
                response = self._client.chat(model=self.model, messages=payload, stream=False,
                                             think=think, **kwargs)
                return _Answer(response, requests, (time.perf_counter() - started) * 1000)
            except Exception as exc:
                if think is not None and _rejects_think(exc):
                    self._think_off = False  # not a thinking model: ask it plainly
                    continue
                transient, message = self._explain(exc)
                if not transient:
                    raise ModelUnavailable(message) from exc
                if requests > self.settings.retries:
                    raise ModelUnavailable(f"{message} (gave up after {requests} tries)"
                                           ) from exc
            time.sleep(self.settings.backoff * 2 ** (requests - 1))

    def _explain(self, exc: Exception) -> tuple[bool, str]:
        """(worth retrying?, what to tell the person) for a failed request."""
        host, model = self.settings.host, self.model
        if isinstance(exc, ollama.ResponseError):
            code = exc.status_code
            if code == 404:
                return False, (f"model '{model}' is not installed on the Ollama server at "
                               f"{host}: run `ollama pull {model}`")
            if code in (401, 403):
                return False, (f"the Ollama server at {host} refused access (HTTP {code}); "
                               "store a token with `junction models token`")
            if code == 429 or code >= 500:
                return True, f"Ollama at {host} answered HTTP {code}: {exc.error}"
            return False, f"Ollama at {host} rejected the request (HTTP {code}): {exc.error}"
        if isinstance(exc, ConnectionError):
            return False, (f"Ollama is not running at {host} (connection refused); start "
                           "it with `ollama serve` or set OLLAMA_HOST")
        if isinstance(exc, httpx.TimeoutException):
            return True, f"Ollama at {host} did not answer within {self.settings.timeout:g} s"
        if isinstance(exc, httpx.TransportError):
            return True, f"the connection to Ollama at {host} failed: {exc}"
        if isinstance(exc, ValueError | TypeError):  # a garbled body (a proxy, a restart)
            return True, f"Ollama at {host} sent an answer Junction cannot read: {exc}"
        raise exc

    def _call(self, prompt: Sequence[Message], answer: _Answer,
              kind: ConfidenceKind) -> CallInfo:
        response = answer.response
        return CallInfo(provider=self.provider, model=self.model, prompt=list(prompt),
                        raw=response.message.content or "",
                        tokens_in=response.prompt_eval_count or 0,
                        tokens_out=response.eval_count or 0, latency_ms=answer.latency_ms,
                        attempts=answer.requests,
                        confidence_kind=kind,
                        details={"host": self.settings.host,
                                 "done_reason": response.done_reason})


def _rejects_think(exc: Exception) -> bool:
    return (isinstance(exc, ollama.ResponseError) and exc.status_code == 400
            and "think" in str(exc.error).lower())


def _candidates(position: Any) -> list[tuple[str, float]]:
    """The generated token and its alternatives, most likely first."""
    found = [(position.token, position.logprob)]
    found += [(t.token, t.logprob) for t in position.top_logprobs or []]
    return sorted(found, key=lambda item: -item[1])


def _factory(ref: str, rest: str, base_dir: Path) -> ModelProvider:
    if not rest:
        raise InputError(f"'{ref}' names no model; write e.g. ollama:llama3.2:3b")
    return OllamaProvider(ref, rest)


def register_backend() -> None:
    from runtime.models.registry import register

    register("ollama", _factory)
